"""Monthly flows: measures opened and closed per type, reservations answered, median delay of acceptance."""

from collections import defaultdict
from statistics import median
from typing import cast

from sqlalchemy import Float, Select, extract, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from app.dashboards import repository
from app.dashboards.folding import TYPES, day_bounds, months, periode
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Graphique, Table, colonne
from app.designation.constants import ReservationStatut
from app.designation.models import Reservation
from app.errors import InvalidPeriod, PeriodTooLong
from app.geo.gazetteer import Gazetteer
from app.registry.constants import MANDATAIRE_TYPE_LABELS
from app.registry.models import Mandataire, Mesure

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
    "Délai d'acceptation : jours entre la réservation et son acceptation, médiane des réservations "
    "acceptées dans le mois. Territoire d'une mesure ou d'une réservation : celui de son tribunal. Période "
    f"par défaut : les {DEFAULT_MONTHS} derniers mois, le mois en cours compris."
)


class days_between(FunctionElement[float]):
    """Days (with their fraction) from the first timestamp to the second, computed by the database: the delays of
    six years of reservations come back as numbers, not as pairs of timestamps to parse and subtract here."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw) -> str:
    start, end = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


def _per_day_and_type(column, debut, fin) -> Select:
    """Measures per (day, type) of a date column: a range scan of the covering index, no date function per row."""
    return (
        select(column, Mandataire.type, func.count())
        .select_from(Mesure)
        .join(Mandataire, Mandataire.id == Mesure.mandataire_id)
        .where(column >= debut, column <= fin)
        .group_by(column, Mandataire.type)
    )


def _per_month_and_type(session: Session, perimetre: Perimetre, column, debut, fin) -> dict:
    """Measures per (year, month, type), folded from days here: at most a few thousand rows."""
    query = _per_day_and_type(column, debut, fin)
    if perimetre.type is not None:
        query = query.where(Mandataire.type == perimetre.type)
    counts: dict[tuple[int, int, str], int] = defaultdict(int)
    for day, kind, n in session.execute(repository.by_tribunal(query, Mesure.tribunal_id, perimetre)):
        counts[(day.year, day.month, kind)] += int(n)
    return counts


def flux(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre) -> Contenu:
    debut, fin = periode(perimetre, DEFAULT_MONTHS)
    assert debut is not None and fin is not None  # a default period
    if debut > fin:
        raise InvalidPeriod("la période commence après sa fin", loc=["query", "debut"])
    if len(months(debut, fin)) > MAX_MONTHS:
        raise PeriodTooLong(f"période trop longue : {MAX_MONTHS} mois au plus", loc=["query", "debut"])
    opened = _per_month_and_type(session, perimetre, Mesure.date_nomination, debut, fin)
    closed = _per_month_and_type(session, perimetre, Mesure.date_fin_mesure, debut, fin)

    start, end = day_bounds(debut, fin)
    year, month = extract("year", Reservation.answered_at), extract("month", Reservation.answered_at)
    in_period = (Reservation.answered_at >= start, Reservation.answered_at < end)
    reservations = select(year, month, Reservation.statut, func.count()).where(
        Reservation.statut.in_([statut for _, statut in ANSWERS]), *in_period
    )
    delays = select(year, month, days_between(Reservation.created_at, Reservation.answered_at)).where(
        Reservation.statut == ReservationStatut.ACCEPTEE, *in_period
    )
    reservations = repository.of_type(reservations, Reservation.mandataire_id, perimetre)
    delays = repository.of_type(delays, Reservation.mandataire_id, perimetre)
    answers = {
        (int(y), int(m), statut): int(n)
        for y, m, statut, n in session.execute(
            repository.by_tribunal(
                reservations.group_by(year, month, Reservation.statut), Reservation.tribunal_id, perimetre
            )
        )
    }
    days_by_month: dict[tuple[int, int], list[float]] = defaultdict(list)
    for y, m, days in session.execute(repository.by_tribunal(delays, Reservation.tribunal_id, perimetre)):
        days_by_month[(int(y), int(m))].append(float(days))

    kinds = [perimetre.type] if perimetre.type is not None else list(TYPES)
    keys = ["mois"]
    for prefix, _ in FLOWS:
        keys += [f"{prefix}_{kind.value}" for kind in kinds] + ([prefix] if len(kinds) > 1 else [])
    keys += [key for key, _ in ANSWERS] + ["delai_median_acceptation_jours"]
    lignes = []
    for y, m in months(debut, fin):
        row: dict[str, Value] = {"mois": f"{y:04d}-{m:02d}"}
        for prefix, counts in (("ouvertes", opened), ("eteintes", closed)):
            for kind in kinds:
                row[f"{prefix}_{kind.value}"] = counts.get((y, m, kind.value), 0)
            if len(kinds) > 1:
                row[prefix] = sum(counts.get((y, m, kind.value), 0) for kind in kinds)
        for key, statut in ANSWERS:
            row[key] = answers.get((y, m, statut.value), 0)
        days = days_by_month.get((y, m))
        row["delai_median_acceptation_jours"] = round(median(days), 1) if days else None
        lignes.append(row)

    all_days = [d for days in days_by_month.values() for d in days]
    totaux: dict[str, Value] = {"mois": "Total"}
    for key in keys[1:-1]:
        totaux[key] = sum(cast(int, row[key]) for row in lignes)  # these columns hold counts
    totaux["delai_median_acceptation_jours"] = round(median(all_days), 1) if all_days else None
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
