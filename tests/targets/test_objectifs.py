"""The schéma's targets through HTTP: an agent records them for its territory (French 422s, 403 outside, 409 for a
second one), lists and deletes them, and reads actual against target with the projection at any date, in JSON,
CSV and XLSX."""

from datetime import date, timedelta

import pytest

from app.targets.trajectory import Trajectoire
from tests.registry.factories import mandataire_body, mesure_body

TODAY = date.today()


def objectif(**overrides) -> dict:
    body = {
        "departement": "59",
        "indicateur": "mandataires_individuels",
        "cible": 10,
        "echeance": (TODAY + timedelta(days=365)).isoformat(),
    }
    body.update(overrides)
    return body


def create(client, headers, **overrides) -> dict:
    response = client.post("/schema/objectifs", json=objectif(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def error(response) -> dict:
    return response.json()["detail"][0]


def test_agent_records_a_target_starting_from_the_register(client, admin, make_token):
    for _ in range(3):
        assert client.post("/mandataires", json=mandataire_body(), headers=admin).status_code == 201
    agent = make_token("agent", region="32")
    created = create(client, agent, libelle="Mandataires individuels du Nord")
    assert (created["date_initiale"], created["valeur_initiale"], created["cible"]) == (TODAY.isoformat(), 3, 10)
    given = create(client, agent, indicateur="services", date_initiale="2024-01-01", valeur_initiale=7)
    assert (given["date_initiale"], given["valeur_initiale"]) == ("2024-01-01", 7)
    listed = client.get("/schema/objectifs", headers=agent).json()
    assert [o["indicateur"] for o in listed] == ["mandataires_individuels", "services"]
    assert client.get("/schema/objectifs", params={"indicateur": "services"}, headers=agent).json() == [given]
    assert client.get(f"/schema/objectifs/{created['id']}", headers=agent).json() == created


@pytest.mark.parametrize(
    ("overrides", "loc", "code"),
    [
        ({"departement": "99"}, ["body", "departement"], "departement_inconnu"),
        ({"departement": "5"}, ["body", "departement"], "string_pattern_mismatch"),
        ({"indicateur": "places"}, ["body", "indicateur"], "enum"),
        ({"cible": -1}, ["body", "cible"], "greater_than_equal"),
        ({"echeance": TODAY.isoformat()}, ["body", "echeance"], "echeance_invalide"),
        ({"date_initiale": (TODAY + timedelta(days=2)).isoformat()}, ["body", "date_initiale"], "date_initiale_future"),
        ({"champ": 1}, ["body", "champ"], "extra_forbidden"),
    ],
)
def test_bad_targets_are_422_in_french_and_write_nothing(client, admin, overrides, loc, code):
    response = client.post("/schema/objectifs", json=objectif(**overrides), headers=admin)
    assert response.status_code == 422, response.text
    assert (error(response)["loc"], error(response)["type"]) == (loc, code)
    assert not error(response)["msg"].isascii() or " " in error(response)["msg"]  # a sentence, not a code
    assert client.get("/schema/objectifs", headers=admin).json() == []


def test_territory_and_duplicates(client, admin, make_token):
    nord = make_token("agent", departement="59")
    refused = client.post("/schema/objectifs", json=objectif(departement="62"), headers=nord)
    assert (refused.status_code, error(refused)["type"]) == (403, "hors_territoire")
    elsewhere = create(client, admin, departement="13")
    assert client.get(f"/schema/objectifs/{elsewhere['id']}", headers=nord).status_code == 404
    assert client.delete(f"/schema/objectifs/{elsewhere['id']}", headers=nord).status_code == 404
    assert client.get("/schema/objectifs", headers=nord).json() == []
    assert client.get("/schema/objectifs", params={"departement": "13"}, headers=nord).status_code == 403
    mine = create(client, nord)
    again = client.post("/schema/objectifs", json=objectif(cible=12), headers=nord)
    assert (again.status_code, error(again)["type"], error(again)["loc"]) == (
        409,
        "objectif_existant",
        ["body", "echeance"],
    )
    assert client.delete(f"/schema/objectifs/{mine['id']}", headers=nord).status_code == 204
    assert client.get(f"/schema/objectifs/{mine['id']}", headers=nord).status_code == 404
    judge = make_token("magistrat", tribunal="17590111500709")
    assert client.get("/schema/objectifs", headers=judge).status_code == 403


def test_actual_against_target_and_projection_at_any_date(client, admin, make_token):
    lille = client.post("/mandataires", json=mandataire_body(capacite=100), headers=admin).json()
    start = TODAY - timedelta(days=100)
    for days_ago in (400, 50, 10):  # two named within the trajectory, one before its start
        named = (TODAY - timedelta(days=days_ago)).isoformat()
        body = mesure_body(mandataire=lille["id"], date_nomination=named)
        assert client.post("/mesures", json=body, headers=admin).status_code == 201, named
    agent = make_token("agent", region="32")
    target = create(
        client,
        agent,
        indicateur="mesures_en_cours",
        date_initiale=start.isoformat(),
        echeance=(start + timedelta(days=400)).isoformat(),
        cible=9,
    )
    assert target["valeur_initiale"] == 1  # the register at the start: the measure named 400 days ago

    def row(**params) -> dict:
        response = client.get("/tableaux-de-bord/objectifs", params=params, headers=agent)
        assert response.status_code == 200, response.text
        (line,) = response.json()["lignes"]
        return line

    trajectoire = Trajectoire(start, 1, start + timedelta(days=400), 9)
    today = row()
    assert (today["reel"], today["attendu"]) == (3, round(trajectoire.attendu(TODAY), 1))  # 1 + 8 × 100/400 = 3
    assert today["ecart"] == 0.0 and today["part_cible"] == round(3 / 9, 4)
    assert today["projection_echeance"] == 9.0  # 2 more in 100 days: 8 more in 400
    past = row(date=(TODAY - timedelta(days=30)).isoformat())
    assert past["reel"] == 2 and past["attendu"] == round(trajectoire.attendu(TODAY - timedelta(days=30)), 1)
    future = row(date=(TODAY + timedelta(days=100)).isoformat())
    assert future["reel"] is None and future["projection"] == 5.0 and future["ecart"] == 0.0
    assert client.get("/tableaux-de-bord/objectifs", params={"region": "93"}, headers=agent).status_code == 403
    for extension in (".csv", ".xlsx"):
        export = client.get(f"/tableaux-de-bord/objectifs{extension}", headers=agent)
        assert export.status_code == 200 and len(export.content) > 100
    csv = client.get("/tableaux-de-bord/objectifs.csv", params={"indicateur": "mesures_en_cours"}, headers=agent)
    assert "Attendu à la date" in csv.content.decode("utf-8-sig")  # the exports keep the codes, label the columns


def test_trajectory_is_flat_outside_its_span():
    trajectoire = Trajectoire(date(2025, 1, 1), 10, date(2026, 1, 1), 20)
    assert trajectoire.attendu(date(2024, 6, 1)) == 10.0 and trajectoire.attendu(date(2027, 1, 1)) == 20.0
    assert trajectoire.projection(reel=12, today=date(2025, 1, 1), at=date(2026, 1, 1)) is None
    assert trajectoire.projection(reel=0, today=date(2025, 7, 1), at=date(2027, 1, 1)) == 0.0  # never below zero
