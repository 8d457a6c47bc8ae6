"""Measures of the family budget (DPF): MJAGBF only, and MJAGBF with MAJ, per territory and year, from the same
yearly computation as the `annees` table restricted to these natures."""

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.dashboards.dependencies import par_territoire
from app.dashboards.folding import TERRITOIRE, growth, territory_cells, territory_code, territory_keys, years
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Graphique, Table, colonne
from app.dashboards.tables.annees import Series, yearly
from app.geo.gazetteer import Gazetteer
from app.registry.constants import Nature

GROUPS = (
    ("mjagbf", "MJAGBF", (Nature.MJAGBF.value,)),
    ("mjagbf_maj", "MJAGBF et MAJ", (Nature.MJAGBF.value, Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE.value)),
)
FIGURES = (("stock", "stock au 31 décembre"), ("ouvertes", "mesures ouvertes"), ("eteintes", "mesures éteintes"))
NOTE = (
    "Mesures judiciaires d'aide à la gestion du budget familial (MJAGBF) seules, puis avec les mesures "
    "d'accompagnement judiciaire (MAJ). Mêmes définitions que le tableau « Stock et flux annuels » : stock au 31 "
    "décembre (à ce jour pour l'année en cours), ouvertures par année de nomination, extinctions par année de fin ; "
    "territoire du tribunal ; tous exercices confondus (le filtre de type en garde un). Les ETP des services ne "
    "sont pas rapportés ici. Période par défaut : les 6 dernières années."
)


def dpf(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: str) -> Contenu:
    first, last, _ = years(perimetre)
    folded: dict[str, dict[str, Series]] = defaultdict(lambda: defaultdict(Series))
    for key, _, natures in GROUPS:
        for (departement, _kind), one in yearly(session, perimetre, first, last, natures=natures).items():
            folded[key][territory_code(gazetteer, departement, par)].add(one)
    codes = sorted(set(folded["mjagbf_maj"]) | set(folded["mjagbf"]))
    lignes: list[dict[str, Any]] = []
    for code in codes:
        shown = any(folded[key][code].shown(first, last) for key, _, _ in GROUPS)
        if not shown:
            continue
        for year in range(first, last + 1):
            row: dict[str, Value] = {**territory_cells(gazetteer, code, par), "annee": year}
            for key, _, _ in GROUPS:
                figures = folded[key][code].row(year)
                row[f"{key}_stock"] = figures["stock_31_decembre"]
                row[f"{key}_ouvertes"] = figures["ouvertes"]
                row[f"{key}_eteintes"] = figures["eteintes"]
                row[f"{key}_evolution_stock"] = figures["evolution_stock"]
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
