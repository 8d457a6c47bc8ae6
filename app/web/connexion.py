"""Sign-in and sign-out pages: the development sign-in (pick a demo person), invitation links, sign-out.

The development sign-in opens a session for any account of the database with one click: it exists for
`./scripts/run` and the tests, and answers 404 under `ENVIRONMENT=production`, where people sign in through the
OpenID provider. Every sign-in, refused or not, writes a line in the access journal (`app.auth.accounts`).

Sessions, their cookie and its protections: `app.auth.sessions`."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from app.auth.accounts import accept_invitation, account_for_sign_in, record_access, record_sign_in
from app.auth.constants import PROVIDER_DEV, PROVIDER_INVITATION, PROVIDER_OIDC, AccessAction, AccountState, Role
from app.auth.dependencies import forget_session
from app.auth.exceptions import SignInRefused, UnknownAccount
from app.auth.models import Account
from app.auth.sessions import (
    ClosedSession,
    clear_session_cookie,
    client_ip,
    close_session,
    open_session,
    session_value,
    set_session_cookie,
)
from app.config import Settings
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.oidc.dependencies import POST_LOGOUT_PATH, RelyingPartyDep, public_base
from app.types import Texte
from app.web.router import ROLE_LABELS, _render, _safe_next, home_of

router = APIRouter(include_in_schema=False)

# The development sign-in lists at most this many people (the demo has six).
DEV_PEOPLE_LIMIT = 100
ROLE_ORDER = [Role.MAGISTRAT, Role.GREFFIER, Role.MANDATAIRE, Role.AGENT, Role.ADMIN]


def dev_sign_in_allowed(settings: Settings) -> bool:
    return settings.environment != "production"


def _foreign_origin(request: Request) -> bool:
    """A form posted from another site (its `Origin` names another host): refused, like a forged request."""
    origin = request.headers.get("origin")
    # Behind a reverse proxy that rewrites Host, the public host arrives in X-Forwarded-Host.
    hosts = {request.headers.get("host"), request.headers.get("x-forwarded-host")} - {None}
    return bool(origin and origin != "null" and urlsplit(origin).netloc not in hosts)


def _people(session, settings: Settings) -> list[dict]:
    if not dev_sign_in_allowed(settings):
        return []
    accounts = session.scalars(
        select(Account).where(Account.etat != AccountState.DESACTIVE).order_by(Account.id).limit(DEV_PEOPLE_LIMIT)
    )
    people = [
        {"id": a.id, "nom": f"{a.prenom} {a.nom}", "role": ROLE_LABELS[Role(a.role)], "ordre": ROLE_ORDER.index(a.role)}
        for a in accounts
    ]
    return sorted(people, key=lambda p: (p["ordre"], p["nom"]))


def _sign_in_page(request: Request, session, settings: Settings, *, suivant: str, erreur: str | None, status: int):
    return _render(
        request,
        "connexion.html",
        {
            "suivant": suivant,
            "erreur": erreur,
            "personnes": _people(session, settings),
            "dev": dev_sign_in_allowed(settings),
            "fournisseur": settings.oidc_provider_name if settings.oidc_issuer else None,
        },
        status_code=status,
    )


@router.get("/connexion", response_class=HTMLResponse)
def sign_in_form(request: Request, session: SessionDep, settings: SettingsDep, suivant: str | None = None):
    return _sign_in_page(request, session, settings, suivant=_safe_next(suivant) or "", erreur=None, status=200)


def _signed_in(request: Request, session, settings: Settings, account: Account, provider: str, target: str | None):
    value = open_session(
        session,
        account=account,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        provider=provider,
    )
    record_sign_in(
        session, account_id=account.id, email=account.email, ip=client_ip(request), outcome="reussie", provider=provider
    )
    session.commit()
    response = RedirectResponse(target or home_of(Role(account.role)), status_code=303)
    set_session_cookie(response, value, settings, request)
    return response


@router.post("/connexion/demo", response_class=HTMLResponse)
def dev_sign_in(
    request: Request,
    session: WriteSessionDep,
    settings: SettingsDep,
    compte: Annotated[int, Form(ge=1, le=2**31 - 1)],
    suivant: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Sign in as one of the demo people (development only)."""
    if not dev_sign_in_allowed(settings):
        return _render(
            request,
            "erreur.html",
            {
                "titre": "Connexion de démonstration indisponible",
                "message": "La connexion de démonstration est désactivée en production : "
                "connectez-vous avec ProConnect.",
                "accueil": "/connexion",
            },
            status_code=404,
        )
    target = _safe_next(suivant) or ""
    if _foreign_origin(request):
        erreur = "Connexion refusée : le formulaire ne vient pas de ce site."
        return _sign_in_page(request, session, settings, suivant="", erreur=erreur, status=403)
    account = session.get(Account, compte)
    try:
        if account is None:
            raise UnknownAccount("Compte inconnu.")
        account = account_for_sign_in(session, email=account.email)
    except SignInRefused as refused:
        session.rollback()
        record_sign_in(
            session,
            account_id=account.id if account else None,
            email=account.email if account else None,
            ip=client_ip(request),
            outcome="refusee",
            reason=refused.code,
            provider=PROVIDER_DEV,
        )
        session.commit()
        return _sign_in_page(request, session, settings, suivant=target, erreur=refused.message, status=403)
    return _signed_in(request, session, settings, account, PROVIDER_DEV, target)


@router.post("/deconnexion")
async def sign_out(
    request: Request, session: WriteSessionDep, settings: SettingsDep, party: RelyingPartyDep
) -> Response:
    """End the session (its row is deleted: the cookie no longer works anywhere) and clear the cookie; a session
    opened through the OpenID provider ends there too (RP-initiated logout, with the ID token it gave us)."""
    value = session_value(request)
    closed = await run_in_threadpool(_close, request, session, value) if value else None
    if value:
        forget_session(request, value)  # on the event loop, like every use of the cache
    target = None
    if closed is not None and closed.provider == PROVIDER_OIDC and closed.id_token_hint and party is not None:
        base = public_base(request, settings)
        target = await party.logout_url(id_token=closed.id_token_hint, post_logout_redirect_uri=base + POST_LOGOUT_PATH)
    response: Response
    if target:
        context = {"adresse": target, "fournisseur": settings.oidc_provider_name}
        response = _render(request, "deconnexion.html", context)
    else:
        response = RedirectResponse("/connexion", status_code=303)
    clear_session_cookie(response, settings, request)
    return response


def _close(request: Request, session, value: str) -> ClosedSession | None:
    closed = close_session(session, value)
    if closed is not None:
        record_access(session, action=AccessAction.DECONNEXION, account_id=closed.account_id, ip=client_ip(request))
    session.commit()
    return closed


@router.get("/invitation/{secret}", response_class=HTMLResponse)
def invitation_page(request: Request, secret: Texte) -> HTMLResponse:
    """The link of an invitation e-mail: a button, so that a mail scanner that follows links spends nothing."""
    return _render(request, "invitation.html", {"secret": secret})


@router.post("/invitation/{secret}", response_class=HTMLResponse)
def accept_invitation_form(request: Request, secret: Texte, session: WriteSessionDep, settings: SettingsDep):
    """Activate the invited account (the link works once, until it expires); then, with the development
    sign-in, a session at once, else the sign-in page (the OpenID provider)."""
    if _foreign_origin(request):
        return _render(
            request,
            "erreur.html",
            {"titre": "Invitation", "message": "Formulaire refusé : il ne vient pas de ce site.", "accueil": "/"},
            status_code=403,
        )
    try:
        account = accept_invitation(session, secret)
    except SignInRefused as refused:
        session.rollback()
        record_sign_in(
            session,
            account_id=None,
            email=None,
            ip=client_ip(request),
            outcome="refusee",
            reason=refused.code,
            provider=PROVIDER_INVITATION,
        )
        session.commit()
        context = {"titre": "Invitation non valable", "message": refused.message, "accueil": "/connexion"}
        return _render(request, "erreur.html", context, status_code=403)
    record_access(session, action=AccessAction.ACTIVATION, account_id=account.id, ip=client_ip(request))
    if dev_sign_in_allowed(settings):
        return _signed_in(request, session, settings, account, PROVIDER_INVITATION, None)
    session.commit()
    return RedirectResponse("/connexion", status_code=303)
