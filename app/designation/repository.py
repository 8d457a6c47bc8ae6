"""Reads of a tribunal's reservations: a filtered page for the judge's list, the rows of its statistics."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.designation.models import Reservation
from app.designation.statistics import Row
from app.registry import rg
from app.registry.models import Mandataire
from app.registry.repository import page


def in_period(query: Select, debut: date | None, fin: date | None) -> Select:
    """Reservations made from `debut` to `fin` included (days in UTC)."""
    if debut is not None:
        query = query.where(Reservation.created_at >= datetime.combine(debut, time.min, UTC))
    if fin is not None:
        query = query.where(Reservation.created_at < datetime.combine(fin + timedelta(days=1), time.min, UTC))
    return query


def tribunal_reservations(
    session: Session,
    *,
    tribunal_id: int,
    statut: str | None,
    mandataire_id: int | None,
    numero_rg: str | None,
    debut: date | None,
    fin: date | None,
    limit: int,
    offset: int,
) -> tuple[int, list[Reservation]]:
    """One page of a tribunal's reservations, newest first, and how many match the filters."""
    query = in_period(select(Reservation).where(Reservation.tribunal_id == tribunal_id), debut, fin)
    if statut is not None:
        query = query.where(Reservation.statut == statut)
    if mandataire_id is not None:
        query = query.where(Reservation.mandataire_id == mandataire_id)
    if numero_rg and rg.normalize(numero_rg):  # stored normalised: "24/R-0001" finds 24R0001
        query = query.where(Reservation.numero_rg.contains(rg.normalize(numero_rg), autoescape=True))
    return page(session, query, order_by=(Reservation.id.desc(),), limit=limit, offset=offset)


def statistics_rows(session: Session, *, tribunal_id: int, debut: date | None, fin: date | None) -> list[Row]:
    query = in_period(
        select(
            Reservation.nature,
            Mandataire.type,
            Reservation.statut,
            Reservation.hors_liste,
            Reservation.created_at,
            Reservation.answered_at,
            Reservation.motif_refus,
        )
        .join(Mandataire, Mandataire.id == Reservation.mandataire_id)
        .where(Reservation.tribunal_id == tribunal_id),
        debut,
        fin,
    )
    return [Row(*row) for row in session.execute(query)]
