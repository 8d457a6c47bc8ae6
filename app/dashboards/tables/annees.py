"""Yearly stock and flows per territory and exercice (type of professional): the stock at 31 December, measures
opened and closed (by cause), judges' designations (accepted reservations), refusals and expiries, with year-on-year
growth and the compound annual growth rate over the years shown.

The measures' part reads the yearly counters kept at each write (`app.registry.statistics`), so a measure edited or
imported late moves the years it belongs to; the reservations' part reads the counters of their answers per year."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, and_, case, extract, func, select
from sqlalchemy.orm import Session

from app.dashboards import repository
from app.dashboards.dependencies import par_territoire
from app.dashboards.folding import (
    TERRITOIRE,
    TYPES,
    compound_growth,
    day_bounds,
    growth,
    territory_cells,
    territory_code,
    territory_keys,
    years,
)
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Graphique, Table, colonne
from app.designation.constants import ReservationStatut
from app.designation.models import Reservation, ReservationsAnnee
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal
from app.registry.constants import CAUSE_SORTIE_LABELS, MANDATAIRE_TYPE_LABELS, CauseSortie, MesureStatut
from app.registry.models import Mandataire, Mesure, MesureEvenementAnnuel, MesuresAnnee
from app.registry.statistics import CAUSE_COLUMNS, Evenement, YearlyShare
from app.registry.statistics import FIELDS as SHARE_FIELDS

ANSWERS = {
    ReservationStatut.ACCEPTEE: "designations",
    ReservationStatut.REFUSEE: "refus",
    ReservationStatut.EXPIREE: "expirees",
}
ANSWER_KEYS = [(statut.value, key) for statut, key in ANSWERS.items()]
CAUSES = [cause.value for cause in CauseSortie]
NOTE = (
    "Stock au 31 décembre : mesures nommées au plus tard ce jour-là et non éteintes à cette date (date de fin "
    "postérieure, ou aucune) ; pour l'année en cours, le stock à ce jour. Une mesure éteinte sans date de fin "
    "n'est comptée dans aucun stock. Mesures ouvertes : par année de la date de nomination ; éteintes : par année "
    "de la date de fin, et par cause de sortie. Désignations : réservations des juges acceptées dans l'année "
    "(date de la réponse) ; refus et expirations de même. Évolution : par rapport à l'année précédente. Taux de "
    "croissance annuel moyen du stock : du stock de la première année à celui de la dernière, sur la ligne de la "
    "dernière année de chaque série. Exercice : type du professionnel qui exerce la mesure. Territoire : celui du "
    "tribunal. Les mesures sont comptées à chaque écriture, par année de leurs dates : une mesure modifiée ou "
    "importée après coup compte dans les années qui sont les siennes ; les réponses aux réservations sont "
    "comptées dans l'année de la réponse au moment où elle est donnée. Ligne des totaux : stock de la "
    "dernière année, flux cumulés sur la période. Période par défaut : les 6 dernières années, l'année en cours "
    "comprise ; les filtres de période choisissent des années entières."
)


@dataclass
class Series:
    """The figures of one territory and type, by year."""

    stock: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    ouvertes: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    eteintes: dict[tuple[int, str | None], int] = field(default_factory=lambda: defaultdict(int))
    reponses: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: "Series") -> None:
        for name in ("stock", "ouvertes", "eteintes", "reponses"):
            mine = getattr(self, name)
            for key, n in getattr(other, name).items():
                mine[key] += n

    def row(self, year: int) -> dict[str, Value]:
        stock, ouvertes, eteintes = self.stock.get(year, 0), self.ouvertes.get(year, 0), self.eteintes
        closed = {f"eteintes_{cause}": eteintes.get((year, cause), 0) for cause in CAUSES}
        unknown = eteintes.get((year, None), 0)
        return {
            "annee": year,
            "stock_31_decembre": stock,
            "evolution_stock": growth(stock, self.stock.get(year - 1, 0)),
            "ouvertes": ouvertes,
            "evolution_ouvertes": growth(ouvertes, self.ouvertes.get(year - 1, 0)),
            "eteintes": sum(closed.values()) + unknown,
            **closed,
            "eteintes_sans_cause": unknown,
            **{key: self.reponses.get((year, statut), 0) for statut, key in ANSWER_KEYS},
        }

    def shown(self, first: int, last: int) -> bool:
        return any(
            self.stock.get(y) or self.ouvertes.get(y) or any(self.eteintes.get((y, c)) for c in [*CAUSES, None])
            for y in range(first, last + 1)
        ) or any(first <= y <= last for y, _ in self.reponses)


def measures_in(query: Select, perimetre: Perimetre) -> Select:
    """Measures with their professional and their tribunal, within the perimeter (territory of the tribunal)."""
    query = query.join(Mandataire, Mandataire.id == Mesure.mandataire_id).join(
        Tribunal, Tribunal.id == Mesure.tribunal_id
    )
    if perimetre.type is not None:
        query = query.where(Mandataire.type == perimetre.type)
    if perimetre.tribunal is not None:
        return query.where(Mesure.tribunal_id == perimetre.tribunal.id)
    if perimetre.departements is not None:
        return query.where(Tribunal.departement.in_(perimetre.departements))
    return query


# The measures a judge designated: counted in stocks and flows.
DESIGNATED = (Mesure.date_nomination.is_not(None), Mesure.statut != MesureStatut.EN_ATTENTE)


def buckets(before: int, last: int, last_day: date):
    """The year a measure opened and the year it closed, clamped to `before`…`last + 1`; a measure closed without
    an end date never counts in a stock: it "closes" in year 0. A measure is in the stock at 31 December of the
    years from its opening to the one before its closing (see `stock_years`)."""
    opened = repository.year_of(Mesure.date_nomination, before, last, last_day)
    closed = case(
        (and_(Mesure.date_fin_mesure.is_(None), Mesure.statut == MesureStatut.ETEINTE), 0),
        else_=repository.year_of(Mesure.date_fin_mesure, before, last, last_day),
    )
    return opened, closed


def stock_years(opened: int, closed: int, before: int, last: int) -> range:
    return range(max(before, opened), min(last, closed - 1) + 1)


def yearly(
    session: Session,
    perimetre: Perimetre,
    first: int,
    last: int,
    *,
    natures: Sequence[str] | None = None,
) -> dict[tuple[str, str], Series]:
    """The series per (département of the tribunal, type), the year before `first` included (for its growth); of a
    few natures, if given, those of their measures alone per (département, nature) instead: a table of a few natures
    tells them apart, not the types, and reads where their reservations were answered (`answered_departements`)."""
    _, _, last_day = years(perimetre)
    if perimetre.tribunal is None:
        series = counted_measures(session, perimetre, first, last, last_day, natures)
    else:
        series = scanned_measures(session, perimetre, first, last, last_day, natures)
    if natures is not None:
        return series
    for departement, kind, year, statut, n in answers(session, perimetre, first, last_day):
        series[(departement, kind)].reponses[(int(year), statut)] += n
    return series


def scanned_measures(
    session: Session,
    perimetre: Perimetre,
    first: int,
    last: int,
    last_day: date,
    natures: Sequence[str] | None,
) -> dict[tuple[str, str], Series]:
    """The measures' series of one tribunal, from its measures (a small scan: the counters are per département)."""
    before = first - 1
    opened, closed = buckets(before, last, last_day)
    designated = list(DESIGNATED)
    if natures is not None:
        designated.append(Mesure.nature.in_(natures))
    series: dict[tuple[str, str], Series] = defaultdict(Series)
    # Bucketed in a subquery, grouped outside: the bound years of the CASE appear once (PostgreSQL compares a
    # GROUP BY expression with the selected one parameter by parameter).
    bucketed = measures_in(
        select(
            Tribunal.departement.label("departement"),
            (Mandataire.type if natures is None else Mesure.nature).label("type"),
            opened.label("ouverte"),
            closed.label("eteinte"),
            Mesure.cause_sortie.label("cause"),
        )
        .select_from(Mesure)
        .where(*designated),
        perimetre,
    ).subquery()
    keys = (bucketed.c.departement, bucketed.c.type, bucketed.c.ouverte, bucketed.c.eteinte, bucketed.c.cause)
    for departement, kind, year_opened, year_closed, cause, n in session.execute(
        select(*keys, func.count()).group_by(*keys)
    ):
        one = series[(departement, kind)]
        for year in stock_years(year_opened, year_closed, before, last):
            one.stock[year] += n
        if before <= year_opened <= last:
            one.ouvertes[year_opened] += n
        if first <= year_closed <= last:
            one.eteintes[(year_closed, cause if cause in CAUSES else None)] += n
    return series


def answers(session: Session, perimetre: Perimetre, first: int, last_day: date) -> list[tuple]:
    """(département of the tribunal, type, year, status, reservations) answered from 1 January of `first` to
    `last_day` (a year's end or today: no answer is dated later), from the counters of the answers per year
    (`app.designation.answers`); a tribunal's, from its reservations (they are few)."""
    if perimetre.tribunal is not None:
        return _tribunal_answers(session, perimetre.tribunal, perimetre.type, first, last_day, None)
    counted = ReservationsAnnee
    query = _counted_answers(
        select(counted.departement, counted.type, counted.annee, counted.statut, func.sum(counted.reservations)),
        perimetre,
        first,
        last_day,
        None,
    ).group_by(counted.departement, counted.type, counted.annee, counted.statut)
    # Fetched at once: row by row, each row costs a call into the driver (psycopg: a third of the fetch).
    return [tuple(row) for row in session.connection().execute(query).all()]


def answered_departements(
    session: Session, perimetre: Perimetre, first: int, last_day: date, natures: Sequence[str] | None
) -> set[str]:
    """The départements where reservations of these natures were answered in the years of `answers`: all a table
    of a few natures needs to know of them (a row per département, not one per type, year and status)."""
    if perimetre.tribunal is not None:
        found = _tribunal_answers(session, perimetre.tribunal, perimetre.type, first, last_day, natures)
        return {departement for departement, *_ in found}
    counted = ReservationsAnnee
    query = _counted_answers(select(counted.departement).distinct(), perimetre, first, last_day, natures)
    return set(session.scalars(query))


def _counted_answers(
    query: Select, perimetre: Perimetre, first: int, last_day: date, natures: Sequence[str] | None
) -> Select:
    counted = ReservationsAnnee
    query = query.where(counted.statut.in_(list(ANSWERS)), counted.annee.between(first, last_day.year))
    if natures is not None:
        query = query.where(counted.nature.in_(natures))
    return repository.counted_within(query, counted, perimetre)


def _tribunal_answers(
    session: Session,
    tribunal: Tribunal,
    type: str | None,
    first: int,
    last_day: date,
    natures: Sequence[str] | None,
) -> list[tuple]:
    start, end = day_bounds(date(first, 1, 1), last_day)
    answered_year = extract("year", Reservation.answered_at)
    query = (
        select(Mandataire.type, answered_year, Reservation.statut, func.count())
        .join(Mandataire, Mandataire.id == Reservation.mandataire_id)
        .where(
            Reservation.tribunal_id == tribunal.id,
            Reservation.statut.in_(list(ANSWERS)),
            Reservation.answered_at >= start,
            Reservation.answered_at < end,
        )
        .group_by(Mandataire.type, answered_year, Reservation.statut)
    )
    if type is not None:
        query = query.where(Mandataire.type == type)
    if natures is not None:
        query = query.where(Reservation.nature.in_(natures))
    return [(tribunal.departement, kind, year, statut, n) for kind, year, statut, n in session.execute(query)]


def counted_measures(
    session: Session,
    perimetre: Perimetre,
    first: int,
    last: int,
    last_day: date,
    natures: Sequence[str] | None,
) -> dict[tuple[str, str], Series]:
    """The measures' series from the yearly counters kept at each write (`app.registry.statistics`): the years
    before the period folded into one, then, for a period that ends after today, the events dated after today
    taken back from the measures that carry them (a few, by the date indexes)."""
    before = first - 1
    queries = _by_year(perimetre, before, last) if natures is None else _by_nature(perimetre, before, last, natures)
    series: dict[tuple[str, str], Series] = defaultdict(Series)
    # Per territory and type, openings less exits by year: the stock moves.
    moves: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    connection = session.connection()
    for departement, kind, year, opened, left, ended, *by_cause in connection.execute(queries[0]).all():
        one = series[(departement, kind)]
        moves[(departement, kind)][year] += (opened or 0) - (left or 0)
        if opened:
            one.ouvertes[year] += opened
        if year >= first and ended:
            known = 0
            for cause, n in zip(CAUSES, by_cause, strict=True):
                if n:
                    one.eteintes[(year, cause)] += n
                    known += n
            if ended > known:
                one.eteintes[(year, None)] += ended - known
    for departement, kind, stock in connection.execute(queries[1]).all():
        moves[(departement, kind)][before - 1] += stock
    end_of_period = date(last, 12, 31)
    if last_day < end_of_period:
        for departement, kind, share in _dated_after(session, perimetre, last_day, end_of_period, natures):
            key = (departement, kind if natures is None else share.nature)
            one, moved = series[key], moves[key]
            for events, sign in ((share.events(), -1), (share.events(until=last_day), 1)):
                for year, evenement, cause in events:
                    if year > last:
                        continue
                    year = max(year, before - 1)
                    if evenement == Evenement.OUVERTURE:
                        moved[year] += sign
                        if year >= before:
                            one.ouvertes[year] += sign
                    elif evenement == Evenement.SORTIE:
                        moved[year] -= sign
                    elif year >= first:
                        one.eteintes[(year, cause if cause in CAUSES else None)] += sign
    for key, by_year in moves.items():
        one, stock = series[key], by_year.get(before - 1, 0)
        for year in range(before, last + 1):
            stock += by_year.get(year, 0)
            if stock:
                one.stock[year] = stock
    return series


def _by_year(perimetre: Perimetre, before: int, last: int) -> tuple[Select, Select]:
    """Of every nature, the counters summed over the natures (`MesuresAnnee`): the events of a territory, type and
    year in one row, read as they are; then the stock at the end of the years before, per territory and type."""
    counter = MesuresAnnee
    recent = select(
        counter.departement,
        counter.type,
        counter.annee,
        counter.ouvertures,
        counter.sorties,
        counter.eteintes,
        *(getattr(counter, CAUSE_COLUMNS[cause]) for cause in CAUSES),
    ).where(counter.annee.between(before, last))
    base = (
        select(counter.departement, counter.type, func.sum(counter.ouvertures - counter.sorties))
        .where(counter.annee < before)
        .group_by(counter.departement, counter.type)
    )
    return repository.counted_within(recent, counter, perimetre), repository.counted_within(base, counter, perimetre)


def _by_nature(perimetre: Perimetre, before: int, last: int, natures: Sequence[str]) -> tuple[Select, Select]:
    """Of a few natures, their counters (`MesureEvenementAnnuel`), in the rows and columns of `_by_year` with the
    nature in place of the type."""
    counter = MesureEvenementAnnuel
    ending = counter.evenement == Evenement.FIN

    def summed(condition: Any) -> Any:
        return func.sum(counter.nombre).filter(condition)  # NULL when no counter matches

    # One row per territory, nature and year shown, the events in columns (summed in SQL: ten times fewer rows to
    # fetch and fold than one per event and cause; FILTER costs SQLite less than CASE), grouped in the order of the
    # nature index (read in order, never sorted); then the stock at the end of the years before, in one figure per
    # territory and nature.
    recent = select(
        counter.departement,
        counter.nature,
        counter.annee,
        summed(counter.evenement == Evenement.OUVERTURE),
        summed(counter.evenement == Evenement.SORTIE),
        summed(ending),
        # Only an end carries a cause (`app.registry.statistics`): the cause alone picks it, one test a row.
        *(summed(counter.cause == cause) for cause in CAUSES),
    ).where(counter.annee.between(before, last))
    base = select(
        counter.departement,
        counter.nature,
        func.sum(
            case(
                (counter.evenement == Evenement.OUVERTURE, counter.nombre),
                (counter.evenement == Evenement.SORTIE, -counter.nombre),
                else_=0,
            )
        ),
    ).where(counter.annee < before, counter.evenement != Evenement.FIN)
    chosen = counter.nature.in_(natures)
    return (
        repository.counted_within(
            recent.where(chosen).group_by(counter.nature, counter.annee, counter.departement), counter, perimetre
        ),
        repository.counted_within(base.where(chosen).group_by(counter.nature, counter.departement), counter, perimetre),
    )


def _dated_after(
    session: Session, perimetre: Perimetre, after: date, until: date, natures: Sequence[str] | None
) -> list[tuple[str, str, YearlyShare]]:
    """The designated measures of the perimeter nominated or ended after `after` and up to `until`: read by the
    date indexes alone (joined to the tribunals, SQLite would read every measure of each), then placed."""
    days = (after + timedelta(days=1), until)
    query = select(Mesure.tribunal_id, Mesure.mandataire_id, *(getattr(Mesure, name) for name in SHARE_FIELDS)).where(
        *DESIGNATED, Mesure.date_nomination.between(*days) | Mesure.date_fin_mesure.between(*days)
    )
    # The natures too are kept here: filtered in SQL, SQLite would take the nature index instead of the dates'.
    rows = [row for row in session.execute(query) if natures is None or row.nature in natures]
    if not rows:
        return []
    tribunaux = select(Tribunal.id, Tribunal.departement).where(Tribunal.id.in_({row.tribunal_id for row in rows}))
    departements = {tribunal_id: departement for tribunal_id, departement in session.execute(tribunaux)}
    mandataires = select(Mandataire.id, Mandataire.type).where(Mandataire.id.in_({row.mandataire_id for row in rows}))
    types = {mandataire_id: kind for mandataire_id, kind in session.execute(mandataires)}
    found = []
    for row in rows:
        departement, kind = departements[row.tribunal_id], types[row.mandataire_id]
        if perimetre.departements is not None and departement not in perimetre.departements:
            continue
        if perimetre.type is not None and kind != perimetre.type:
            continue
        share = YearlyShare.of_values(row.tribunal_id, row.mandataire_id, row._mapping)
        if share is not None:
            found.append((departement, kind, share))
    return found


def annees(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: str) -> Contenu:
    first, last, _ = years(perimetre)
    folded = yearly(session, perimetre, first, last)
    if par == "region":  # a département's series are its own: only a région's are added up
        by_region: dict[tuple[str, str], Series] = defaultdict(Series)
        for (departement, kind), one in folded.items():
            by_region[(territory_code(gazetteer, departement, par), kind)].add(one)
        folded = by_region
    order = {kind.value: rank for rank, kind in enumerate(TYPES)}
    lignes: list[dict[str, Any]] = []
    total = Series()  # its stocks alone: the totals' flows add up the lines
    for (code, kind), one in sorted(folded.items(), key=lambda item: (item[0][0], order.get(item[0][1], 9))):
        if not one.shown(first, last):
            continue
        for year, n in one.stock.items():
            total.stock[year] += n
        cells = {**territory_cells(gazetteer, code, par), "type": kind}
        for year in range(first, last + 1):
            lignes.append({**cells, **one.row(year), "tcam_stock": None})
        lignes[-1]["tcam_stock"] = compound_growth(one.stock.get(first, 0), one.stock.get(last, 0), last - first)
    keys = territory_keys(par)
    totaux: dict[str, Value] = {keys[0]: "Total", **total.row(last), "annee": None}
    for key in ("ouvertes", "eteintes", *(f"eteintes_{c}" for c in CAUSES), "eteintes_sans_cause", *ANSWERS.values()):
        totaux[key] = sum(map(itemgetter(key), lignes))
    totaux["evolution_ouvertes"] = None
    totaux["tcam_stock"] = compound_growth(total.stock.get(first, 0), total.stock.get(last, 0), last - first)
    return Contenu(
        lignes=lignes,
        totaux=totaux,
        note=NOTE,
        filtres=perimetre.filtres(par=par, debut=date(first, 1, 1), fin=date(last, 12, 31)),
        cles=[*keys, "type", *(c.cle for c in COLONNES)],
    )


COLONNES = (
    colonne("annee", "Année"),
    colonne("stock_31_decembre", "Stock au 31 décembre"),
    colonne("evolution_stock", "Évolution du stock sur un an", "pourcentage"),
    colonne("ouvertes", "Mesures ouvertes"),
    colonne("evolution_ouvertes", "Évolution des ouvertures sur un an", "pourcentage"),
    colonne("eteintes", "Mesures éteintes"),
    *(
        colonne(f"eteintes_{cause.value}", f"Éteintes : {label.lower()}")
        for cause, label in CAUSE_SORTIE_LABELS.items()
    ),
    colonne("eteintes_sans_cause", "Éteintes : cause non renseignée"),
    colonne("designations", "Désignations par les juges (réservations acceptées)"),
    colonne("refus", "Réservations refusées"),
    colonne("expirees", "Réservations expirées"),
    colonne("tcam_stock", "Taux de croissance annuel moyen du stock", "pourcentage"),
)

TABLE = Table(
    nom="annees",
    titre="Stock et flux annuels par territoire et par exercice",
    description="Par année, territoire et type de professionnel : stock de mesures au 31 décembre, mesures "
    "ouvertes et éteintes (par cause), désignations, refus et expirations des réservations, évolutions et taux de "
    "croissance annuel moyen.",
    colonnes=(*TERRITOIRE, colonne("type", "Exercice", "texte"), *COLONNES),
    calcul=annees,
    parametres=par_territoire,
    ordre=10,
    periode=True,
    codes={"type": MANDATAIRE_TYPE_LABELS},
    graphique=Graphique(
        titre="Stock de mesures au 31 décembre",
        legende="Mesures en cours au 31 décembre de chaque année (à ce jour pour l'année en cours), tous "
        "territoires et exercices du périmètre.",
        abscisse="annee",
        series=(("stock_31_decembre",),),
    ),
)
