"""`POST /planification/implantations` and `POST /planification/scenarios/comparaison` on a small Somme register
built once for the module: two professionals at Amiens with a 25 km radius, so that the west and east of the
département have no place within the norm. The proposal goes there, reduces the arrivals without a candidate,
the comparison shows its effect, bad edits name their field, and the registry is unchanged."""

import pytest
from sqlalchemy import text

from app.geo.distance import haversine_km
from tests.support import counters

AMIENS = "17800111100164"
AMIENS_INSEE = "80021"
PROPOSE = "/planification/implantations"
COMPARE = "/planification/scenarios/comparaison"
SIMULATION = {"arrivees": 60, "graine": 3}
NORME = 25


@pytest.fixture(scope="module")
def somme_offices() -> list[dict]:
    """Two professionals at Amiens (see `conftest.somme`), within NORME km only."""
    return [{"sites": [{"nom": "Bureau", "insee": AMIENS_INSEE}], "capacite": 40, "rayon_km": NORME}] * 2


def registry_state(session) -> tuple:
    measures = session.execute(text("SELECT count(*), max(version) FROM mesure")).one()
    professionals = session.execute(text("SELECT count(*), max(version), sum(capacite) FROM mandataire")).one()
    return tuple(measures), tuple(professionals), counters(session)


def test_the_proposal_goes_where_no_place_is_within_the_norm_and_helps(client, make_token, session, gazetteer):
    agent = make_token("agent", region="32")
    before = registry_state(session)
    body = {"nombre": 2, "capacite": 40, "norme_km": NORME, "simulation": SIMULATION}
    response = client.post(PROPOSE, headers=agent, params={"departement": "80"}, json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["territoire"] == ["80"]
    assert answer["hypotheses"]["arrivees"] == 60 and answer["hypotheses"]["professionnels"] == 2
    picks = answer["implantations"]
    assert len(picks) == 2 and all(p["departement"] == "80" for p in picks)
    amiens = gazetteer.communes[AMIENS_INSEE]
    for pick in picks:  # out of the reach of Amiens's offer, covering arrivals that had no place
        commune = gazetteer.communes[pick["insee"]]
        assert float(haversine_km(amiens.lat, amiens.lon, commune.lat, commune.lon)) > NORME
        assert pick["couvertes"] > 0
    assert answer["avant"]["sans_candidat_dans_la_norme"] > answer["apres"]["sans_candidat_dans_la_norme"]
    assert answer["scenario"]["ajouts"] == [
        {"insee": p["insee"], "capacite": 40, "exercice": "individuel", "nombre": 1} for p in picks
    ]
    effet = answer["effet"]
    assert effet["actuel"]["hypotheses"]["professionnels"] == 2
    assert effet["modifie"]["hypotheses"]["professionnels"] == 4
    actuel, modifie = effet["actuel"]["resultats"][0], effet["modifie"]["resultats"][0]
    assert actuel["strategie"] == modifie["strategie"] == "moteur"
    assert modifie["distance_moyenne_km"] < actuel["distance_moyenne_km"]
    assert registry_state(session) == before


def test_a_scenario_is_compared_with_the_current_offer(client, make_token, session, somme):
    agent = make_token("agent", departement="80")
    before = registry_state(session)
    scenario = {
        "ajouts": [{"insee": "80001", "capacite": 30}],
        "plafonds": [{"mandataire_id": somme[0], "capacite": 5}],
    }
    response = client.post(COMPARE, headers=agent, json={"simulation": SIMULATION, "scenario": scenario})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["scenario"]["ajouts"][0]["insee"] == "80001"
    assert answer["actuel"]["resultats"][0]["arrivees"] == answer["modifie"]["resultats"][0]["arrivees"] == 60
    assert answer["modifie"]["hypotheses"]["professionnels"] == 3
    # Removing both professionals leaves only the new one; a higher growth draws more arrivals.
    gone = {"ajouts": [{"insee": "80001", "capacite": 30}], "retraits": somme, "croissance": 0.5}
    body = {"simulation": {**SIMULATION, "annees": 2}, "scenario": gone}
    answer = client.post(COMPARE, headers=agent, json=body).json()
    assert answer["modifie"]["hypotheses"]["professionnels"] == 1
    assert answer["modifie"]["hypotheses"]["arrivees_par_an"] == [60, 90]
    assert answer["actuel"]["hypotheses"]["arrivees_par_an"] == [60, 60]
    assert registry_state(session) == before


BAD_EDITS = [
    ({"ajouts": [{"insee": "59350", "capacite": 30}]}, ["ajouts", 0, "insee"], "commune_hors_territoire"),
    ({"ajouts": [{"insee": "80999", "capacite": 30}]}, ["ajouts", 0, "insee"], "commune_hors_territoire"),
    ({"retraits": [2_000_000]}, ["retraits", 0], "mandataire_hors_territoire"),
    ({"plafonds": [{"mandataire_id": 2_000_000, "capacite": 3}]}, ["plafonds", 0, "mandataire_id"], None),
    ({"ajouts": [{"insee": "80001", "capacite": 0}]}, ["ajouts", 0, "capacite"], None),
    ({"ajouts": [{"insee": "80001", "capacite": 3, "exercice": "prepose"}]}, ["ajouts", 0, "exercice"], None),
]


def test_bad_edits_are_a_french_422_naming_the_field(client, make_token):
    agent = make_token("agent", departement="80")
    for scenario, loc, code in BAD_EDITS:
        response = client.post(COMPARE, headers=agent, json={"simulation": SIMULATION, "scenario": scenario})
        assert response.status_code == 422, response.text
        error = response.json()["detail"][0]
        assert error["loc"] == ["body", "scenario", *loc]
        if code:
            assert error["type"] == code and "territoire simulé" in error["msg"]


def test_bad_parameters_and_strangers_are_refused(client, make_token):
    agent = make_token("agent", departement="80")
    bad = client.post(PROPOSE, headers=agent, json={"nombre": 0, "norme_km": 1})
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["detail"]} == {("body", "nombre"), ("body", "norme_km")}
    outside = client.post(PROPOSE, headers=make_token("agent", departement="59"), params={"departement": "80"}, json={})
    assert outside.status_code == 403 and outside.json()["detail"][0]["type"] == "hors_territoire"
    judge = make_token("magistrat", tribunal=AMIENS)
    assert client.post(COMPARE, headers=judge, json={"scenario": {}}).status_code == 403


def test_a_proposal_for_all_of_france_asks_for_a_region(client, make_token):
    # Every commune against every other over France is a matrix of a billion distances (a 500 before).
    response = client.post(PROPOSE, headers=make_token("admin"), json={})
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert (error["type"], error["loc"]) == ("territoire_trop_etendu", ["query", "region"])
    assert "région" in error["msg"]
