from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.constants import Role
from app.auth.exceptions import Forbidden, NotAuthenticated
from app.auth.principal import Principal
from app.auth.service import authenticate
from app.dependencies import SessionDep, SettingsDep
from app.geo.dependencies import GazetteerDep

bearer = HTTPBearer(auto_error=False, description="Jeton créé par `mjpm token create`")


def current_principal(
    session: SessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise NotAuthenticated("jeton manquant : en-tête « Authorization: Bearer <jeton> »")
    return authenticate(
        session, secret=settings.token_secret.get_secret_value(), gazetteer=gazetteer, token=credentials.credentials
    )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"rôle {principal.role.value} non autorisé pour cette opération")
        return principal

    return check
