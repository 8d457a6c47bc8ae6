"""Monthly flows: measures opened and closed per type, reservations answered, median delay of acceptance."""

from calendar import monthrange
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.dashboards import repository
from app.dashboards.folding import TYPES, day_bounds, months, periode
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Graphique, Table, colonne
from app.designation.answers import MONTH_COLUMN, tenths_between
from app.designation.constants import ReservationStatut
from app.designation.models import DelaiAcceptation, DelaiAcceptationNational, Reservation, ReservationsMois
from app.errors import InvalidPeriod, PeriodTooLong
from app.geo.gazetteer import Gazetteer
from app.registry.constants import MANDATAIRE_TYPE_LABELS
from app.registry.models import Mandataire, Mesure, MesuresMois

DEFAULT_MONTHS = 12
MAX_MONTHS = 360  # one row per month
FLOWS = (("ouvertes", "Mesures ouvertes"), ("eteintes", "Mesures éteintes"))
ANSWERS = (
    ("reservations_acceptees", ReservationStatut.ACCEPTEE),
    ("reservations_refusees", ReservationStatut.REFUSEE),
    ("reservations_expirees", ReservationStatut.EXPIREE),
)
NOTE = (
    "Mesures ouvertes : par mois de la date de nomination ; éteintes : par mois de la date de fin de "
    "mesure ; réservations : par mois de la réponse (acceptation, refus, ou expiration faute de réponse). "
    "Délai d'acceptation : jours entre la réservation et son acceptation, chaque délai arrondi au dixième de "
    "jour le plus proche ; médiane des réservations acceptées dans le mois (à mi-chemin entre les deux délais "
    "du milieu quand leur nombre est pair, arrondie au dixième supérieur). Territoire d'une mesure ou d'une "
    "réservation : celui de son tribunal. Période "
    f"par défaut : les {DEFAULT_MONTHS} derniers mois, le mois en cours compris."
)

Month = tuple[int, int]


@dataclass
class Flows:
    """The figures of the period, per month: measures per (year, month, type), answers per (year, month, statut),
    acceptance delays per month as a histogram (tenths of a day → reservations)."""

    opened: Counter[tuple[int, int, str]] = field(default_factory=Counter)
    closed: Counter[tuple[int, int, str]] = field(default_factory=Counter)
    answers: Counter[tuple[int, int, str]] = field(default_factory=Counter)
    delays: dict[Month, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))


def _per_day_and_type(column, debut, fin) -> Select:
    """Measures per (day, type) of a date column: a range scan of the covering index, no date function per row."""
    return (
        select(column, Mandataire.type, func.count())
        .select_from(Mesure)
        .join(Mandataire, Mandataire.id == Mesure.mandataire_id)
        .where(column >= debut, column <= fin)
        .group_by(column, Mandataire.type)
    )


def _measures_counted(session: Session, perimetre: Perimetre, flows: Flows, first: date, last: date) -> None:
    """The measures of the whole months from `first` to `last` (first days), from the counters kept at each write."""
    query = select(MesuresMois.mois, MesuresMois.type, func.sum(MesuresMois.ouvertes), func.sum(MesuresMois.eteintes))
    query = query.where(MesuresMois.mois.between(first, last)).group_by(MesuresMois.mois, MesuresMois.type)
    if perimetre.type is not None:
        query = query.where(MesuresMois.type == perimetre.type)
    connection = session.connection()  # Core rows, without the ORM's wrapping
    for month, kind, opened, closed in connection.execute(
        repository.by_tribunal(query, MesuresMois.tribunal_id, perimetre)
    ):
        flows.opened[(month.year, month.month, kind)] += int(opened)
        flows.closed[(month.year, month.month, kind)] += int(closed)


def _answers_counted(session: Session, perimetre: Perimetre, flows: Flows, first: date, last: date) -> None:
    """The answers of the months from `first` to `last` (first days), from the counters kept at each write."""
    columns = [getattr(ReservationsMois, column) for column in MONTH_COLUMN.values()]
    counts = select(ReservationsMois.mois, *(func.sum(column) for column in columns))
    counts = counts.where(ReservationsMois.mois.between(first, last)).group_by(ReservationsMois.mois)
    if perimetre.type is not None:
        counts = counts.where(ReservationsMois.type == perimetre.type)
    connection = session.connection()
    for month, *numbers in connection.execute(repository.by_tribunal(counts, ReservationsMois.tribunal_id, perimetre)):
        for statut, n in zip(MONTH_COLUMN, numbers, strict=True):
            flows.answers[(month.year, month.month, statut.value)] += int(n)
    # The national histogram has a few rows per month; the per-tribunal one nearly one per accepted reservation.
    national = perimetre.tribunal is None and perimetre.departements is None
    table: type[DelaiAcceptation] | type[DelaiAcceptationNational] = (
        DelaiAcceptationNational if national else DelaiAcceptation
    )
    delays = select(table.mois, table.dixiemes, func.sum(table.reservations)).where(table.mois.between(first, last))
    delays = delays.group_by(table.mois, table.dixiemes)
    if perimetre.type is not None:
        delays = delays.where(table.type == perimetre.type)
    if not national:
        delays = repository.by_tribunal(delays, DelaiAcceptation.tribunal_id, perimetre)
    for month, tenths, n in connection.execute(delays):  # thousands of rows: no ORM rows, no Counter.__missing__
        histogram = flows.delays[(month.year, month.month)]
        histogram[tenths] = histogram.get(tenths, 0) + n


def _measures_read(session: Session, perimetre: Perimetre, flows: Flows, debut: date, fin: date) -> None:
    """The measures of part of a month, read from the register by the date indexes."""
    for counts, column in ((flows.opened, Mesure.date_nomination), (flows.closed, Mesure.date_fin_mesure)):
        query = _per_day_and_type(column, debut, fin)
        if perimetre.type is not None:
            query = query.where(Mandataire.type == perimetre.type)
        for day, kind, n in session.execute(repository.by_tribunal(query, Mesure.tribunal_id, perimetre)):
            counts[(day.year, day.month, kind)] += int(n)


def _answers_read(session: Session, perimetre: Perimetre, flows: Flows, debut: date, fin: date) -> None:
    """The answers of part of a month (`debut` and `fin` in the same month), read from the reservations."""
    start, end = day_bounds(debut, fin)
    in_period = (Reservation.answered_at >= start, Reservation.answered_at < end)
    reservations = select(Reservation.statut, func.count()).where(
        Reservation.statut.in_([statut for _, statut in ANSWERS]), *in_period
    )
    waited = tenths_between(Reservation.created_at, Reservation.answered_at)
    delays = select(waited, func.count()).where(Reservation.statut == ReservationStatut.ACCEPTEE, *in_period)
    reservations = repository.of_type(reservations.group_by(Reservation.statut), Reservation.mandataire_id, perimetre)
    delays = repository.of_type(delays.group_by(waited), Reservation.mandataire_id, perimetre)
    for statut, n in session.execute(repository.by_tribunal(reservations, Reservation.tribunal_id, perimetre)):
        flows.answers[(debut.year, debut.month, statut)] += int(n)
    for tenths, n in session.execute(repository.by_tribunal(delays, Reservation.tribunal_id, perimetre)):
        flows.delays[(debut.year, debut.month)][int(tenths)] += int(n)


def _flows(session: Session, perimetre: Perimetre, debut: date, fin: date) -> Flows:
    """The whole months of the period from the monthly counters; the days of a month it covers only in part from
    the register. No answer is dated after now: a month cut at today or later is whole for the answers."""
    flows = Flows()
    whole: list[date] = []  # first days of the months counted
    answered: list[date] = []
    for y, m in months(debut, fin):
        first, last = date(y, m, 1), date(y, m, monthrange(y, m)[1])
        start, end = max(debut, first), min(fin, last)
        if (start, end) == (first, last):
            whole.append(first)
            answered.append(first)
            continue
        _measures_read(session, perimetre, flows, start, end)
        if start == first and day_bounds(start, end)[1] > perimetre.now:
            answered.append(first)
        else:
            _answers_read(session, perimetre, flows, start, end)
    if whole:
        _measures_counted(session, perimetre, flows, whole[0], whole[-1])
    if answered:  # consecutive months: the whole ones, and maybe the current one after them
        _answers_counted(session, perimetre, flows, answered[0], answered[-1])
    return flows


def median_days(histogram: Mapping[int, int]) -> float | None:
    """The median of delays counted per tenth of a day, in days: the middle delay, or halfway between the two
    middle ones rounded up to the tenth."""
    total = sum(histogram.values())
    if not total:
        return None

    def at(rank: int) -> int:
        seen = 0
        for tenths in sorted(histogram):
            seen += histogram[tenths]
            if rank < seen:
                return tenths
        raise AssertionError("a rank below the total")

    return (at((total - 1) // 2) + at(total // 2) + 1) // 2 / 10


def flux(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre) -> Contenu:
    debut, fin = periode(perimetre, DEFAULT_MONTHS)
    assert debut is not None and fin is not None  # a default period
    if debut > fin:
        raise InvalidPeriod("la période commence après sa fin", loc=["query", "debut"])
    if len(months(debut, fin)) > MAX_MONTHS:
        raise PeriodTooLong(f"période trop longue : {MAX_MONTHS} mois au plus", loc=["query", "debut"])
    flows = _flows(session, perimetre, debut, fin)

    kinds = [perimetre.type] if perimetre.type is not None else list(TYPES)
    keys = ["mois"]
    for prefix, _ in FLOWS:
        keys += [f"{prefix}_{kind.value}" for kind in kinds] + ([prefix] if len(kinds) > 1 else [])
    keys += [key for key, _ in ANSWERS] + ["delai_median_acceptation_jours"]
    lignes = []
    for y, m in months(debut, fin):
        row: dict[str, Value] = {"mois": f"{y:04d}-{m:02d}"}
        for prefix, counts in (("ouvertes", flows.opened), ("eteintes", flows.closed)):
            for kind in kinds:
                row[f"{prefix}_{kind.value}"] = counts[(y, m, kind.value)]
            if len(kinds) > 1:
                row[prefix] = sum(counts[(y, m, kind.value)] for kind in kinds)
        for key, statut in ANSWERS:
            row[key] = flows.answers[(y, m, statut.value)]
        row["delai_median_acceptation_jours"] = median_days(flows.delays.get((y, m), {}))
        lignes.append(row)

    every_delay: Counter[int] = Counter()
    for histogram in flows.delays.values():
        every_delay.update(histogram)
    totaux: dict[str, Value] = {"mois": "Total"}
    for key in keys[1:-1]:
        totaux[key] = sum(cast(int, row[key]) for row in lignes)  # these columns hold counts
    totaux["delai_median_acceptation_jours"] = median_days(every_delay)
    return Contenu(lignes=lignes, totaux=totaux, note=NOTE, filtres=perimetre.filtres(debut=debut, fin=fin), cles=keys)


def _flow_columns(prefix: str, label: str):
    return (
        *(colonne(f"{prefix}_{kind.value}", f"{label} ({MANDATAIRE_TYPE_LABELS[kind]})") for kind in TYPES),
        colonne(prefix, label),
    )


TABLE = Table(
    nom="flux",
    titre="Flux mensuels de mesures et de réservations",
    description="Mesures ouvertes et éteintes par mois et par type ; réservations acceptées, refusées et "
    "expirées ; délai médian d'acceptation.",
    colonnes=(
        colonne("mois", "Mois", "texte"),
        *(column for prefix, label in FLOWS for column in _flow_columns(prefix, label)),
        colonne("reservations_acceptees", "Réservations acceptées"),
        colonne("reservations_refusees", "Réservations refusées"),
        colonne("reservations_expirees", "Réservations expirées"),
        colonne("delai_median_acceptation_jours", "Délai médian d'acceptation (jours)", "decimal"),
    ),
    calcul=flux,
    ordre=5,
    periode=True,
    graphique=Graphique(
        titre="Flux mensuels des mesures",
        legende="Mesures ouvertes et fermées par mois (tous types confondus).",
        abscisse="mois",
        series=tuple((prefix, *(f"{prefix}_{kind.value}" for kind in TYPES)) for prefix, _ in FLOWS),
    ),
)
