from collections.abc import Awaitable, Callable
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app import labels
from app.auth.constants import JUDGE_ROLES, PROFESSIONAL_ROLES, STATE_ROLES, Role
from app.auth.exceptions import Forbidden, MissingCsrfHeader, NotAuthenticated, ReadOnlyToken
from app.auth.principal import Principal
from app.auth.service import authenticate, hash_token, token_expired
from app.auth.sessions import authenticate_session, hash_secret, session_expired, session_value
from app.database import utcnow
from app.dependencies import SessionDep, SettingsDep
from app.geo.dependencies import GazetteerDep

bearer = HTTPBearer(auto_error=False, description="Jeton créé par `mjpm token create` ou `POST /jetons`")


# CSRF: a cookie-authenticated request that changes state must also carry this header, which a cross-site form
# cannot send (and a cross-site fetch cannot either without a CORS preflight, which this service never grants).
CSRF_HEADER, CSRF_VALUE = "X-Requested-With", "mjpm"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _cached(
    key: str, request: Request, check: Callable[[], Principal], expired: Callable[[], NotAuthenticated]
) -> Principal:
    """A principal the worker checked less than TOKEN_CACHE_S ago (`app.state.principals`, shared by the API and
    the pages so that a revocation reaches both alike), else `check()` in the thread pool. A cached principal is
    never used past its token's or session's end. The cache is only touched on the event loop: no lock."""
    principals: TTLCache[str, Principal] = request.app.state.principals
    principal = principals.get(key)
    if principal is not None and principal.expires_at is not None and principal.expires_at <= utcnow():
        principals.pop(key, None)
        raise expired()
    if principal is None:
        principal = await run_in_threadpool(check)
        principals[key] = principal
    return principal


async def principal_of(
    token: str, *, request: Request, session: SessionDep, settings: SettingsDep, gazetteer: GazetteerDep
) -> Principal:
    """The caller a token names; raises InvalidToken (401) for an unknown, revoked or expired one."""
    secret = settings.token_secret.get_secret_value()
    return await _cached(
        "jeton:" + hash_token(token, secret),
        request,
        lambda: authenticate(session, secret=secret, gazetteer=gazetteer, token=token),
        token_expired,
    )


def forget_session(request: Request, value: str) -> None:
    """Drop a session this worker cached (sign-out): it stops working here at once, elsewhere within the delay."""
    request.app.state.principals.pop("session:" + hash_secret(value), None)


async def session_principal(
    value: str, *, request: Request, session: SessionDep, settings: SettingsDep, gazetteer: GazetteerDep
) -> Principal:
    """The person a session cookie names; raises NotAuthenticated for an ended or expired session."""
    return await _cached(
        "session:" + hash_secret(value),
        request,
        lambda: authenticate_session(session, value=value, settings=settings, gazetteer=gazetteer),
        session_expired,
    )


async def current_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """A Bearer token, else the web session's cookie (with the CSRF header on writes)."""
    unsafe = request.method not in SAFE_METHODS
    if credentials is not None:
        principal = await principal_of(
            credentials.credentials, request=request, session=session, settings=settings, gazetteer=gazetteer
        )
        if principal.read_only and unsafe:
            raise ReadOnlyToken("jeton en lecture seule : cette opération modifie des données")
        return principal
    value = session_value(request)
    if not value:
        raise NotAuthenticated("jeton manquant : en-tête « Authorization: Bearer <jeton> » ou connexion")
    if unsafe and request.headers.get(CSRF_HEADER) != CSRF_VALUE:
        raise MissingCsrfHeader(f"requête authentifiée par cookie sans l'en-tête « {CSRF_HEADER}: {CSRF_VALUE} »")
    return await session_principal(value, request=request, session=session, settings=settings, gazetteer=gazetteer)


async def page_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    """The API's check for the web pages, which answer a missing or ended session with the sign-in form (None)."""
    try:
        return await current_principal(request, session, settings, gazetteer, credentials)
    except NotAuthenticated:
        return None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
PagePrincipal = Annotated[Principal | None, Depends(page_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: CurrentPrincipal) -> Principal:  # pure: no thread-pool hop
        if principal.role not in roles:
            raise Forbidden(f"rôle « {labels.label(labels.ROLES, principal.role)} » non autorisé pour cette opération")
        return principal

    return check


# Judges, greffiers and administrators: who asks for a list, reserves, and decides transfers.
Judges = Annotated[Principal, Depends(require_roles(*JUDGE_ROLES))]
Agents = Annotated[Principal, Depends(require_roles(*STATE_ROLES))]
Admins = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Professionals = Annotated[Principal, Depends(require_roles(*PROFESSIONAL_ROLES))]
