"""Audit trail: recording designation events, reading a match's whole story, enforcing retention."""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.database import rowcount
from app.matching.exceptions import MatchNotFound
from app.matching.models import MatchRecord

SYSTEM_ROLE = "systeme"


def record(
    session: Session,
    *,
    action: str,
    principal: Principal | None,
    match_id: str | None = None,
    reservation_id: int | None = None,
    tribunal_id: int | None = None,
    mandataire_id: int | None = None,
    details: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction (`principal` None means the system, e.g. expiry)."""
    event = AuditEvent(
        action=action,
        token_id=principal.token_id if principal else None,
        role=principal.role.value if principal else SYSTEM_ROLE,
        match_id=match_id,
        reservation_id=reservation_id,
        tribunal_id=tribunal_id,
        mandataire_id=mandataire_id,
        details=details or {},
    )
    if at is not None:
        event.created_at = at
    session.add(event)
    return event


def match_story(session: Session, *, principal: Principal, match_id: str) -> tuple[MatchRecord, list[AuditEvent]]:
    record_ = session.get(MatchRecord, match_id)
    if record_ is None or (principal.role.value != "admin" and record_.tribunal_id != principal.tribunal_id):
        raise MatchNotFound(f"demande de liste introuvable : {match_id}", loc=["path", "match_id"])
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.match_id == match_id).order_by(AuditEvent.id)))
    return record_, events


def purge(session: Session, *, now: datetime, retention_days: int) -> tuple[int, int]:
    """Delete match records and events older than the retention period; returns (matches, events) deleted."""
    cutoff = now - timedelta(days=retention_days)
    events = rowcount(session.execute(delete(AuditEvent).where(AuditEvent.created_at < cutoff)))
    matches = rowcount(session.execute(delete(MatchRecord).where(MatchRecord.created_at < cutoff)))
    return matches, events


def tribunal_matches(session: Session, *, tribunal_id: int, limit: int, offset: int) -> tuple[int, list[tuple]]:
    """A page of the tribunal's match requests, newest first, each with the number of reservations made on it."""
    reserved = (
        select(func.count())
        .where(AuditEvent.match_id == MatchRecord.id, AuditEvent.action == "reservation_creee")
        .scalar_subquery()
    )
    where = MatchRecord.tribunal_id == tribunal_id
    total = session.scalar(select(func.count()).select_from(MatchRecord).where(where)) or 0
    rows = session.execute(
        select(MatchRecord, reserved)
        .where(where)
        .order_by(MatchRecord.created_at.desc(), MatchRecord.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return total, [tuple(row) for row in rows]
