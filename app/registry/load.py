"""The one load-update path: every change of a measure moves its professional's and site's counters, and its
professional's counters per département where it works (`ChargeDepartement`), here, with SQL increments in the
caller's transaction, so concurrent changes never overwrite each other and the counters can never drift from the
measures (a property test recounts them after random sequences).

The invariant: a professional's (and a site's) counters equal the sum of the shares of its measures in progress
or pending, plus the places held for it by pending transfers (a measure handed over stays with the former
professional until the new one accepts; `app.designation.service.transfer_hold`). Its counters per département
equal a count of the same measures (holds are no measures) by the département of their antenne, else of their
tribunal; a site that moves to another département recounts its professional's (`recount_departements`).

Lock order (PostgreSQL takes row locks as a transaction writes; two transactions that take the same rows in
opposite orders deadlock). Every unit of work that changes measures locks, in this order:
1. the reservation it answers or creates (`SELECT … FOR UPDATE`: answers, cancellation, expiry by id);
2. the measures it changes: read `FOR UPDATE` before a change (`get_writable_mesure`), written (inserted,
   updated or deleted) before any counter moves;
3. last, the counters, through this module only: professionals, then sites, each by id, then the counters per
   département by (professional, département, status) (`_write_deltas`).
A request that still loses a deadlock is replayed whole (`app.dependencies.RetryTransactions`); on SQLite every
writer holds the database's write lock from its first statement (`app.database.begin_write`)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.database import rowcount, table_of
from app.geo.models import Tribunal
from app.registry.constants import ACTIVE_STATUTS, MesureStatut, Nature
from app.registry.exceptions import NoFreePlace
from app.registry.models import ChargeDepartement, Mandataire, Mesure, Site

COUNT_COLUMN = {MesureStatut.EN_COURS: "mesures_en_cours", MesureStatut.EN_ATTENTE: "mesures_en_attente"}
LOAD_COLUMN = {MesureStatut.EN_COURS: "charge_en_cours", MesureStatut.EN_ATTENTE: "charge_en_attente"}


# Column increments per counter row: (professional or site table, row id) → {column: delta}.
Deltas = dict[tuple[type[Mandataire] | type[Site], int], dict[str, float]]
# Increments per (professional, département where it works, status): [measures, of which tutelles].
DepartementDeltas = dict[tuple[int, str, str], list[int]]


@dataclass(frozen=True, slots=True)
class LoadShare:
    """What one measure adds to the counters: nothing unless it holds capacity. Its tribunal (and its site) place
    it in a département; a place held by a pending transfer (`tribunal_id` None) is no measure: it moves the
    professional's and site's counters only."""

    mandataire_id: int
    site_id: int | None
    statut: MesureStatut
    poids: float
    tribunal_id: int | None
    tutelle: bool

    @classmethod
    def of(cls, mesure: Mesure) -> "LoadShare | None":
        return cls.of_values(
            mesure.mandataire_id, mesure.tribunal_id, mesure.site_id, mesure.statut, mesure.nature, mesure.poids
        )

    @classmethod
    def of_values(
        cls, mandataire_id: int, tribunal_id: int, site_id: int | None, statut: str, nature: str, poids: float
    ) -> "LoadShare | None":
        """The share of a measure given as column values (bulk writes that hold no `Mesure` objects)."""
        if statut not in ACTIVE_STATUTS:
            return None
        return cls(mandataire_id, site_id, MesureStatut(statut), poids, tribunal_id, nature == Nature.TUTELLE)


def apply_load_change(
    session: Session, before: LoadShare | None, after: LoadShare | None, *, guard_capacity: bool = False
) -> None:
    """Move the counters from `before` to `after`. With `guard_capacity`, the professional's increment is
    conditional on a free place (and the antenne's, when it has its own capacity) in the same statement, so two
    concurrent reservations can never take the same last place; `NoFreePlace` is raised when none is left."""
    if before == after:
        return
    _write_deltas(session, *_deltas(session, [(before, after)]), guard_capacity=guard_capacity)


def apply_load_changes(session: Session, changes: Iterable[tuple[LoadShare | None, LoadShare | None]]) -> None:
    """Batch form of `apply_load_change` (bulk measures): the moves of many measures are summed into one
    increment per professional and per site, written in a fixed order (no deadlock between concurrent batches)."""
    _write_deltas(session, *_deltas(session, changes), guard_capacity=False)


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
            if share is None:
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


def _write_deltas(session: Session, deltas: Deltas, by_departement: DepartementDeltas, *, guard_capacity: bool) -> None:
    for (model, row_id), changes in sorted(deltas.items(), key=lambda item: (item[0][0].__name__, item[0][1])):
        values = {
            column: getattr(model, column) + (int(delta) if column.startswith("mesures") else delta)
            for column, delta in changes.items()
            if delta
        }
        if not values:
            continue
        statement = update(model).where(model.id == row_id)
        if guard_capacity:
            held = model.mesures_en_cours + model.mesures_en_attente
            statement = statement.where(model.capacite.is_(None) | (held < model.capacite))
        result = session.execute(statement.values(**values).execution_options(synchronize_session="fetch"))
        if guard_capacity and rowcount(result) != 1:
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
