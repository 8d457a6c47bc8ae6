"""A simulation's answer as a table (text for the command line, CSV through the dashboards' one writer), a PNG
plot of the same figures, and the engine's target checked against the frontier."""

import io
from collections.abc import Mapping

from app.dashboards.exports import to_csv
from app.dashboards.schemas import Colonne, Tableau
from app.matching.engine import EXERCICES
from app.planning.constants import Detail

# (key, French label, type): the columns of the CSV, the text table and the plot's data.
COLUMNS = (
    ("strategie", "Stratégie", "texte"),
    ("designations", "Désignations", "entier"),
    ("distance_moyenne_km", "Distance moyenne (km)", "decimal"),
    ("distance_p90_km", "Distance p90 (km)", "decimal"),
    ("au_dela_capacite", "Au-delà de la capacité", "entier"),
    ("sans_candidat", "Sans candidat", "entier"),
    ("gini_occupation", "Gini de l'occupation", "decimal"),
    ("p90_p10_occupation", "Occupation p90/p10", "decimal"),
    ("occupation_moyenne", "Occupation moyenne", "pourcentage"),
    *((f"part_{e}", f"Part {e}", "pourcentage") for e in EXERCICES),
)
# The breakdown by région or département (`Detail`): one row per territory and strategy.
DETAIL_LABELS = {"region": "Région", "departement": "Département"}
DETAIL_COLUMNS = (
    ("territoire", "Territoire", "texte"),
    ("strategie", "Stratégie", "texte"),
    ("arrivees", "Arrivées", "entier"),
    ("designations", "Désignations", "entier"),
    ("distance_moyenne_km", "Distance moyenne (km)", "decimal"),
    ("ecart_frontiere", "Distance par rapport à la frontière", "pourcentage"),
    ("au_dela_capacite", "Au-delà de la capacité", "entier"),
    ("sans_candidat", "Sans candidat", "entier"),
)
# The engine's target (issue 19): within 25 % of the frontier's mean distance, no wider occupancy spread.
DISTANCE_MARGIN = 1.25


def rows(simulation: dict) -> list[dict]:
    return [
        {
            **{key: resultat.get(key) for key, _, _ in COLUMNS},
            **{f"part_{e}": resultat["part_par_exercice"].get(e, 0.0) for e in EXERCICES},
        }
        for resultat in simulation["resultats"]
    ]


def tableau(simulation: dict) -> Tableau:
    hypotheses = simulation["hypotheses"]
    return Tableau(
        nom="simulation",
        titre="Simulation des désignations",
        note=f"{sum(hypotheses['arrivees_par_an'])} arrivées sur {hypotheses['annees']} an(s), "
        f"graine {hypotheses['graine']}, clôtures {hypotheses['taux_cloture_annuel']:.1%} par an",
        filtres={"territoire": simulation["territoire"]},
        colonnes=[Colonne(cle=key, libelle=label, type=kind) for key, label, kind in COLUMNS],
        lignes=rows(simulation),
        totaux=None,
    )


def csv_bytes(simulation: dict) -> bytes:
    return to_csv(tableau(simulation))


def detail_rows(simulation: dict, par: Detail, names: Mapping[str, str] | None = None) -> list[dict]:
    """Each strategy's figures in each région or département (`names`: their names, by code), with the mean
    distance's gap to the frontier's there."""
    key = f"par_{par}"
    frontier = {
        row[par]: row["distance_moyenne_km"]
        for resultat in simulation["resultats"]
        if resultat["strategie"] == "frontiere"
        for row in resultat[key]
    }
    found = [
        (row[par], position, resultat["strategie"], row)
        for position, resultat in enumerate(simulation["resultats"])
        for row in resultat[key]
    ]
    names = names or {}
    return [
        {
            "territoire": f"{code} {names[code]}" if code in names else code,
            "strategie": strategie,
            **{
                k: row[k]
                for k in ("arrivees", "designations", "distance_moyenne_km", "au_dela_capacite", "sans_candidat")
            },
            "ecart_frontiere": (
                row["distance_moyenne_km"] / frontier[code] - 1
                if row["distance_moyenne_km"] is not None and frontier.get(code)
                else None
            ),
        }
        for code, _, strategie, row in sorted(found, key=lambda item: item[:2])
    ]


def detail_tableau(simulation: dict, par: Detail, names: Mapping[str, str] | None = None) -> Tableau:
    return Tableau(
        nom=f"simulation-par-{par}",
        titre=f"Simulation des désignations, par {DETAIL_LABELS[par].lower()}",
        note="Écart à la frontière : distance moyenne de la stratégie sur celle de la frontière dans ce territoire",
        filtres={"territoire": simulation["territoire"]},
        colonnes=[Colonne(cle=key, libelle=label, type=kind) for key, label, kind in DETAIL_COLUMNS],
        lignes=detail_rows(simulation, par, names),
        totaux=None,
    )


def detail_csv_bytes(simulation: dict, par: Detail, names: Mapping[str, str] | None = None) -> bytes:
    return to_csv(detail_tableau(simulation, par, names))


def territory(simulation: dict) -> str:
    codes = simulation["territoire"]
    return ", ".join(codes) if len(codes) <= 6 else f"{len(codes)} départements"


def _cell(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pourcentage":
        return f"{value:.1%}"
    if kind == "decimal":
        return f"{value:.3f}" if abs(value) < 1 else f"{value:.2f}"
    return str(value)


def _aligned(columns: tuple[tuple[str, str, str], ...], data: list[dict]) -> list[str]:
    header = [label for _, label, _ in columns]
    body = [[_cell(row[key], kind) for key, _, kind in columns] for row in data]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, *body]
    ]


def text_table(simulation: dict, detail: Detail | None = None, names: Mapping[str, str] | None = None) -> str:
    """The table as aligned text, then the hypotheses and, with the engine and the frontier, the target's check;
    with `detail`, the figures by région or département after them."""
    lines = _aligned(COLUMNS, rows(simulation))
    hypotheses = simulation["hypotheses"]
    lines.append("")
    lines.append(
        f"territoire : {territory(simulation)} ; {hypotheses['professionnels']} professionnels ; "
        f"arrivées par an : {', '.join(map(str, hypotheses['arrivees_par_an']))} à partir du {hypotheses['debut']} ; "
        f"clôtures : {hypotheses['taux_cloture_annuel']:.1%} par an ; graine {hypotheses['graine']}"
    )
    lines.extend(verdict(simulation))
    if detail is not None:
        lines.extend(["", f"par {DETAIL_LABELS[detail].lower()} :"])
        lines.extend(_aligned(DETAIL_COLUMNS, detail_rows(simulation, detail, names)))
    return "\n".join(lines)


def verdict(simulation: dict) -> list[str]:
    """The engine against the frontier: no designation beyond capacity, mean distance within 25 % of the
    frontier's, a Gini at the end no higher than the frontier's."""
    by_code = {r["strategie"]: r for r in simulation["resultats"]}
    engine, frontier = by_code.get("moteur"), by_code.get("frontiere")
    if engine is None or frontier is None or not engine["distance_moyenne_km"] or not frontier["distance_moyenne_km"]:
        return []
    ratio = engine["distance_moyenne_km"] / frontier["distance_moyenne_km"]
    checks = [
        ("aucune désignation au-delà de la capacité", engine["au_dela_capacite"] == 0),
        (f"distance moyenne {ratio - 1:+.0%} par rapport à la frontière (objectif ≤ +25 %)", ratio <= DISTANCE_MARGIN),
        (
            f"Gini {engine['gini_occupation']:.3f} contre {frontier['gini_occupation']:.3f} pour la frontière "
            "(objectif : pas plus)",
            (engine["gini_occupation"] or 0) <= (frontier["gini_occupation"] or 0),
        ),
    ]
    return ["objectif du moteur :"] + [f"  [{'atteint' if ok else 'manqué'}] {text}" for text, ok in checks]


def png_bytes(simulation: dict) -> bytes:
    """Three panels per strategy: mean and p90 distance, designations beyond capacity, Gini of the occupancy."""
    import matplotlib  # lazily: only plots need it, and it is slow to import

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    data = rows(simulation)
    names = [row["strategie"] for row in data]
    positions = list(range(len(names)))
    figure, (distance, beyond, spread) = plt.subplots(1, 3, figsize=(13, 4.2), layout="constrained")
    width = 0.4
    distance.bar(
        [p - width / 2 for p in positions], [r["distance_moyenne_km"] or 0 for r in data], width, label="moyenne"
    )
    distance.bar([p + width / 2 for p in positions], [r["distance_p90_km"] or 0 for r in data], width, label="p90")
    distance.set_title("Distance (km)")
    distance.legend()
    beyond.bar(positions, [r["au_dela_capacite"] for r in data], color="tab:red")
    beyond.set_title("Désignations au-delà de la capacité")
    spread.bar(positions, [r["gini_occupation"] or 0 for r in data], color="tab:green")
    spread.set_title("Gini de l'occupation en fin de période")
    for axes in (distance, beyond, spread):
        axes.set_xticks(positions, names, rotation=20, ha="right")
    arrivals = sum(simulation["hypotheses"]["arrivees_par_an"])
    figure.suptitle(f"Simulation : {territory(simulation)}, {arrivals} arrivées")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()
