"""`/jetons`: admins list and revoke API tokens; a signed-in person creates a personal token within their scope."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.auth.constants import Access, Role
from app.auth.dependencies import Admins, CurrentPrincipal
from app.auth.models import ApiToken
from app.auth.sessions import client_ip
from app.database import utcnow
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.errors import error_responses
from app.geo.dependencies import GazetteerDep
from app.tokens import service
from app.tokens.schemas import JetonCreate, JetonCree, JetonOut, JetonPage
from app.types import Id, IdPath, Offset

router = APIRouter(prefix="/jetons", tags=["jetons"])

Limit = Annotated[int, Query(ge=1, le=200)]


def jeton_out(token: ApiToken) -> dict:
    return {
        "id": token.id,
        "nom": token.nom,
        "role": Role(token.role),
        "tribunal": token.tribunal_id,
        "departement": token.departement,
        "region": token.region,
        "mandataire": token.mandataire_id,
        "acces": Access(token.acces),
        "compte": token.compte_id,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "etat": service.token_state(token, utcnow()),
    }


@router.get("", response_model=JetonPage, responses=error_responses(401, 403))
def list_jetons(
    principal: Admins,
    session: SessionDep,
    compte: Annotated[Id | None, Query(description="Jetons personnels de ce compte")] = None,
    actifs: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JetonPage:
    """Every API token (never the token itself, which is not stored), newest first (admins)."""
    total, items = service.list_token_page(session, compte=compte, actifs=actifs, limit=limit, offset=offset)
    return JetonPage(total=total, items=[JetonOut(**jeton_out(t)) for t in items])


@router.delete("/{jeton_id}", status_code=204, responses=error_responses(401, 403, 404))
def revoke_jeton(jeton_id: IdPath, request: Request, principal: Admins, session: WriteSessionDep) -> Response:
    """Revoke a token: every worker refuses it within TOKEN_CACHE_S (idempotent)."""
    service.revoke_for(session, principal=principal, token_id=jeton_id, ip=client_ip(request))
    session.commit()
    return Response(status_code=204)


@router.post("", status_code=201, response_model=JetonCree, responses=error_responses(401, 403))
def create_jeton(
    payload: JetonCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: WriteSessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
) -> JetonCree:
    """A personal token for the signed-in person (web session only), within their own role and scope; shown
    once."""
    token, row = service.create_personal_token(
        session,
        principal=principal,
        secret=settings.token_secret.get_secret_value(),
        gazetteer=gazetteer,
        max_days=settings.token_expiry_days,
        nom=payload.nom,
        acces=payload.acces,
        expire_le=payload.expire_le,
        departement=payload.departement,
        ip=client_ip(request),
    )
    session.commit()
    return JetonCree(**jeton_out(row), jeton=token)
