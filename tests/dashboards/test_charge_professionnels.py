"""Workload per professional and per ETP (`charge-professionnels`) and the ETP a service declares per year
(`GET /mandataires/{id}/etp`, `PUT /mandataires/{id}/etp/{annee}`)."""

from collections import defaultdict

import pytest

from app.database import utcnow
from tests.registry.factories import mandataire_body, mesure_body

LILLE_TJ = "17590111500709"


def test_a_service_declares_its_etp_and_the_table_divides_its_measures_by_them(client, admin, make_token):
    body = mandataire_body(
        type="service",
        nom="Service Nord",
        departements=["59", "62"],
        sites=[{"nom": "Lille", "insee": "59350"}, {"nom": "Arras", "insee": "62041"}],
        capacite=200,
    )
    response = client.post("/mandataires", headers=admin, json=body)
    assert response.status_code == 201, response.text
    service = response.json()
    lille, arras = (site["id"] for site in service["sites"])
    for site in (lille, lille, lille, arras):
        body = mesure_body(tribunal=LILLE_TJ, mandataire=service["id"], site=site)
        assert client.post("/mesures", headers=admin, json=body).status_code == 201
    mi = client.post("/mandataires", headers=admin, json=mandataire_body(nom="Individuel")).json()
    assert client.post("/mesures", headers=admin, json=mesure_body(mandataire=mi["id"])).status_code == 201

    year = utcnow().date().year
    itself = make_token("mandataire", mandataire_id=service["id"])
    put = client.put(f"/mandataires/{service['id']}/etp/{year - 1}", headers=itself, json={"etp": 1.0})
    assert put.status_code == 200 and put.json() == {"annee": year - 1, "etp": 1.0}
    table = client.get("/tableaux-de-bord/charge-professionnels", headers=admin).json()
    assert table["totaux"]["etp_services"] == 1.0  # the latest earlier declaration stands for this year
    # An agent of its territory corrects this year's; a bad value is a 422 naming the field, an agent elsewhere 404.
    agent = make_token("agent", departement="59")
    assert client.put(f"/mandataires/{service['id']}/etp/{year}", headers=agent, json={"etp": 2.0}).status_code == 200
    bad = client.put(f"/mandataires/{service['id']}/etp/{year}", headers=agent, json={"etp": 0})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "etp"]
    elsewhere = make_token("agent", departement="13")
    assert client.put(f"/mandataires/{service['id']}/etp/{year}", headers=elsewhere, json={"etp": 9}).status_code == 404
    listed = client.get(f"/mandataires/{service['id']}/etp", headers=itself)
    assert listed.json() == [{"annee": year - 1, "etp": 1.0}, {"annee": year, "etp": 2.0}]

    table = client.get("/tableaux-de-bord/charge-professionnels", headers=admin).json()
    rows = {row["departement"]: row for row in table["lignes"]}
    # 2 ETP shared 3 to 1 between Lille and Arras: 1.5 and 0.5 ETP, 2 measures per ETP in each.
    assert (rows["59"]["mesures_services"], rows["59"]["etp_services"], rows["59"]["mesures_par_etp"]) == (3, 1.5, 2.0)
    assert (rows["62"]["mesures_services"], rows["62"]["etp_services"], rows["62"]["mesures_par_etp"]) == (1, 0.5, 2.0)
    assert (rows["59"]["services"], rows["62"]["services"], table["totaux"]["services"]) == (1, 1, 1)
    assert (table["totaux"]["etp_services"], table["totaux"]["mesures_par_etp"]) == (2.0, 2.0)
    assert (rows["59"]["individuels"], rows["59"]["mi_moins_20"], rows["59"]["mesures_par_individuel"]) == (1, 1, 1.0)
    assert table["filtres"]["annee_etp"] == year


def test_workload_of_the_regional_demo_matches_a_recount(regional):
    held = regional.rows(
        """SELECT m.mandataire_id, x.type, COALESCE(s.departement, t.departement) AS dep, COUNT(*),
                  SUM(CASE WHEN m.nature = 'tutelle' THEN 1 ELSE 0 END)
           FROM mesure m JOIN mandataire x ON x.id = m.mandataire_id JOIN tribunal t ON t.id = m.tribunal_id
           LEFT JOIN site s ON s.id = m.site_id
           WHERE m.statut IN ('en_cours', 'en_attente') AND x.statut != 'retire'
           GROUP BY m.mandataire_id, x.type, COALESCE(s.departement, t.departement)"""
    )
    totals: dict[int, int] = defaultdict(int)
    for mandataire, _, _, n, _ in held:
        totals[mandataire] += n
    expected: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for mandataire, kind, dep, n, tutelles in held:
        group = {"service": "services", "individuel": "individuels", "prepose": "preposes"}[kind]
        expected[dep][group] += 1
        expected[dep][f"mesures_{group}"] += n
        if kind == "prepose":
            expected[dep]["tutelles"] += tutelles
        if kind == "individuel":
            load = totals[mandataire]
            band = (
                "mi_moins_20"
                if load < 20
                else "mi_80_plus"
                if load >= 80
                else f"mi_{load // 20 * 20}_{load // 20 * 20 + 19}"
            )
            expected[dep][band] += 1
    table = regional.get("/tableaux-de-bord/charge-professionnels").json()
    rows = {row["departement"]: row for row in table["lignes"]}
    assert set(rows) == set(expected)
    for dep, figures in expected.items():
        row = rows[dep]
        for key in (
            "services",
            "individuels",
            "preposes",
            "mesures_services",
            "mesures_individuels",
            "mesures_preposes",
        ):
            assert row[key] == figures.get(key, 0), (dep, key)
        for band in ("mi_moins_20", "mi_20_39", "mi_40_59", "mi_60_79", "mi_80_plus"):
            assert row[band] == figures.get(band, 0), (dep, band)
        if figures.get("mesures_preposes"):
            share = figures["tutelles"] / figures["mesures_preposes"]
            assert row["part_tutelles_preposes"] == pytest.approx(share, abs=1e-4)
            assert row["mesures_par_prepose"] == pytest.approx(
                figures["mesures_preposes"] / figures["preposes"], abs=0.01
            )
    professionals = {(mandataire, kind) for mandataire, kind, *_ in held}
    assert table["totaux"]["individuels"] == sum(1 for _, kind in professionals if kind == "individuel")
    assert table["totaux"]["mesures_individuels"] == sum(n for _, kind, _, n, _ in held if kind == "individuel")
