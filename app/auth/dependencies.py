from collections.abc import Awaitable, Callable
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.constants import Role
from app.auth.exceptions import Forbidden, NotAuthenticated
from app.auth.principal import Principal
from app.auth.service import authenticate, hash_token
from app.dependencies import SessionDep, SettingsDep
from app.geo.dependencies import GazetteerDep

bearer = HTTPBearer(auto_error=False, description="Jeton créé par `mjpm token create`")


# The web pages keep the token in this HttpOnly, SameSite=Strict cookie (set by POST /connexion, app/web).
TOKEN_COOKIE = "mjpm_jeton"
# CSRF: a cookie-authenticated request that changes state must also carry this header, which a cross-site form
# cannot send (and a cross-site fetch cannot either without a CORS preflight, which this service never grants).
CSRF_HEADER, CSRF_VALUE = "X-Requested-With", "mjpm"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def principal_of(
    token: str, *, request: Request, session: SessionDep, settings: SettingsDep, gazetteer: GazetteerDep
) -> Principal:
    """The caller a token names; raises NotAuthenticated for an unknown or revoked one.

    A recently checked token costs no query (settings.token_cache_s, the worker's `app.state.principals`,
    shared by the API and the pages so that a revocation reaches both alike); the cache is only touched on the
    event loop, so it needs no lock."""
    secret = settings.token_secret.get_secret_value()
    principals: TTLCache[str, Principal] = request.app.state.principals
    key = hash_token(token, secret)
    principal = principals.get(key)
    if principal is None:
        principal = await run_in_threadpool(authenticate, session, secret=secret, gazetteer=gazetteer, token=token)
        principals[key] = principal
    return principal


async def current_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    token = credentials.credentials if credentials is not None else request.cookies.get(TOKEN_COOKIE)
    if not token:
        raise NotAuthenticated("jeton manquant : en-tête « Authorization: Bearer <jeton> »")
    if credentials is None and request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != CSRF_VALUE:
        raise Forbidden(f"requête authentifiée par cookie sans l'en-tête « {CSRF_HEADER}: {CSRF_VALUE} »", code="csrf")
    return await principal_of(token, request=request, session=session, settings=settings, gazetteer=gazetteer)


async def page_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    """The API's check for the web pages, which answer a missing or refused token with the sign-in form (None)."""
    try:
        return await current_principal(request, session, settings, gazetteer, credentials)
    except NotAuthenticated:
        return None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
PagePrincipal = Annotated[Principal | None, Depends(page_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: CurrentPrincipal) -> Principal:  # pure: no thread-pool hop
        if principal.role not in roles:
            raise Forbidden(f"rôle {principal.role.value} non autorisé pour cette opération")
        return principal

    return check
