"""Measures of the family budget (DPF): MJAGBF only, and MJAGBF with MAJ, per territory and year, from the same
yearly computation as the `annees` table restricted to these natures."""

from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dashboards.dependencies import par_territoire
from app.dashboards.folding import TERRITOIRE, growth, territory_cells, territory_code, territory_keys, years
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Graphique, Table, colonne
from app.dashboards.tables.annees import (
    DESIGNATED,
    Series,
    _dated_after,
    answered_departements,
    buckets,
    measures_in,
    stock_years,
    yearly,
)
from app.dashboards.tables.charge_professionnels import declared_etp, etp_of_year
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal
from app.registry.constants import MandataireType, Nature
from app.registry.models import EtpService, Mandataire, Mesure, MesureServiceAnnuel
from app.registry.statistics import Evenement, YearlyShare

GROUPS = (
    ("mjagbf", "MJAGBF", (Nature.MJAGBF.value,)),
    ("mjagbf_maj", "MJAGBF et MAJ", (Nature.MJAGBF.value, Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE.value)),
)
FIGURES = (("stock", "stock au 31 décembre"), ("ouvertes", "mesures ouvertes"), ("eteintes", "mesures éteintes"))
NOTE = (
    "Mesures judiciaires d'aide à la gestion du budget familial (MJAGBF) seules, puis avec les mesures "
    "d'accompagnement judiciaire (MAJ). Mêmes définitions que le tableau « Stock et flux annuels » : stock au 31 "
    "décembre (à ce jour pour l'année en cours), ouvertures par année de nomination, extinctions par année de fin ; "
    "territoire du tribunal ; tous exercices confondus (le filtre de type en garde un). Par ETP : le stock au 31 "
    "décembre des services qui ont déclaré leurs ETP pour l'année (à défaut, leur dernière déclaration antérieure), "
    "divisé par la part de leurs ETP que ces mesures représentent dans tout leur stock (toutes natures, tous "
    "territoires) ; ETP affectés : cette part. Période par défaut : les 6 dernières années."
)


def _per_etp(
    session: Session, gazetteer: Gazetteer, perimetre: Perimetre, first: int, last: int, par: str
) -> dict[tuple[str, str, int], list[float]]:
    """(group, territory, year) → [stock of the services with declared ETP, their ETP prorated to that stock]: a
    service's ETP of a year are shared among all its measures in stock at 31 December, of every nature and
    territory. Read from the services' yearly counters (`app.registry.statistics`); a tribunal's measures, which
    those do not tell apart, from its measures."""
    if perimetre.type not in (None, MandataireType.SERVICE):
        return {}
    _, _, last_day = years(perimetre)
    natures = GROUPS[-1][2]
    counter = MesureServiceAnnuel
    # The current year counts up to today: the services' events dated later, taken back from the counters.
    later = []
    if last_day < date(last, 12, 31):
        services = replace(perimetre, departements=None, tribunal=None, type=MandataireType.SERVICE)
        later = _dated_after(session, services, last_day, date(last, 12, 31), None)
    if perimetre.tribunal is None:
        inside = [counter.nature.in_(natures)]
        if perimetre.departements is not None:
            inside.append(counter.departement.in_(perimetre.departements))
        dpf_later = [
            ((share.nature, departement, share.mandataire_id), share)
            for departement, _, share in later
            if share.nature in natures and (perimetre.departements is None or departement in perimetre.departements)
        ]
        keys = (counter.nature, counter.departement, counter.mandataire_id)
        dpf_stock = _counted_stocks(session, keys, inside, first, last, last_day, dpf_later)
    else:
        dpf_stock = _tribunal_stocks(session, perimetre, first, last)
    held_dpf = {mandataire_id for _, _, mandataire_id in dpf_stock}
    # Nationally, the declarations and the whole stock of every service that declared: the list of the ids of
    # nearly every service would cost more to compile and send than the few other rows. In a smaller territory,
    # those of its services.
    national = perimetre.departements is None
    declaring = select(EtpService.mandataire_id) if national else sorted(held_dpf)
    declared = {
        mandataire_id: etps
        for mandataire_id, etps in declared_etp(session, None if national else held_dpf).items()
        if mandataire_id in held_dpf
    }
    if not declared:
        return {}
    everything_later = [((share.mandataire_id,), share) for _, _, share in later if share.mandataire_id in declared]
    everything = _counted_stocks(
        session,
        (counter.mandataire_id,),
        [counter.mandataire_id.in_(declaring)],
        first,
        last,
        last_day,
        everything_later,
    )
    # Per service and year: its ETP and its whole stock.
    shares: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)
    for mandataire_id, etps in declared.items():
        stock = everything.get((mandataire_id,), {})
        etp = etp_of_year(etps, first - 1)
        for year in range(first, last + 1):
            etp = etps.get(year, etp)  # its declaration for the year, else its latest earlier one (`etp_of_year`)
            if etp is not None and stock.get(year):
                shares[mandataire_id][year] = (etp, stock[year])
    figures: dict[tuple[str, str, int], list[float]] = defaultdict(lambda: [0, 0.0])
    for (nature, departement, mandataire_id), by_year in dpf_stock.items():
        code, share = territory_code(gazetteer, departement, par), shares.get(mandataire_id, {})
        groups = [key for key, _, group in GROUPS if nature in group]
        for year, n in by_year.items():
            if year in share:
                etp, held = share[year]
                for key in groups:
                    figures[(key, code, year)][0] += n
                    figures[(key, code, year)][1] += etp * n / held
    return figures


def _counted_stocks(
    session: Session,
    keys: tuple,
    where: list,
    first: int,
    last: int,
    last_day: date,
    later: list[tuple[tuple, YearlyShare]],
) -> dict[tuple, dict[int, int]]:
    """key → {year: stock at 31 December} for the years `first`…`last`, from the services' counters: the years
    before `first` summed in one, then each year's openings less exits; the events of `later` (measures dated after
    `last_day`, by key) taken back."""
    counter = MesureServiceAnnuel
    held = func.sum(counter.ouvertures - counter.sorties)
    moves: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    # Grouped in the order of the key or of the nature index: read in order, never sorted.
    recent = select(*keys, counter.annee, held).where(*where, counter.annee.between(first, last))
    base = select(*keys, held).where(*where, counter.annee < first)
    # Fetched at once (row by row, each row costs a call into the driver); a row's key is its first columns.
    connection, width = session.connection(), len(keys)
    for row in connection.execute(recent.group_by(*keys, counter.annee)).all():
        moves[row[:width]][row[width]] += row[width + 1]
    for row in connection.execute(base.group_by(*keys)).all():
        moves[row[:width]][first - 1] += row[width]
    for shared, share in later:
        for events, sign in ((share.events(), -1), (share.events(until=last_day), 1)):
            for year, evenement, _ in events:
                if year <= last and evenement != Evenement.FIN:
                    moved = sign if evenement == Evenement.OUVERTURE else -sign
                    moves[shared][max(year, first - 1)] += moved
    stocks: dict[tuple, dict[int, int]] = {}
    for key, by_year in moves.items():
        stock, found = by_year.get(first - 1, 0), {}
        for year in range(first, last + 1):
            stock += by_year.get(year, 0)
            if stock:
                found[year] = stock
        stocks[key] = found
    return stocks


def _tribunal_stocks(session: Session, perimetre: Perimetre, first: int, last: int) -> dict[tuple, dict[int, int]]:
    """(nature, département, service) → {year: stock at 31 December} of the DPF measures of the perimeter's
    tribunal, from its measures (a tribunal's are few)."""
    _, _, last_day = years(perimetre)
    opened, closed = buckets(first - 1, last, last_day)
    query = measures_in(
        select(Mesure.nature, Tribunal.departement, Mesure.mandataire_id)
        .select_from(Mesure)
        .where(*DESIGNATED, Mesure.nature.in_(GROUPS[-1][2]), Mandataire.type == MandataireType.SERVICE),
        perimetre,
    )
    bucketed = query.add_columns(opened.label("ouverte"), closed.label("eteinte")).subquery()
    keys = [c for c in bucketed.c if c.name not in ("ouverte", "eteinte")]
    grouped = select(*keys, bucketed.c.ouverte, bucketed.c.eteinte, func.count()).group_by(
        *keys, bucketed.c.ouverte, bucketed.c.eteinte
    )
    found: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for *columns, year_opened, year_closed, n in session.execute(grouped):
        for year in stock_years(year_opened, year_closed, first, last):
            found[tuple(columns)][year] += n
    return found


def _per_etp_cells(figures: list[float] | None) -> tuple[float | None, float | None]:
    if not figures or not figures[1]:
        return None, None
    return round(figures[1], 2), round(figures[0] / figures[1], 2)


def dpf(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: str) -> Contenu:
    first, last, last_day = years(perimetre)
    folded: dict[str, dict[str, Series]] = defaultdict(lambda: defaultdict(Series))
    # The series of every DPF nature at once, per nature: each group adds up those of its natures.
    for (departement, nature), one in yearly(session, perimetre, first, last, natures=GROUPS[-1][2]).items():
        code = territory_code(gazetteer, departement, par)
        for key, _, natures in GROUPS:
            if nature in natures:
                folded[key][code].add(one)
    # The reservations' answers only show a territory: which territories have any is enough.
    answered = {
        territory_code(gazetteer, departement, par)
        for departement in answered_departements(session, perimetre, first, last_day, GROUPS[-1][2])
    }
    per_etp = _per_etp(session, gazetteer, perimetre, first, last, par)
    widest = folded[GROUPS[-1][0]]
    lignes: list[dict[str, Any]] = []
    for code in sorted(widest.keys() | answered):
        if code not in answered and not widest[code].shown(first, last):
            continue
        cells = territory_cells(gazetteer, code, par)
        # Per group, the year's stock, openings and closures (all causes), read from the series.
        figures: dict[str, tuple[dict[int, int], dict[int, int], dict[int, int]]] = {}
        for key, _, _ in GROUPS:
            one, closings = folded[key][code], defaultdict[int, int](int)
            for (year, _cause), n in one.eteintes.items():
                closings[year] += n
            figures[key] = (one.stock, one.ouvertes, closings)
        for year in range(first, last + 1):
            row: dict[str, Value] = {**cells, "annee": year}
            for key, (stocks, openings, closed) in figures.items():
                row[f"{key}_stock"] = stocks.get(year, 0)
                row[f"{key}_ouvertes"] = openings.get(year, 0)
                row[f"{key}_eteintes"] = closed.get(year, 0)
                row[f"{key}_evolution_stock"] = growth(stocks.get(year, 0), stocks.get(year - 1, 0))
                row[f"{key}_etp"], row[f"{key}_par_etp"] = _per_etp_cells(per_etp.get((key, code, year)))
            lignes.append(row)
    keys = territory_keys(par)
    totaux: dict[str, Value] = {keys[0]: "Total"}
    for key, _, _ in GROUPS:
        last_rows = [row for row in lignes if row["annee"] == last]
        previous = [row for row in lignes if row["annee"] == last - 1]
        stock = sum(int(row[f"{key}_stock"] or 0) for row in last_rows)
        totaux[f"{key}_stock"] = stock
        totaux[f"{key}_evolution_stock"] = growth(stock, sum(int(row[f"{key}_stock"] or 0) for row in previous))
        for figure in ("ouvertes", "eteintes"):
            totaux[f"{key}_{figure}"] = sum(int(row[f"{key}_{figure}"] or 0) for row in lignes)
        held = [part for (group, _, year), part in per_etp.items() if group == key and year == last]
        summed = [sum(part[0] for part in held), sum(part[1] for part in held)]
        totaux[f"{key}_etp"], totaux[f"{key}_par_etp"] = _per_etp_cells(summed)
    return Contenu(
        lignes=lignes,
        totaux=totaux,
        note=NOTE,
        filtres=perimetre.filtres(par=par, debut=date(first, 1, 1), fin=date(last, 12, 31)),
        cles=[*keys, "annee", *(c.cle for c in COLONNES)],
    )


COLONNES = tuple(
    column
    for key, label, _ in GROUPS
    for column in (
        colonne(f"{key}_stock", f"{label} : stock au 31 décembre"),
        colonne(f"{key}_evolution_stock", f"{label} : évolution du stock sur un an", "pourcentage"),
        colonne(f"{key}_ouvertes", f"{label} : mesures ouvertes"),
        colonne(f"{key}_eteintes", f"{label} : mesures éteintes"),
        colonne(f"{key}_etp", f"{label} : ETP affectés des services", "decimal"),
        colonne(f"{key}_par_etp", f"{label} : mesures par ETP des services", "decimal"),
    )
)

TABLE = Table(
    nom="dpf",
    titre="Mesures du budget familial (MJAGBF, MAJ) par année",
    description="Par territoire et par année : stock au 31 décembre, ouvertures et extinctions des MJAGBF seules, "
    "puis des MJAGBF et MAJ ensemble.",
    colonnes=(*TERRITOIRE, colonne("annee", "Année"), *COLONNES),
    calcul=dpf,
    parametres=par_territoire,
    ordre=12,
    periode=True,
    graphique=Graphique(
        titre="MJAGBF et MAJ au 31 décembre",
        legende="Stock de MJAGBF seules, et de MJAGBF et MAJ ensemble, au 31 décembre de chaque année.",
        abscisse="annee",
        series=(("mjagbf_stock",), ("mjagbf_maj_stock",)),
    ),
)
