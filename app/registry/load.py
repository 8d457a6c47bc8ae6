"""The one load-update path: every change of a measure moves its professional's and site's counters, and its
professional's counters per département where it works (`ChargeDepartement`), here, with SQL increments in the
caller's transaction, so concurrent changes never overwrite each other and the counters can never drift from the
measures (a property test recounts them after random sequences).

The invariant: a professional's (and a site's) counters equal the sum of the shares of its measures in progress
or pending, plus the places held for it by pending transfers (a measure handed over stays with the former
professional until the new one accepts; `app.designation.service.transfer_hold`). Its counters per département
equal a count of the same measures (holds are no measures) by the département of their antenne, else of their
tribunal; a site that moves to another département recounts its professional's (`recount_departements`).

A professional's recent designations (`designations_recentes`, the matching's equity criterion) are its measures,
whatever their status, designated in the last RECENT_DESIGNATION_DAYS: from the judgement's date, else (a
reservation not accepted yet) from their entry. The count is exact at any instant from `designations_recentes_depuis`
until `designations_recentes_jusqu_au`: a change moves it at the instant it is made and brings the end back to when
the measure added leaves the window; a recount sets the end at its oldest designation's leaving, a day later at
most (RECENT_COUNT_HOLDS). Outside (a clock behind the last change, the window moved past a counted designation, a
day gone by), readers count the measures themselves, and a scheduled job recounts
(`recount_stale_recent_designations`).

Lock order (PostgreSQL takes row locks as a transaction writes; two transactions that take the same rows in
opposite orders deadlock). Every unit of work that changes measures locks, in this order:
1. the reservation it answers or creates (`SELECT … FOR UPDATE`: answers, cancellation, expiry by id);
2. the measures it changes: read `FOR UPDATE` before a change (`get_writable_mesure`), written (inserted,
   updated or deleted) before any counter moves;
3. last, the counters, through this module only: professionals, then sites, each by id, then the counters per
   département by (professional, département, status) (`_write_deltas`).
A request that still loses a deadlock is replayed whole (`app.dependencies.RetryTransactions`); on SQLite every
writer holds the database's write lock from its first statement (`app.database.begin_write`)."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Connection, bindparam, case, delete, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.database import rowcount, table_of, utcnow
from app.geo.models import Tribunal
from app.registry.constants import (
    ACTIVE_STATUTS,
    FAR_FUTURE,
    RECENT_COUNT_HOLDS,
    RECENT_DESIGNATION_DAYS,
    MesureStatut,
    Nature,
)
from app.registry.exceptions import NoFreePlace
from app.registry.models import ChargeDepartement, Mandataire, Mesure, Site

COUNT_COLUMN: dict[str, str] = {
    MesureStatut.EN_COURS: "mesures_en_cours",
    MesureStatut.EN_ATTENTE: "mesures_en_attente",
}
LOAD_COLUMN: dict[str, str] = {MesureStatut.EN_COURS: "charge_en_cours", MesureStatut.EN_ATTENTE: "charge_en_attente"}


# Column increments per counter row: (professional or site table, row id) → {column: delta}.
Deltas = dict[tuple[type[Mandataire] | type[Site], int], dict[str, float]]
# Increments per (professional, département where it works, status): [measures, of which tutelles].
DepartementDeltas = dict[tuple[int, str, str], list[int]]
# Per professional: the change of its recent designations, and the earliest instant one it gains leaves the window.
RecentDeltas = dict[int, tuple[int, datetime | None]]

RECENT_WINDOW = timedelta(days=RECENT_DESIGNATION_DAYS)


def designation_expiry(date_nomination: date | None, created_at: datetime) -> datetime:
    """The instant from which a measure no longer counts among its professional's recent designations: the end of
    its designation day (UTC) plus the window, or, without a date yet, its entry plus the window. A measure counts
    at `now` when `now` is before it; `RECENT_DESIGNATIONS` counts the same way in SQL."""
    if date_nomination is None:
        return created_at + RECENT_WINDOW
    if date_nomination >= (FAR_FUTURE - RECENT_WINDOW).date():
        return FAR_FUTURE
    return datetime.combine(date_nomination + timedelta(days=1), time(), UTC) + RECENT_WINDOW


@dataclass(frozen=True, slots=True)
class LoadShare:
    """What one measure adds to the counters: a place (and its weight) while it is in progress or pending, and a
    recent designation until `designation_expiry`. Its tribunal (and its site) place it in a département; a place
    held by a pending transfer (`tribunal_id` None, no expiry) is no measure: it moves the professional's and
    site's places only."""

    mandataire_id: int
    site_id: int | None
    statut: str
    poids: float
    tribunal_id: int | None
    tutelle: bool
    designation_expiry: datetime | None = None

    @property
    def holds_place(self) -> bool:
        return self.statut in ACTIVE_STATUTS

    @classmethod
    def of(cls, mesure: Mesure) -> "LoadShare":
        """The share of a stored measure (flushed: its entry time is known)."""
        return cls.of_values(
            mesure.mandataire_id,
            mesure.tribunal_id,
            mesure.site_id,
            mesure.statut,
            mesure.nature,
            mesure.poids,
            date_nomination=mesure.date_nomination,
            created_at=mesure.created_at,
        )

    @classmethod
    def of_values(
        cls,
        mandataire_id: int,
        tribunal_id: int,
        site_id: int | None,
        statut: str,
        nature: str,
        poids: float,
        *,
        date_nomination: date | None,
        created_at: datetime,
    ) -> "LoadShare":
        """The share of a measure given as column values (bulk writes that hold no `Mesure` objects)."""
        expiry = designation_expiry(date_nomination, created_at)
        return cls(mandataire_id, site_id, statut, poids, tribunal_id, nature == Nature.TUTELLE, expiry)


def apply_load_change(
    session: Session, before: LoadShare | None, after: LoadShare | None, *, guard_capacity: bool = False
) -> None:
    """Move the counters from `before` to `after`. With `guard_capacity`, the professional's increment is
    conditional on a free place (and the antenne's, when it has its own capacity) in the same statement, so two
    concurrent reservations can never take the same last place; `NoFreePlace` is raised when none is left."""
    if before == after:
        return
    _write_deltas(session, [(before, after)], guard_capacity=guard_capacity)


def apply_load_changes(session: Session, changes: Iterable[tuple[LoadShare | None, LoadShare | None]]) -> None:
    """Batch form of `apply_load_change` (bulk measures): the moves of many measures are summed into one
    increment per professional and per site, written in a fixed order (no deadlock between concurrent batches)."""
    _write_deltas(session, list(changes), guard_capacity=False)


def _departement(session: Session, site_id: int | None, tribunal_id: int) -> str:
    """Where a measure is worked: the département of its antenne, else of its tribunal (rows the unit of work
    has already loaded come from the session, without a query)."""
    site = session.get(Site, site_id) if site_id is not None else None
    return site.departement if site is not None else session.get_one(Tribunal, tribunal_id).departement


def _deltas(
    session: Session, changes: Iterable[tuple[LoadShare | None, LoadShare | None]]
) -> tuple[Deltas, DepartementDeltas]:
    deltas: Deltas = defaultdict(lambda: defaultdict(float))
    by_departement: DepartementDeltas = defaultdict(lambda: [0, 0])
    # A batch's measures share a few (antenne, tribunal) pairs: each is looked up once, not once per measure (a
    # tribunal the session does not hold would be read again for every measure).
    departements: dict[tuple[int | None, int], str] = {}
    for before, after in changes:
        if before == after:
            continue
        for share, sign in ((before, -1), (after, 1)):
            if share is None or not share.holds_place:
                continue
            targets = [(Mandataire, share.mandataire_id)] + ([(Site, share.site_id)] if share.site_id else [])
            for target in targets:
                deltas[target][COUNT_COLUMN[share.statut]] += sign
                deltas[target][LOAD_COLUMN[share.statut]] += sign * share.poids
            if share.tribunal_id is not None:
                where = (share.site_id, share.tribunal_id)
                if where not in departements:
                    departements[where] = _departement(session, *where)
                key = (share.mandataire_id, departements[where], str(share.statut))
                by_departement[key][0] += sign
                by_departement[key][1] += sign * share.tutelle
    return deltas, by_departement


def _recent_deltas(changes: Sequence[tuple[LoadShare | None, LoadShare | None]], now: datetime) -> RecentDeltas:
    """The recent designations the changes move at `now`: a measure that left the window moves nothing (it was
    no longer counted, or the count no longer holds); one whose share is the same before and after, nothing."""
    moves: Counter[tuple[int, datetime]] = Counter()
    for before, after in changes:
        for share, sign in ((before, -1), (after, 1)):
            if share is not None and share.designation_expiry is not None and now < share.designation_expiry:
                moves[(share.mandataire_id, share.designation_expiry)] += sign
    recent: RecentDeltas = {}
    for (mandataire_id, expiry), moved in sorted(moves.items()):  # by expiry within a professional
        if moved:
            count, earliest = recent.get(mandataire_id, (0, None))
            recent[mandataire_id] = (count + moved, expiry if moved > 0 and earliest is None else earliest)
    return recent


def _recent_values(count: int, earliest: datetime | None, now: datetime) -> dict[str, ColumnElement]:
    """The professional's recent designations moved by `count` at `now`, in SQL on the row as stored (concurrent
    changes add up). The count held at `now` when it held from an earlier instant and still holds: it then holds
    from `now`, until the earlier of its end and `earliest`; else it no longer holds until recounted (a clock
    behind the last change's must not read a count made later)."""
    depuis, jusqu_au = Mandataire.designations_recentes_depuis, Mandataire.designations_recentes_jusqu_au
    at_now = literal(now, depuis.type)
    held = jusqu_au.is_not(None) & (depuis <= at_now)
    until: ColumnElement[datetime | None] = jusqu_au.expression
    if earliest is not None:
        new_end = literal(earliest, jusqu_au.type)
        until = case((jusqu_au > new_end, new_end), else_=jusqu_au)
    return {
        "designations_recentes": Mandataire.designations_recentes + count,
        "designations_recentes_depuis": case((held, at_now), else_=depuis),
        "designations_recentes_jusqu_au": case((held, until), else_=None),
    }


def _write_deltas(
    session: Session, changes: Sequence[tuple[LoadShare | None, LoadShare | None]], *, guard_capacity: bool
) -> None:
    deltas, by_departement = _deltas(session, changes)
    now = utcnow()
    recent = _recent_deltas(changes, now)
    rows = set(deltas) | {(Mandataire, mandataire_id) for mandataire_id in recent}
    for model, row_id in sorted(rows, key=lambda row: (row[0].__name__, row[1])):
        values: dict[str, object] = {
            column: getattr(model, column) + (int(delta) if column.startswith("mesures") else delta)
            for column, delta in deltas.get((model, row_id), {}).items()
            if delta
        }
        # Only a place taken is guarded: a closed measure entered moves the recent designations alone.
        guarded = guard_capacity and bool(values)
        if model is Mandataire and row_id in recent:
            values |= _recent_values(*recent[row_id], now=now)
        if not values:
            continue
        statement = update(model).where(model.id == row_id)
        if guarded:
            held = model.mesures_en_cours + model.mesures_en_attente
            statement = statement.where(model.capacite.is_(None) | (held < model.capacite))
        result = session.execute(statement.values(**values).execution_options(synchronize_session="fetch"))
        if guarded and rowcount(result) != 1:
            raise NoFreePlace()
    _write_departement_deltas(session, by_departement)


def _write_departement_deltas(session: Session, deltas: DepartementDeltas) -> None:
    """One upsert per (professional, département, status), in key order: an increment that never reads the row,
    so concurrent changes add up; a row that falls to zero stays (readers skip it)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = table_of(ChargeDepartement)
    for (mandataire_id, departement, statut), (mesures, tutelles) in sorted(deltas.items()):
        if not mesures and not tutelles:
            continue
        statement = dialect.insert(table).values(
            mandataire_id=mandataire_id, departement=departement, statut=statut, mesures=mesures, tutelles=tutelles
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.mandataire_id, table.c.departement, table.c.statut],
                set_={
                    "mesures": table.c.mesures + statement.excluded.mesures,
                    "tutelles": table.c.tutelles + statement.excluded.tutelles,
                },
            )
        )


def recount_departements(session: Session | Connection, mandataire_ids: Iterable[int] | None = None) -> None:
    """Rebuild the counters per département of these professionals (all when None) from their measures, in the
    caller's transaction: for the rare changes that move many measures at once (a site moved to another
    département) and for bulk loads (the demo). The caller holds the professionals' rows (lock order: the
    professional's row before its counters), so no change of their measures interleaves."""
    table = table_of(ChargeDepartement)
    departement = func.coalesce(Site.departement, Tribunal.departement)
    counts = (
        select(
            Mesure.mandataire_id,
            departement,
            Mesure.statut,
            func.count(),
            func.sum(case((Mesure.nature == Nature.TUTELLE, 1), else_=0)),
        )
        .join(Tribunal, Tribunal.id == Mesure.tribunal_id)
        .outerjoin(Site, Site.id == Mesure.site_id)
        .where(Mesure.statut.in_([str(s) for s in ACTIVE_STATUTS]))
        .group_by(Mesure.mandataire_id, departement, Mesure.statut)
    )
    clear = delete(table)
    if mandataire_ids is not None:
        ids = sorted(set(mandataire_ids))
        counts = counts.where(Mesure.mandataire_id.in_(ids))
        clear = clear.where(table.c.mandataire_id.in_(ids))
    session.execute(clear)
    session.execute(
        insert(table).from_select(["mandataire_id", "departement", "statut", "mesures", "tutelles"], counts)
    )


# What readers take for a professional's recent designations at `now` (bind `recent_designation_params(now)`):
# the count kept above while it holds, else a count of its measures. The measures are counted in two disjoint
# counts rather than one OR: each is a range scan of ix_mesure_mandataire_date_nomination on SQLite and PostgreSQL,
# where the OR scans all of a professional's measures.
_DESIGNATED = (
    select(func.count())
    .where(Mesure.mandataire_id == Mandataire.id, Mesure.date_nomination >= bindparam("since_day"))
    .scalar_subquery()
)
_ENTERED_UNDATED = (
    select(func.count())
    .where(
        Mesure.mandataire_id == Mandataire.id,
        Mesure.date_nomination.is_(None),
        Mesure.created_at > bindparam("since"),
    )
    .scalar_subquery()
)
_HOLDS = (Mandataire.designations_recentes_depuis <= bindparam("now")) & (
    Mandataire.designations_recentes_jusqu_au > bindparam("now")
)
RECENT_DESIGNATIONS = case((_HOLDS, Mandataire.designations_recentes), else_=_DESIGNATED + _ENTERED_UNDATED)


def recent_designation_params(now: datetime) -> dict[str, object]:
    since = now - RECENT_WINDOW
    return {"now": now, "since": since, "since_day": since.date()}


def recount_recent_designations(
    session: Session | Connection, *, now: datetime, mandataire_ids: Iterable[int] | None = None
) -> int:
    """Recount the recent designations of these professionals (all when None) from their measures, exact at `now`,
    in the caller's transaction: each count then holds from `now` until its earliest designation leaves the window,
    a day at most. The caller holds the professionals' rows (`recount_stale_recent_designations`), or writes them
    alone (bulk loads), so that no change of their measures interleaves. Returns how many professionals were
    recounted."""
    ids = sorted(set(mandataire_ids)) if mandataire_ids is not None else list(session.scalars(select(Mandataire.id)))
    if not ids:
        return 0
    since, until = now - RECENT_WINDOW, now + RECENT_COUNT_HOLDS
    counts: dict[int, list] = defaultdict(lambda: [0, until])
    dated = (
        select(Mesure.mandataire_id, func.count(), func.min(Mesure.date_nomination))
        .where(Mesure.date_nomination >= since.date())
        .group_by(Mesure.mandataire_id)
    )
    undated = (
        select(Mesure.mandataire_id, func.count(), func.min(Mesure.created_at))
        .where(Mesure.date_nomination.is_(None), Mesure.created_at > since)
        .group_by(Mesure.mandataire_id)
    )
    for mandataire_id, count, oldest_day in session.execute(dated):
        counts[mandataire_id] = [count, min(until, designation_expiry(oldest_day, now))]
    for mandataire_id, count, oldest_entry in session.execute(undated):
        found = counts[mandataire_id]
        found[0] += count
        found[1] = min(found[1], designation_expiry(None, oldest_entry))
    table = table_of(Mandataire)
    stamp = table.c.designations_recentes_depuis.type
    session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            designations_recentes=bindparam("b_count"),
            designations_recentes_depuis=bindparam("b_from", type_=stamp),
            designations_recentes_jusqu_au=bindparam("b_until", type_=stamp),
            updated_at=table.c.updated_at,  # a count kept up to date is no change of the professional
        ),
        [
            {
                "b_id": mandataire_id,
                "b_count": counts[mandataire_id][0],
                "b_from": now,
                "b_until": counts[mandataire_id][1],
            }
            for mandataire_id in ids
        ],
    )
    return len(ids)


def recount_stale_recent_designations(session: Session, *, now: datetime) -> int:
    """Recount the professionals whose count of recent designations does not hold at `now` (a designation left
    the window, a clock behind, a database migrated), their rows locked first, by id (the lock order above). Rows a
    writer holds are skipped, not waited for (the next run recounts them): a route that locked a professional
    before its counters can never deadlock with this job."""
    depuis, jusqu_au = Mandataire.designations_recentes_depuis, Mandataire.designations_recentes_jusqu_au
    stale = (
        select(Mandataire.id)
        .where(jusqu_au.is_(None) | depuis.is_(None) | (jusqu_au <= now) | (depuis > now))
        .order_by(Mandataire.id)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(stale))
    return recount_recent_designations(session, now=now, mandataire_ids=ids) if ids else 0
