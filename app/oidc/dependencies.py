from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.oidc.client import RelyingParty

CALLBACK_PATH = "/connexion/oidc/retour"
POST_LOGOUT_PATH = "/connexion"


async def get_relying_party(request: Request) -> RelyingParty | None:
    """The process's relying party (app.state, built by the app's lifespan without touching the network); None when
    OIDC_ISSUER is unset."""
    return request.app.state.relying_party


RelyingPartyDep = Annotated[RelyingParty | None, Depends(get_relying_party)]


def public_base(request: Request, settings: Settings) -> str:
    """This service's address as the provider knows it (OIDC_REDIRECT_BASE_URL, else the request's)."""
    return settings.oidc_redirect_base_url or str(request.base_url).rstrip("/")
