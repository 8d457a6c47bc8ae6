"""Sign-in through the OpenID provider (ProConnect in production): `/connexion/oidc` sends the browser to the
provider, `/connexion/oidc/retour` receives it back. The protocol and its checks are `app.oidc`'s; here the
verified identity meets the accounts (`account_for_sign_in`) and gets a session (`open_session`, which keeps the
ID token for the provider's logout at `/deconnexion`).

Every refusal, from a wrong `state` to a disabled account, opens no session, shows a French page (400 for an
answer that does not belong to this sign-in, 403 for a person without access, 502 for a provider that failed)
and writes a line in the access journal.
"""

import hmac
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.auth.accounts import account_for_sign_in, record_sign_in
from app.auth.constants import PROVIDER_OIDC, Role
from app.auth.exceptions import SignInRefused
from app.auth.sessions import _secure as secure_cookie
from app.auth.sessions import client_ip, open_session, set_session_cookie
from app.config import Settings
from app.database import begin_write
from app.dependencies import SessionDep, SettingsDep
from app.oidc.attempt import ATTEMPT_COOKIE, ATTEMPT_MAX_AGE_S, seal, unseal
from app.oidc.checks import Identity
from app.oidc.dependencies import CALLBACK_PATH, RelyingPartyDep, public_base
from app.oidc.exceptions import SignInAbandoned, expired_attempt
from app.web.router import _render, _safe_next, home_of

router = APIRouter(include_in_schema=False)

ATTEMPT_PATH = "/connexion/oidc"  # the attempt cookie goes to the start and the callback only


def _not_configured(request: Request, settings: Settings) -> HTMLResponse:
    message = (
        f"La connexion avec {settings.oidc_provider_name} n'est pas configurée sur ce service. "
        "Utilisez la connexion proposée sur la page de connexion, ou demandez à l'administrateur du service."
    )
    context = {"titre": "Connexion indisponible", "message": message, "accueil": "/connexion"}
    return _render(request, "erreur.html", context, status_code=404)


def _refusal_page(request: Request, settings: Settings, refusal: SignInRefused) -> HTMLResponse:
    context = {"titre": "Connexion refusée", "message": refusal.message, "accueil": "/connexion"}
    response = _render(request, "erreur.html", context, status_code=refusal.status_code)
    response.delete_cookie(ATTEMPT_COOKIE, path=ATTEMPT_PATH, httponly=True, samesite="lax")
    return response


@router.get("/connexion/oidc")
async def oidc_sign_in(
    request: Request,
    settings: SettingsDep,
    party: RelyingPartyDep,
    suivant: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Send the browser to the provider (authorization code, PKCE S256, `state` and `nonce`)."""
    if party is None:
        return _not_configured(request, settings)
    try:
        url, pending = await party.begin(public_base(request, settings) + CALLBACK_PATH)
    except SignInRefused as refusal:
        return _refusal_page(request, settings, refusal)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        ATTEMPT_COOKIE,
        seal(pending, _safe_next(suivant) or "", secret=settings.token_secret.get_secret_value()),
        max_age=ATTEMPT_MAX_AGE_S,
        path=ATTEMPT_PATH,
        httponly=True,
        samesite="lax",  # the provider sends the browser back from another site: a Strict cookie would stay behind
        secure=secure_cookie(settings, request),
    )
    return response


@router.get(CALLBACK_PATH)
async def oidc_callback(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    party: RelyingPartyDep,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=500)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The provider's answer: `state` checked, the code exchanged, the ID token checked, then the account."""
    if party is None:
        return _not_configured(request, settings)
    identity = None
    try:
        pending, target = unseal(request.cookies.get(ATTEMPT_COOKIE), secret=settings.token_secret.get_secret_value())
        if not state or not hmac.compare_digest(state.encode(), pending.state.encode()):
            raise expired_attempt()
        if error or not code:
            # e.g. access_denied: the person gave up at the provider; the provider's own words are not shown.
            raise SignInAbandoned("La connexion a été interrompue chez le fournisseur d'identité.")
        signed_in = await party.finish(
            code=code, pending=pending, redirect_uri=public_base(request, settings) + CALLBACK_PATH
        )
        identity = signed_in.identity
        account_role, value = await run_in_threadpool(
            _open_session, session, request, identity=identity, id_token=signed_in.id_token
        )
    except SignInRefused as refusal:
        await run_in_threadpool(_record_refusal, session, request, identity, refusal)
        return _refusal_page(request, settings, refusal)
    response = RedirectResponse(target or home_of(account_role), status_code=303)
    set_session_cookie(response, value, settings, request)
    response.delete_cookie(ATTEMPT_COOKIE, path=ATTEMPT_PATH, httponly=True, samesite="lax")
    return response


def _open_session(session: Session, request: Request, *, identity: Identity, id_token: str) -> tuple[Role, str]:
    """The account of the verified identity gets a session; its role and the session cookie's value. A sign-in
    writes, although it arrives as a GET: the write lock is taken here, after the exchange with the provider."""
    begin_write(session)
    try:
        account = account_for_sign_in(session, email=identity.email, siret=identity.siret)
    except SignInRefused:
        session.rollback()
        raise
    value = open_session(
        session,
        account=account,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        provider=PROVIDER_OIDC,
        id_token_hint=id_token,
    )
    record_sign_in(
        session,
        account_id=account.id,
        email=account.email,
        ip=client_ip(request),
        outcome="reussie",
        provider=PROVIDER_OIDC,
    )
    session.commit()
    return Role(account.role), value


def _record_refusal(session: Session, request: Request, identity: Identity | None, refusal: SignInRefused) -> None:
    begin_write(session)
    record_sign_in(
        session,
        account_id=None,
        email=identity.email if identity else None,
        ip=client_ip(request),
        outcome="refusee",
        reason=refusal.code,
        provider=PROVIDER_OIDC,
    )
    session.commit()
