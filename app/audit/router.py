from typing import Annotated

from fastapi import APIRouter, Depends

from app.audit import service
from app.audit.schemas import AuditEventOut, MatchAuditOut
from app.auth.constants import Role
from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.dependencies import SessionDep
from app.errors import error_responses
from app.types import Texte

router = APIRouter(prefix="/audit", tags=["audit"])

Auditors = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.MAGISTRAT, Role.GREFFIER))]


@router.get("/matches/{match_id}", response_model=MatchAuditOut, responses=error_responses(401, 403, 404))
def get_match_audit(match_id: Texte, principal: Auditors, session: SessionDep) -> MatchAuditOut:
    """A match request, the shortlist shown, and every designation event that followed (admins, its tribunal)."""
    record, events = service.match_story(session, principal=principal, match_id=match_id)
    return MatchAuditOut(
        match_id=record.id,
        created_at=record.created_at,
        tribunal=record.tribunal_id,
        token_id=record.token_id,
        version_moteur=record.engine_version,
        demande=record.demande,
        reponse=record.reponse,
        evenements=[AuditEventOut.model_validate(e) for e in events],
    )
