"""The answers given to reservations per year, counted as they are given: the yearly tables read these counters
instead of grouping every reservation at each request.

A reservation gets its answer in one place (`app.designation.service._answer`: accepted, refused, cancelled,
expired); the callers count the accepted, refused and expired ones here, last in their unit of work (after the
load counters of `app.registry.load`, each key in a fixed order), with SQL increments that never read the row. The
year is that of `answered_at` in UTC, as the tables' day bounds. The demo, which writes its history in bulk,
counts them from its rows (`recount_answers`); a property test recounts them after random sequences."""

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, Integer, cast, delete, extract, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.database import table_of
from app.designation.constants import ReservationStatut
from app.designation.models import Reservation, ReservationsAnnee
from app.geo.models import Tribunal
from app.registry.models import Mandataire

COUNTED = (ReservationStatut.ACCEPTEE, ReservationStatut.REFUSEE, ReservationStatut.EXPIREE)


def count_answers(session: Session, reservations: Iterable[Reservation]) -> None:
    """Add the answered reservations (accepted, refused, expired) to their year's counters."""
    increments: Counter[tuple[str, str, str, int, str]] = Counter()
    for reservation in reservations:
        if reservation.statut not in COUNTED or reservation.answered_at is None:
            continue
        departement = session.get_one(Tribunal, reservation.tribunal_id).departement
        kind = session.get_one(Mandataire, reservation.mandataire_id).type
        year = reservation.answered_at.year  # aware UTC datetimes: the UTC year
        increments[(departement, kind, reservation.nature, year, str(reservation.statut))] += 1
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = table_of(ReservationsAnnee)
    for (departement, kind, nature, year, statut), n in sorted(increments.items()):
        statement = dialect.insert(table).values(
            departement=departement, type=kind, nature=nature, annee=year, statut=statut, reservations=n
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.departement, table.c.type, table.c.nature, table.c.annee, table.c.statut],
                set_={"reservations": table.c.reservations + statement.excluded.reservations},
            )
        )


def recount_answers(connection: Session | Connection) -> None:
    """Rebuild every counter from the reservations, in one GROUP BY (bulk loads: the demo's history)."""
    table = table_of(ReservationsAnnee)
    year = cast(extract("year", Reservation.answered_at), Integer)
    counts = (
        select(Tribunal.departement, Mandataire.type, Reservation.nature, year, Reservation.statut, func.count())
        .join(Tribunal, Tribunal.id == Reservation.tribunal_id)
        .join(Mandataire, Mandataire.id == Reservation.mandataire_id)
        .where(Reservation.statut.in_([str(s) for s in COUNTED]), Reservation.answered_at.is_not(None))
        .group_by(Tribunal.departement, Mandataire.type, Reservation.nature, year, Reservation.statut)
    )
    connection.execute(delete(table))
    connection.execute(
        insert(table).from_select(["departement", "type", "nature", "annee", "statut", "reservations"], counts)
    )
