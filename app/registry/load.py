"""The one load-update path: every change of a measure moves its professional's and site's counters here,
with SQL increments in the caller's transaction, so concurrent changes never overwrite each other and the
counters can never drift from the measures (a property test recounts them after random sequences).

The invariant: a professional's (and a site's) counters equal the sum of the shares of its measures in progress
or pending, plus the places held for it by pending transfers (a measure handed over stays with the former
professional until the new one accepts; `app.designation.service.transfer_hold`).

Lock order (PostgreSQL takes row locks as a transaction writes; two transactions that take the same rows in
opposite orders deadlock). Every unit of work that changes measures locks, in this order:
1. the reservation it answers or creates (`SELECT … FOR UPDATE`: answers, cancellation, expiry by id);
2. the measures it changes: read `FOR UPDATE` before a change (`get_writable_mesure`), written (inserted,
   updated or deleted) before any counter moves;
3. last, the counters, through this module only: professionals, then sites, each by id (`_write_deltas`).
A request that still loses a deadlock is replayed whole (`app.dependencies.RetryTransactions`); on SQLite every
writer holds the database's write lock from its first statement (`app.database.begin_write`)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.database import rowcount
from app.registry.constants import ACTIVE_STATUTS, MesureStatut
from app.registry.exceptions import NoFreePlace
from app.registry.models import Mandataire, Mesure, Site

COUNT_COLUMN = {MesureStatut.EN_COURS: "mesures_en_cours", MesureStatut.EN_ATTENTE: "mesures_en_attente"}
LOAD_COLUMN = {MesureStatut.EN_COURS: "charge_en_cours", MesureStatut.EN_ATTENTE: "charge_en_attente"}


# Column increments per counter row: (professional or site table, row id) → {column: delta}.
Deltas = dict[tuple[type[Mandataire] | type[Site], int], dict[str, float]]


@dataclass(frozen=True, slots=True)
class LoadShare:
    """What one measure adds to the counters: nothing unless it holds capacity."""

    mandataire_id: int
    site_id: int | None
    statut: MesureStatut
    poids: float

    @classmethod
    def of(cls, mesure: Mesure) -> "LoadShare | None":
        if mesure.statut not in ACTIVE_STATUTS:
            return None
        return cls(mesure.mandataire_id, mesure.site_id, MesureStatut(mesure.statut), mesure.poids)


def apply_load_change(
    session: Session, before: LoadShare | None, after: LoadShare | None, *, guard_capacity: bool = False
) -> None:
    """Move the counters from `before` to `after`. With `guard_capacity`, the professional's increment is
    conditional on a free place (and the antenne's, when it has its own capacity) in the same statement, so two
    concurrent reservations can never take the same last place; `NoFreePlace` is raised when none is left."""
    if before == after:
        return
    _write_deltas(session, _deltas([(before, after)]), guard_capacity=guard_capacity)


def apply_load_changes(session: Session, changes: Iterable[tuple[LoadShare | None, LoadShare | None]]) -> None:
    """Batch form of `apply_load_change` (bulk measures): the moves of many measures are summed into one
    increment per professional and per site, written in a fixed order (no deadlock between concurrent batches)."""
    _write_deltas(session, _deltas(changes), guard_capacity=False)


def _deltas(changes: Iterable[tuple[LoadShare | None, LoadShare | None]]) -> Deltas:
    deltas: Deltas = defaultdict(lambda: defaultdict(float))
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
    return deltas


def _write_deltas(session: Session, deltas: Deltas, *, guard_capacity: bool) -> None:
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
