"""The answers given to reservations per year, counted as they are given: the yearly tables read these counters
instead of grouping every reservation at each request.

A reservation gets its answer in one place (`app.designation.service._answer`: accepted, refused, cancelled,
expired); the callers count the accepted, refused and expired ones here, last in their unit of work (after the
load counters of `app.registry.load`, each key in a fixed order), with SQL increments that never read the row. The
year is that of `answered_at` in UTC, as the tables' day bounds. The demo, which writes its history in bulk,
counts them from its rows (`recount_answers`); a property test recounts them after random sequences.

The same callers count the answers per month for the flux table (`count_answers` does both): per (first day of
the month of `answered_at` in UTC, tribunal, type of professional), the accepted, refused and expired
reservations, and the histogram of the acceptance delays in tenths of a day (`tenths_waited`), per tribunal and
summed nationally, from which the table takes its medians."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, Integer, case, cast, delete, extract, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from app.database import add_to_counters, table_of
from app.designation.constants import ReservationStatut
from app.designation.models import (
    DelaiAcceptation,
    DelaiAcceptationNational,
    Reservation,
    ReservationsAnnee,
    ReservationsMois,
)
from app.geo.models import Tribunal
from app.registry.models import Mandataire
from app.registry.statistics import month_of

COUNTED = (ReservationStatut.ACCEPTEE, ReservationStatut.REFUSEE, ReservationStatut.EXPIREE)
# The column of `ReservationsMois` of each answer counted.
MONTH_COLUMN = {
    ReservationStatut.ACCEPTEE: "acceptees",
    ReservationStatut.REFUSEE: "refusees",
    ReservationStatut.EXPIREE: "expirees",
}
TENTH = 8640  # seconds in a tenth of a day


def tenths_waited(created_at: datetime, answered_at: datetime) -> int:
    """Tenths of a day from a reservation's creation to its answer, rounded to the nearest (half up), between the
    whole seconds of the two instants; never negative. `tenths_between` computes the same in SQL."""
    seconds = int((answered_at.replace(microsecond=0) - created_at.replace(microsecond=0)).total_seconds())
    return (max(seconds, 0) + TENTH // 2) // TENTH


class tenths_between(FunctionElement[int]):
    """`tenths_waited` computed by the database, from the first timestamp column to the second (stored naive UTC)."""

    type = Integer()
    inherit_cache = True


@compiles(tenths_between, "sqlite")
def _tenths_between_sqlite(element, compiler, **kw) -> str:
    # The first 19 characters are the whole seconds: strftime would round the fraction to the millisecond first.
    start, end = (
        f"CAST(strftime('%s', substr({compiler.process(c, **kw)}, 1, 19)) AS INTEGER)" for c in element.clauses
    )
    return f"((MAX({end} - {start}, 0) + {TENTH // 2}) / {TENTH})"


@compiles(tenths_between, "postgresql")
def _tenths_between_postgresql(element, compiler, **kw) -> str:
    start, end = (
        f"CAST(EXTRACT(EPOCH FROM date_trunc('second', {compiler.process(c, **kw)})) AS BIGINT)"
        for c in element.clauses
    )
    return f"((GREATEST({end} - {start}, 0) + {TENTH // 2}) / {TENTH})"


def count_answers(session: Session, reservations: Iterable[Reservation]) -> None:
    """Add the answered reservations (accepted, refused, expired) to their year's counters."""
    increments: Counter[tuple[str, str, str, int, str]] = Counter()
    answered = [r for r in reservations if r.statut in COUNTED and r.answered_at is not None]
    kinds = _kinds(session, answered)
    for reservation in answered:
        assert reservation.answered_at is not None  # filtered above
        departement = session.get_one(Tribunal, reservation.tribunal_id).departement
        kind = kinds[reservation.mandataire_id]
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
    _count_months(session, answered, kinds)


def _kinds(session: Session, answered: list[Reservation]) -> dict[int, str]:
    """The type of each professional of the answers, read as one column: not the professional itself, which the
    session would load again (with its six collections) for every answer of a batch, holding it only weakly."""
    kinds: dict[int, str] = {}
    for reservation in answered:
        if reservation.mandataire_id not in kinds:
            kinds[reservation.mandataire_id] = session.execute(
                select(Mandataire.type).where(Mandataire.id == reservation.mandataire_id)
            ).scalar_one()
    return kinds


def _count_months(session: Session, answered: list[Reservation], kinds: dict[int, str]) -> None:
    """Add the answers to their month's counters and the accepted ones' delays to the histograms, each table's
    keys in order."""
    months: dict[tuple[date, int, str], Counter[str]] = defaultdict(Counter)
    delays: Counter[tuple[date, int, str, int]] = Counter()
    for reservation in answered:
        assert reservation.answered_at is not None  # filtered by the caller
        kind = kinds[reservation.mandataire_id]
        month = reservation.answered_at.date().replace(day=1)  # aware UTC: the UTC month
        months[(month, reservation.tribunal_id, kind)][MONTH_COLUMN[ReservationStatut(reservation.statut)]] += 1
        if reservation.statut == ReservationStatut.ACCEPTEE:
            waited = tenths_waited(reservation.created_at, reservation.answered_at)
            delays[(month, reservation.tribunal_id, kind, waited)] += 1
    month_keys = ["mois", "tribunal_id", "type"]
    rows = [
        dict(zip(month_keys, key, strict=True), **{column: counts[column] for column in MONTH_COLUMN.values()})
        for key, counts in sorted(months.items())
    ]
    add_to_counters(session, ReservationsMois, month_keys, rows)
    delay_keys = ["mois", "tribunal_id", "type", "dixiemes"]
    rows = [dict(zip(delay_keys, key, strict=True), reservations=n) for key, n in sorted(delays.items())]
    add_to_counters(session, DelaiAcceptation, delay_keys, rows)
    national: Counter[tuple[date, str, int]] = Counter()
    for (month, _, kind, waited), n in delays.items():
        national[(month, kind, waited)] += n
    national_keys = ["mois", "type", "dixiemes"]
    rows = [dict(zip(national_keys, key, strict=True), reservations=n) for key, n in sorted(national.items())]
    add_to_counters(session, DelaiAcceptationNational, national_keys, rows)


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
    recount_months(connection)


def monthly_recount_queries():
    """The monthly counters recounted from the reservations: (model, its columns, the GROUP BY giving them)."""
    month = month_of(Reservation.answered_at)
    answered = (Reservation.answered_at.is_not(None),)
    per_month = (
        select(
            month,
            Reservation.tribunal_id,
            Mandataire.type,
            *(func.sum(case((Reservation.statut == statut.value, 1), else_=0)) for statut in MONTH_COLUMN),
        )
        .join(Mandataire, Mandataire.id == Reservation.mandataire_id)
        .where(Reservation.statut.in_([s.value for s in COUNTED]), *answered)
        .group_by(month, Reservation.tribunal_id, Mandataire.type)
    )
    waited = tenths_between(Reservation.created_at, Reservation.answered_at)
    accepted = (Reservation.statut == ReservationStatut.ACCEPTEE, *answered)
    delays = (
        select(month, Reservation.tribunal_id, Mandataire.type, waited, func.count())
        .join(Mandataire, Mandataire.id == Reservation.mandataire_id)
        .where(*accepted)
        .group_by(month, Reservation.tribunal_id, Mandataire.type, waited)
    )
    national = (
        select(month, Mandataire.type, waited, func.count())
        .join(Mandataire, Mandataire.id == Reservation.mandataire_id)
        .where(*accepted)
        .group_by(month, Mandataire.type, waited)
    )
    return (
        (ReservationsMois, ["mois", "tribunal_id", "type", *MONTH_COLUMN.values()], per_month),
        (DelaiAcceptation, ["mois", "tribunal_id", "type", "dixiemes", "reservations"], delays),
        (DelaiAcceptationNational, ["mois", "type", "dixiemes", "reservations"], national),
    )


def recount_months(connection: Session | Connection) -> None:
    """Rebuild the monthly counters from the reservations (with `recount_answers`)."""
    for model, columns, query in monthly_recount_queries():
        connection.execute(delete(model))
        connection.execute(insert(model).from_select(columns, query))
