from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    action: str
    role: str
    token_id: int | None
    reservation_id: int | None
    mandataire_id: int | None
    details: dict


class MatchAuditOut(BaseModel):
    match_id: str
    created_at: datetime
    tribunal: int
    token_id: int | None
    version_moteur: str
    demande: dict
    reponse: dict
    evenements: list[AuditEventOut]


class MatchSummaryOut(BaseModel):
    """A past match request of the tribunal, to search again from it (`GET /audit/matches/{match_id}` for all)."""

    match_id: str
    created_at: datetime
    demande: dict
    candidats: int = Field(description="Professionnels proposés")
    exclus: list[int] = Field(description="Professionnels écartés par le juge")
    reservations: int = Field(description="Réservations faites sur cette liste")
