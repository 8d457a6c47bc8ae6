"""Queries of the professionals' batches: the measures a batch names, their pending reservations, the
professional with what a batch reads. Keys are sent in chunks of 500 (bound parameters stay few on SQLite)."""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, selectinload

from app.designation.constants import ReservationStatut
from app.designation.models import Reservation
from app.registry.models import Mandataire, Mesure, MesureEtat, MesureRessource

CHUNK = 500


def pending_reservations(session: Session, mesure_ids: Iterable[int]) -> set[int]:
    """The ids, among `mesure_ids`, of measures a judge reserved and whose professional has not answered."""
    ids = list(mesure_ids)
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(
            session.scalars(
                select(Reservation.mesure_id).where(
                    Reservation.mesure_id.in_(ids[start : start + CHUNK]),
                    Reservation.statut == ReservationStatut.EN_ATTENTE,
                )
            )
        )
    return found


def stored_measures(
    session: Session, keys: Iterable[tuple[int, str]], compared: Sequence[str]
) -> dict[tuple[int, str], Any]:
    """The stored rows (Core rows: id, keys, owner, version, entry time and the `compared` columns) of the
    measures named by (tribunal id, numero_rg)."""
    table = Mesure.__table__
    columns = [table.c.id, table.c.tribunal_id, table.c.numero_rg, table.c.mandataire_id, table.c.version]
    columns.append(table.c.created_at)  # when a measure without a date was designated (recent designations)
    columns += [table.c[name] for name in compared]
    by_tribunal: dict[int, list[str]] = {}
    for tribunal_id, numero_rg in keys:
        by_tribunal.setdefault(tribunal_id, []).append(numero_rg)
    found = {}
    for tribunal_id, numbers in by_tribunal.items():
        for start in range(0, len(numbers), CHUNK):
            chunk = numbers[start : start + CHUNK]
            query = select(*columns).where(table.c.tribunal_id == tribunal_id, table.c.numero_rg.in_(chunk))
            found.update({(row.tribunal_id, row.numero_rg): row for row in session.execute(query).all()})
    return found


def mandataire_for_batches(session: Session, mandataire_id: int) -> Mandataire | None:
    """The professional with what a batch reads (title, sites), not its whole profile."""
    return session.scalar(
        select(Mandataire)
        .where(Mandataire.id == mandataire_id)
        .options(lazyload("*"), selectinload(Mandataire.natures), selectinload(Mandataire.sites))
    )


ETAT_COLUMNS = (
    "date_changement_etat",
    "nature_mesure",
    "champ_mesure",
    "lieu_vie",
    "code_postal",
    "ville",
    "pays",
    "type_etablissement",
    "etablissement_siret",
)
RESSOURCE_COLUMNS = ("annee", "niveau_ressource", "prestations_sociales")


def stored_histories(session: Session, mesure_ids: Iterable[int]) -> dict[int, tuple[list[tuple], list[tuple]]]:
    """Measure id -> (its states, its resources), each a tuple of `ETAT_COLUMNS` / `RESSOURCE_COLUMNS`, in id
    order (the order they were written in)."""
    ids = list(mesure_ids)
    found: dict[int, tuple[list[tuple], list[tuple]]] = {mesure_id: ([], []) for mesure_id in ids}
    etats, ressources = MesureEtat.__table__, MesureRessource.__table__
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = select(etats.c.mesure_id, *(etats.c[n] for n in ETAT_COLUMNS)).where(etats.c.mesure_id.in_(chunk))
        for row in session.execute(query.order_by(etats.c.id)):
            found[row[0]][0].append(tuple(row[1:]))
        query = select(ressources.c.mesure_id, *(ressources.c[n] for n in RESSOURCE_COLUMNS))
        for row in session.execute(query.where(ressources.c.mesure_id.in_(chunk)).order_by(ressources.c.id)):
            found[row[0]][1].append((row[1], row[2], tuple(row[3] or ())))
    return found
