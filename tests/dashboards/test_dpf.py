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


def test_dpf_per_etp_shares_the_services_declared_etp_among_all_their_measures(client, admin):
    from datetime import timedelta

    from tests.registry.factories import mandataire_body, mesure_body

    service = client.post(
        "/mandataires",
        headers=admin,
        json=mandataire_body(
            type="service",
            nom="UDAF",
            dpf=True,
            capacite=100,
            natures=["curatelle_renforcee", "mesure_accompagnement_judiciaire", "mjagbf"],
        ),
    ).json()
    nominated = str(utcnow().date() - timedelta(days=400))
    for nature in ("mjagbf", "mjagbf", "mesure_accompagnement_judiciaire", "curatelle_renforcee"):
        body = mesure_body(mandataire=service["id"], nature=nature, date_nomination=nominated)
        created = client.post("/mesures", headers=admin, json=body)
        assert created.status_code == 201, created.text
    year = utcnow().year
    before = {
        (r["departement"], r["annee"]): r for r in client.get("/tableaux-de-bord/dpf", headers=admin).json()["lignes"]
    }
    assert before[("59", year)]["mjagbf_par_etp"] is None  # no ETP declared: no ratio, not a zero
    assert (
        client.put(f"/mandataires/{service['id']}/etp/{year - 1}", headers=admin, json={"etp": 2.0}).status_code == 200
    )

    table = client.get("/tableaux-de-bord/dpf", headers=admin).json()
    rows = {(r["departement"], r["annee"]): r for r in table["lignes"]}
    # 2 ETP for 4 measures in stock: 2 MJAGBF hold 1 ETP, MJAGBF and MAJ 1.5; 2 measures per ETP either way.
    for at in (year - 1, year):  # this year: last year's declaration stands
        row = rows[("59", at)]
        assert (row["mjagbf_stock"], row["mjagbf_etp"], row["mjagbf_par_etp"]) == (2, 1.0, 2.0)
        assert (row["mjagbf_maj_stock"], row["mjagbf_maj_etp"], row["mjagbf_maj_par_etp"]) == (3, 1.5, 2.0)
    assert rows[("59", year - 2)]["mjagbf_etp"] is None
    assert (table["totaux"]["mjagbf_maj_etp"], table["totaux"]["mjagbf_maj_par_etp"]) == (1.5, 2.0)
    individual = client.get("/tableaux-de-bord/dpf", headers=admin, params={"type": "individuel"}).json()
    assert all(r["mjagbf_etp"] is None for r in individual["lignes"])
