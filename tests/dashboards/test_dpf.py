"""The DPF table (`dpf`): MJAGBF only, and MJAGBF with MAJ, per département and year, recomputed from the measures of
the regional demo with the definitions of the yearly table."""

from collections import defaultdict

from app.database import utcnow
from tests.dashboards.test_annees import Measure, _day, expected

QUERY = """SELECT t.departement, x.type, m.date_nomination, m.date_fin_mesure, m.cause_sortie, m.statut, m.nature
           FROM mesure m JOIN mandataire x ON x.id = m.mandataire_id JOIN tribunal t ON t.id = m.tribunal_id
           WHERE m.date_nomination IS NOT NULL AND m.statut != 'en_attente'
             AND m.nature IN ('mjagbf', 'mesure_accompagnement_judiciaire')"""


def test_dpf_per_departement_and_year_matches_a_recount(regional):
    table = regional.get("/tableaux-de-bord/dpf").json()
    rows = {(r["departement"], r["annee"]): r for r in table["lignes"]}
    first, last = min(y for _, y in rows), max(y for _, y in rows)
    found = regional.rows(QUERY)
    assert {nature for *_, nature in found} == {"mjagbf", "mesure_accompagnement_judiciaire"}
    for key, natures in (("mjagbf", {"mjagbf"}), ("mjagbf_maj", {"mjagbf", "mesure_accompagnement_judiciaire"})):
        measures = [
            Measure(dep, kind, _day(start), _day(end), cause, statut)
            for dep, kind, start, end, cause, statut, nature in found
            if nature in natures
        ]
        figures = expected(measures, first, last, utcnow().date(), {m.departement for m in measures})
        per_departement: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (dep, _, year), values in figures.items():
            for name in ("stock_31_decembre", "ouvertes", "eteintes"):
                per_departement[(dep, year)][name] += values[name]
        for (dep, year), values in per_departement.items():
            if year < first:
                continue
            row = rows[(dep, year)]
            assert (row[f"{key}_stock"], row[f"{key}_ouvertes"], row[f"{key}_eteintes"]) == (
                values["stock_31_decembre"],
                values["ouvertes"],
                values["eteintes"],
            ), (key, dep, year)
        assert table["totaux"][f"{key}_stock"] == sum(
            v["stock_31_decembre"] for (_, year), v in per_departement.items() if year == last
        )
    assert all(r["mjagbf_maj_stock"] >= r["mjagbf_stock"] for r in table["lignes"])
    services = regional.get("/tableaux-de-bord/dpf", type="service", par="region").json()
    assert {r["region"] for r in services["lignes"]} == {"32"}
