"""The one yearly-statistics path: every change of a measure moves the yearly counters
(`MesureEvenementAnnuel`) here, with SQL increments in the caller's transaction, so concurrent changes never
overwrite each other and the yearly tables (stock at 31 December, openings, ends by cause) read a few thousand
counters instead of scanning the register. A property test recounts them from the measures after random
sequences of writes.

The invariant: for every (département of the tribunal, type of the professional, nature, year), the counters
equal the events of the measures a judge designated (`date_nomination` known, not pending):
- `ouverture` in the year of the nomination;
- `fin` in the year of the end date, by exit cause ('' when none);
- `sortie` in the year the measure leaves the stock: that of its end date, never before the year of its
  nomination; for a measure ended without end date, the year of its nomination (it is in no stock).
The stock at 31 December of year Y is then Σ `ouverture` − Σ `sortie` of the years up to Y.

The counters of each service (`MesureServiceAnnuel`, for the measures per ETP of services), moved by the same
changes: for every professional of type service, département of the tribunal, nature and year, `ouvertures` and
`sorties` equal the `ouverture` and `sortie` events above of that service's designated measures. A service's stock
at 31 December of year Y, over all its territories and natures or any part of them, is Σ `ouvertures` − Σ
`sorties` of its rows of the years up to Y.

Lock order (see `app.registry.load`): the measures are written first, then the load counters, then these
counters, in the order of their keys (`_write_deltas`), and last the services' counters, in the order of theirs
(`_write_service_deltas`), so two batches never take them in opposite orders.
A tribunal's département and a professional's type never change: they are read when a change is applied.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, case, cast, delete, extract, func, insert, literal, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.geo.models import Tribunal
from app.registry.constants import MandataireType, MesureStatut
from app.registry.models import Mandataire, Mesure, MesureEvenementAnnuel, MesureServiceAnnuel


class Evenement(StrEnum):
    OUVERTURE = "ouverture"
    FIN = "fin"
    SORTIE = "sortie"


FIELDS = ("nature", "date_nomination", "date_fin_mesure", "cause_sortie", "statut")
# (département, type, année, événement, cause, nature) → count: the table's key, in its order.
Key = tuple[str, str, int, str, str, str]
# (service, année, département, nature) → [ouvertures, sorties]: the services' counters' key, in its order.
ServiceKey = tuple[int, int, str, str]


@dataclass(frozen=True, slots=True)
class YearlyShare:
    """What one measure adds to the yearly counters: nothing unless a judge designated it."""

    tribunal_id: int
    mandataire_id: int
    nature: str
    date_nomination: date
    date_fin_mesure: date | None
    cause_sortie: str | None
    eteinte: bool

    @classmethod
    def of(cls, mesure: Mesure) -> "YearlyShare | None":
        return cls.of_values(mesure.tribunal_id, mesure.mandataire_id, {name: getattr(mesure, name) for name in FIELDS})

    @classmethod
    def of_values(cls, tribunal_id: int, mandataire_id: int, values: Mapping[Any, Any]) -> "YearlyShare | None":
        """From a measure's column values (a batch's planned row or a stored Core row's mapping)."""
        if values["date_nomination"] is None or values["statut"] == MesureStatut.EN_ATTENTE:
            return None
        return cls(
            tribunal_id,
            mandataire_id,
            values["nature"],
            values["date_nomination"],
            values["date_fin_mesure"],
            values["cause_sortie"],
            values["statut"] == MesureStatut.ETEINTE,
        )

    def events(self, *, until: date | None = None) -> list[tuple[int, Evenement, str]]:
        """(year, event, cause) of the measure; with `until`, as known at the end of that day (the yearly tables
        count the current year up to today): a later nomination opens nothing, a later end ends nothing."""
        opened = until is None or self.date_nomination <= until
        ended = self.date_fin_mesure
        if ended is not None and until is not None and ended > until:
            return [(self.date_nomination.year, Evenement.OUVERTURE, "")] if opened else []
        found = [(self.date_nomination.year, Evenement.OUVERTURE, "")] if opened else []
        if ended is not None:
            found.append((ended.year, Evenement.FIN, self.cause_sortie or ""))
            if opened:
                found.append((max(ended.year, self.date_nomination.year), Evenement.SORTIE, ""))
        elif self.eteinte and opened:
            found.append((self.date_nomination.year, Evenement.SORTIE, ""))
        return found


Change = tuple[YearlyShare | None, YearlyShare | None]


def apply_yearly_change(session: Session, before: YearlyShare | None, after: YearlyShare | None) -> None:
    """Move the yearly counters from what the measure was (`before`, None when new) to what it is (`after`, None
    when deleted). Call it after the measure is written (and after `app.registry.load`'s counters)."""
    apply_yearly_changes(session, [(before, after)])


def apply_yearly_changes(session: Session, changes: Iterable[Change]) -> None:
    """Batch form: the moves of many measures summed into one increment per counter, written in key order."""
    moved = [(before, after) for before, after in changes if before != after]
    if not moved:
        return
    shares = [share for change in moved for share in change if share is not None]
    tribunaux = select(Tribunal.id, Tribunal.departement).where(Tribunal.id.in_({s.tribunal_id for s in shares}))
    departements = {tribunal_id: departement for tribunal_id, departement in session.execute(tribunaux)}
    mandataires = select(Mandataire.id, Mandataire.type).where(Mandataire.id.in_({s.mandataire_id for s in shares}))
    types = {mandataire_id: kind for mandataire_id, kind in session.execute(mandataires)}
    deltas: dict[Key, int] = defaultdict(int)
    for before, after in moved:
        for share, sign in ((before, -1), (after, 1)):
            if share is None:
                continue
            departement, kind = departements[share.tribunal_id], types[share.mandataire_id]
            for year, evenement, cause in share.events():
                deltas[(departement, kind, year, evenement.value, cause, share.nature)] += sign
    _write_deltas(session, deltas)
    _write_service_deltas(session, _service_deltas(moved, departements, types))


def _write_deltas(session: Session, deltas: Mapping[Key, int]) -> None:
    rows = [dict(zip(KEY_COLUMNS, key, strict=True), nombre=n) for key, n in sorted(deltas.items()) if n]
    _increment(session, MesureEvenementAnnuel, KEY_COLUMNS, rows)


def _increment(session: Session, model: type, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Add each row's counts to the counters of its key (created at zero when missing), rows in key order."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model)
    counted = [name for name in rows[0] if name not in keys]
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: getattr(model, name) + statement.excluded[name] for name in counted},
    )
    session.execute(statement, rows)


KEY_COLUMNS = ("departement", "type", "annee", "evenement", "cause", "nature")


def _service_deltas(
    moved: Iterable[Change], departements: Mapping[int, str], types: Mapping[int, str]
) -> dict[ServiceKey, list[int]]:
    """The moves of the services' counters: the openings and exits of the services' measures."""
    deltas: dict[ServiceKey, list[int]] = defaultdict(lambda: [0, 0])
    for before, after in moved:
        for share, sign in ((before, -1), (after, 1)):
            if share is None or types[share.mandataire_id] != MandataireType.SERVICE:
                continue
            departement = departements[share.tribunal_id]
            for year, evenement, _ in share.events():
                if evenement != Evenement.FIN:
                    key = (share.mandataire_id, year, departement, share.nature)
                    deltas[key][evenement == Evenement.SORTIE] += sign
    return deltas


def _write_service_deltas(session: Session, deltas: Mapping[ServiceKey, list[int]]) -> None:
    rows = [
        dict(zip(SERVICE_KEY_COLUMNS, key, strict=True), ouvertures=opened, sorties=left)
        for key, (opened, left) in sorted(deltas.items())
        if opened or left
    ]
    _increment(session, MesureServiceAnnuel, SERVICE_KEY_COLUMNS, rows)


SERVICE_KEY_COLUMNS = ("mandataire_id", "annee", "departement", "nature")


def _year(column) -> Any:
    return cast(extract("year", column), Integer)


# The measures a judge designated, and the day one leaves the stock: its end, never before its nomination; its
# nomination if it has no end (an ended measure without end date); it leaves only if it has an end or is ended.
DESIGNATED = (Mesure.date_nomination.is_not(None), Mesure.statut != MesureStatut.EN_ATTENTE)
LEAVES = Mesure.date_fin_mesure.is_not(None) | (Mesure.statut == MesureStatut.ETEINTE)


def _left() -> Any:
    return case(
        (Mesure.date_fin_mesure.is_(None), Mesure.date_nomination),
        (Mesure.date_fin_mesure < Mesure.date_nomination, Mesure.date_nomination),
        else_=Mesure.date_fin_mesure,
    )


def recount_query():
    """The counters recounted from the measures, one GROUP BY (the rebuild; the tests compare with it)."""

    def events(year, evenement: Evenement, cause, *conditions):
        return (
            select(
                Tribunal.departement,
                Mandataire.type,
                year.label("annee"),
                literal(evenement.value).label("evenement"),
                cause.label("cause"),
                Mesure.nature,
            )
            .select_from(Mesure)
            .join(Tribunal, Tribunal.id == Mesure.tribunal_id)
            .join(Mandataire, Mandataire.id == Mesure.mandataire_id)
            .where(*DESIGNATED, *conditions)
        )

    each = union_all(
        events(_year(Mesure.date_nomination), Evenement.OUVERTURE, literal("")),
        events(
            _year(Mesure.date_fin_mesure),
            Evenement.FIN,
            func.coalesce(Mesure.cause_sortie, ""),
            Mesure.date_fin_mesure.is_not(None),
        ),
        events(_year(_left()), Evenement.SORTIE, literal(""), LEAVES),
    ).subquery()
    keys = [each.c[name] for name in KEY_COLUMNS]
    return select(*keys, func.count().label("nombre")).group_by(*keys)


def service_recount_query():
    """The services' counters recounted from their measures, one GROUP BY (the rebuild; the tests compare)."""

    def events(year, opened: int, left: int, *conditions):
        return (
            select(
                Mesure.mandataire_id,
                year.label("annee"),
                Tribunal.departement,
                Mesure.nature,
                literal(opened).label("ouvertures"),
                literal(left).label("sorties"),
            )
            .select_from(Mesure)
            .join(Tribunal, Tribunal.id == Mesure.tribunal_id)
            .join(Mandataire, Mandataire.id == Mesure.mandataire_id)
            .where(*DESIGNATED, Mandataire.type == MandataireType.SERVICE, *conditions)
        )

    each = union_all(events(_year(Mesure.date_nomination), 1, 0), events(_year(_left()), 0, 1, LEAVES)).subquery()
    keys = [each.c[name] for name in SERVICE_KEY_COLUMNS]
    return select(
        *keys, func.sum(each.c.ouvertures).label("ouvertures"), func.sum(each.c.sorties).label("sorties")
    ).group_by(*keys)


def rebuild(connection: Connection | Session) -> None:
    """Recount every counter from the measures: after a bulk load that bypasses the write path (the demo)."""
    connection.execute(delete(MesureEvenementAnnuel))
    connection.execute(insert(MesureEvenementAnnuel).from_select([*KEY_COLUMNS, "nombre"], recount_query()))
    connection.execute(delete(MesureServiceAnnuel))
    connection.execute(
        insert(MesureServiceAnnuel).from_select(
            [*SERVICE_KEY_COLUMNS, "ouvertures", "sorties"], service_recount_query()
        )
    )
