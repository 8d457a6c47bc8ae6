"""Readiness checks and the business figures of /metrics, computed when they are asked for."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.designation.constants import ReservationStatut
from app.designation.models import Reservation
from app.errors import Unavailable
from app.geo.gazetteer import Gazetteer
from app.matching.repository import registry_version
from app.migrations import schema_revision
from app.notifications.constants import NotificationStatus
from app.notifications.models import Notification
from app.system.exceptions import DatabaseUnreachable, GeographyNotLoaded, MigrationsNotApplied


def readiness_problems(session: Session, gazetteer: Gazetteer | None, head: str) -> list[Unavailable]:
    """What keeps this process from serving: an unreachable database, a schema behind (or ahead of) the migration
    scripts (or never migrated), reference geography not loaded. One query: reading the schema's revision proves the
    database answers."""
    problems: list[Unavailable] = []
    try:
        current = schema_revision(session)
    except Exception as error:  # any driver failure means "not ready"
        problems.append(DatabaseUnreachable(f"base de données injoignable : {type(error).__name__}", loc=["base"]))
    else:
        if current != head:
            problems.append(
                MigrationsNotApplied(
                    f"schéma en révision « {current or 'aucune'} », attendu « {head} » : lancez `mjpm db upgrade`",
                    loc=["migrations"],
                )
            )
    if gazetteer is None or not gazetteer.communes or not gazetteer.tribunaux:
        problems.append(GeographyNotLoaded("référentiel géographique non chargé", loc=["geographie"]))
    return problems


@dataclass(frozen=True)
class BusinessFigures:
    reservations_en_attente: int
    reservations_expirant_7j: int
    notifications_en_attente: int
    notification_plus_ancienne_s: float  # 0 when none is pending
    registry_version: int


def business_figures(session: Session, now: datetime) -> BusinessFigures | None:
    """The figures, or None when the database does not answer: /metrics still serves the request and process
    metrics, which an outage makes most needed."""
    pending = Reservation.statut == ReservationStatut.EN_ATTENTE
    outbox = Notification.status == NotificationStatus.PENDING
    try:
        row = session.execute(
            select(
                select(func.count()).where(pending).scalar_subquery(),
                select(func.count()).where(pending, Reservation.expires_at < now + timedelta(days=7)).scalar_subquery(),
                select(func.count()).where(outbox).scalar_subquery(),
                select(func.min(Notification.created_at)).where(outbox).scalar_subquery(),
            )
        ).one()
        version = registry_version(session)
    except DBAPIError:
        session.rollback()
        return None
    oldest = row[3]
    return BusinessFigures(
        reservations_en_attente=row[0],
        reservations_expirant_7j=row[1],
        notifications_en_attente=row[2],
        notification_plus_ancienne_s=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        registry_version=version,
    )
