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

The same counters summed over the natures, one row per (département, type, year) with a column per event and per
exit cause (`MesuresAnnee`), moved by the same changes: `ouvertures` and `sorties` the sums of the `ouverture` and
`sortie` counters above, `eteintes` that of the `fin` counters whatever their cause, `eteintes_<cause>` that of the
`fin` counters of each exit cause. The yearly table of every nature reads them: a row per territory, type and year.

The counters of each service (`MesureServiceAnnuel`, for the measures per ETP of services), moved by the same
changes: for every professional of type service, département of the tribunal, nature and year, `ouvertures` and
`sorties` equal the `ouverture` and `sortie` events above of that service's designated measures. A service's stock
at 31 December of year Y, over all its territories and natures or any part of them, is Σ `ouvertures` − Σ
`sorties` of its rows of the years up to Y.

Lock order (see `app.registry.load`): the measures are written first, then the load counters, then these
counters, in the order of their keys, then their sums over the natures, in the order of theirs (`_write_deltas`),
then the services' counters, in the order of theirs (`_write_service_deltas`), and last the monthly flows below, so
two batches never take them in opposite orders.
A tribunal's département and a professional's type never change: they are read when a change is applied.

The same path moves the monthly flows (`MesuresMois`, read by the flux table): for every (first day of the month,
tribunal, type of the professional), the measures whose date of nomination falls in the month (`ouvertes`) and
those whose end date does (`eteintes`), whatever their status, as the flux table has always counted them. They
are written last, in the order of their keys too.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, Integer, case, cast, delete, extract, func, insert, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from app.database import add_to_counters
from app.geo.models import Tribunal
from app.registry.constants import CauseSortie, MandataireType, MesureStatut
from app.registry.models import (
    Mandataire,
    Mesure,
    MesureEvenementAnnuel,
    MesuresAnnee,
    MesureServiceAnnuel,
    MesuresMois,
)


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
    """What one measure adds to the yearly counters (nothing unless a judge designated it) and to the monthly
    flows (its dates, whatever its status)."""

    tribunal_id: int
    mandataire_id: int
    nature: str
    date_nomination: date | None
    date_fin_mesure: date | None
    cause_sortie: str | None
    eteinte: bool
    en_attente: bool

    @classmethod
    def of(cls, mesure: Mesure) -> "YearlyShare | None":
        return cls.of_values(mesure.tribunal_id, mesure.mandataire_id, {name: getattr(mesure, name) for name in FIELDS})

    @classmethod
    def of_values(cls, tribunal_id: int, mandataire_id: int, values: Mapping[Any, Any]) -> "YearlyShare | None":
        """From a measure's column values (a batch's planned row or a stored Core row's mapping): None when the
        measure has no date, so counts in no counter."""
        if values["date_nomination"] is None and values["date_fin_mesure"] is None:
            return None
        return cls(
            tribunal_id,
            mandataire_id,
            values["nature"],
            values["date_nomination"],
            values["date_fin_mesure"],
            values["cause_sortie"],
            values["statut"] == MesureStatut.ETEINTE,
            values["statut"] == MesureStatut.EN_ATTENTE,
        )

    def events(self, *, until: date | None = None) -> list[tuple[int, Evenement, str]]:
        """(year, event, cause) of the measure; with `until`, as known at the end of that day (the yearly tables
        count the current year up to today): a later nomination opens nothing, a later end ends nothing. None for
        a measure no judge designated (no date of nomination, or pending)."""
        nominated = self.date_nomination
        if nominated is None or self.en_attente:
            return []
        opened = until is None or nominated <= until
        ended = self.date_fin_mesure
        if ended is not None and until is not None and ended > until:
            return [(nominated.year, Evenement.OUVERTURE, "")] if opened else []
        found = [(nominated.year, Evenement.OUVERTURE, "")] if opened else []
        if ended is not None:
            found.append((ended.year, Evenement.FIN, self.cause_sortie or ""))
            if opened:
                found.append((max(ended.year, nominated.year), Evenement.SORTIE, ""))
        elif self.eteinte and opened:
            found.append((nominated.year, Evenement.SORTIE, ""))
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
    _write_monthly_deltas(session, _monthly_deltas(moved, types))


def _write_deltas(session: Session, deltas: Mapping[Key, int]) -> None:
    rows = [dict(zip(KEY_COLUMNS, key, strict=True), nombre=n) for key, n in sorted(deltas.items()) if n]
    add_to_counters(session, MesureEvenementAnnuel, KEY_COLUMNS, rows)
    years: dict[tuple[str, str, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(YEAR_COLUMNS, 0))
    for (departement, kind, year, evenement, cause, _), n in deltas.items():
        for column in _year_columns(evenement, cause):
            years[(departement, kind, year)][column] += n
    rows = [
        dict(zip(YEAR_KEY_COLUMNS, key, strict=True), **counts)
        for key, counts in sorted(years.items())
        if any(counts.values())
    ]
    add_to_counters(session, MesuresAnnee, YEAR_KEY_COLUMNS, rows)


KEY_COLUMNS = ("departement", "type", "annee", "evenement", "cause", "nature")
# `MesuresAnnee`: the key without the event, the cause and the nature; a column per event, and per exit cause.
YEAR_KEY_COLUMNS = KEY_COLUMNS[:3]
CAUSE_COLUMNS = {cause.value: f"eteintes_{cause.value}" for cause in CauseSortie}
YEAR_COLUMNS = ("ouvertures", "sorties", "eteintes", *CAUSE_COLUMNS.values())


def _year_columns(evenement: str, cause: str) -> tuple[str, ...]:
    """The columns of `MesuresAnnee` an event counts in: an end in every end's, and in its cause's if known."""
    if evenement == Evenement.OUVERTURE:
        return ("ouvertures",)
    if evenement == Evenement.SORTIE:
        return ("sorties",)
    return ("eteintes", CAUSE_COLUMNS[cause]) if cause in CAUSE_COLUMNS else ("eteintes",)


def year_recount_query():
    """`MesuresAnnee` recounted from the counters by nature, one GROUP BY (the rebuild; the tests compare)."""
    counter = MesureEvenementAnnuel

    def summed(condition: Any) -> Any:
        return func.sum(case((condition, counter.nombre), else_=0))

    keys = [counter.__table__.c[name] for name in YEAR_KEY_COLUMNS]
    return select(
        *keys,
        summed(counter.evenement == Evenement.OUVERTURE),
        summed(counter.evenement == Evenement.SORTIE),
        summed(counter.evenement == Evenement.FIN),
        *(summed((counter.evenement == Evenement.FIN) & (counter.cause == cause)) for cause in CAUSE_COLUMNS),
    ).group_by(*keys)


# --- monthly flows (the flux table) ------------------------------------------------------------------------------

# (first day of the month, tribunal, type) → [opened, ended]: the key of `MesuresMois`, in its order.
MonthKey = tuple[date, int, str]
MONTH_COLUMNS = ("mois", "tribunal_id", "type")


def _monthly_deltas(moved: Iterable[Change], types: Mapping[int, str]) -> dict[MonthKey, list[int]]:
    deltas: dict[MonthKey, list[int]] = defaultdict(lambda: [0, 0])
    for before, after in moved:
        for share, sign in ((before, -1), (after, 1)):
            if share is None:
                continue
            for index, day in enumerate((share.date_nomination, share.date_fin_mesure)):
                if day is not None:
                    deltas[(day.replace(day=1), share.tribunal_id, types[share.mandataire_id])][index] += sign
    return deltas


def _write_monthly_deltas(session: Session, deltas: Mapping[MonthKey, list[int]]) -> None:
    rows = [
        dict(zip(MONTH_COLUMNS, key, strict=True), ouvertes=opened, eteintes=ended)
        for key, (opened, ended) in sorted(deltas.items())
        if opened or ended
    ]
    add_to_counters(session, MesuresMois, list(MONTH_COLUMNS), rows)


class month_of(FunctionElement[date]):
    """The first day of the month of a date or timestamp column, as a date, computed by the database."""

    type = Date()
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_of_sqlite(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_of, "postgresql")
def _month_of_postgresql(element, compiler, **kw) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


def monthly_recount_query():
    """The monthly flows recounted from the measures, one GROUP BY (the rebuild; the tests compare with it)."""

    def dated(column, opened: int, ended: int):
        return (
            select(
                month_of(column).label("mois"),
                Mesure.tribunal_id,
                Mandataire.type,
                literal(opened).label("ouvertes"),
                literal(ended).label("eteintes"),
            )
            .join(Mandataire, Mandataire.id == Mesure.mandataire_id)
            .where(column.is_not(None))
        )

    each = union_all(dated(Mesure.date_nomination, 1, 0), dated(Mesure.date_fin_mesure, 0, 1)).subquery()
    keys = [each.c[name] for name in MONTH_COLUMNS]
    return select(*keys, func.sum(each.c.ouvertes), func.sum(each.c.eteintes)).group_by(*keys)


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
    add_to_counters(session, MesureServiceAnnuel, SERVICE_KEY_COLUMNS, rows)


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
    """Recount every counter (yearly and monthly) from the measures: after a bulk load that bypasses the write path
    (the demo)."""
    connection.execute(delete(MesureEvenementAnnuel))
    connection.execute(insert(MesureEvenementAnnuel).from_select([*KEY_COLUMNS, "nombre"], recount_query()))
    connection.execute(delete(MesuresAnnee))
    connection.execute(insert(MesuresAnnee).from_select([*YEAR_KEY_COLUMNS, *YEAR_COLUMNS], year_recount_query()))
    connection.execute(delete(MesureServiceAnnuel))
    connection.execute(
        insert(MesureServiceAnnuel).from_select(
            [*SERVICE_KEY_COLUMNS, "ouvertures", "sorties"], service_recount_query()
        )
    )
    connection.execute(delete(MesuresMois))
    connection.execute(
        insert(MesuresMois).from_select([*MONTH_COLUMNS, "ouvertes", "eteintes"], monthly_recount_query())
    )
