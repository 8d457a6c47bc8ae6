from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.audit import service
from app.audit.schemas import AuditEventOut, MatchAuditOut, MatchSummaryOut
from app.auth.constants import JUDGE_ROLES
from app.auth.dependencies import require_roles
from app.auth.exceptions import OutsideTribunal
from app.auth.principal import Principal
from app.dependencies import SessionDep
from app.errors import error_responses
from app.geo.dependencies import GazetteerDep
from app.geo.tribunals import resolve_tribunal
from app.registry.schemas import Page
from app.types import Offset, Texte

router = APIRouter(tags=["audit"])

Auditors = Annotated[Principal, Depends(require_roles(*JUDGE_ROLES))]


@router.get("/audit/matches/{match_id}", response_model=MatchAuditOut, responses=error_responses(401, 403, 404))
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


@router.get(
    "/tribunaux/{tribunal}/demandes",
    response_model=Page[MatchSummaryOut],
    responses=error_responses(401, 403, 404, 422),
)
def list_tribunal_matches(
    tribunal: Texte,
    principal: Auditors,
    session: SessionDep,
    gazetteer: GazetteerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> Page[MatchSummaryOut]:
    """The tribunal's past match requests, newest first: re-open one to search again from its fields."""
    row = resolve_tribunal(session, gazetteer, tribunal, ["path", "tribunal"])
    if principal.is_judicial and row.id != principal.tribunal_id:
        raise OutsideTribunal("vous ne voyez que les demandes de votre tribunal")
    total, rows = service.tribunal_matches(session, tribunal_id=row.id, limit=limit, offset=offset)
    return Page[MatchSummaryOut](
        total=total,
        items=[
            MatchSummaryOut(
                match_id=record.id,
                created_at=record.created_at,
                demande=record.demande,
                candidats=len(record.reponse.get("candidats", ())),
                exclus=record.demande.get("exclure", []),
                reservations=reserved,
            )
            for record, reserved in rows
        ],
    )
