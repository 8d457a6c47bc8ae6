"""Who may read the dashboards, and how a territory bounds them: agents within their territory and admins; other
roles 403, no token 401; a filter outside the territory 403 `hors_territoire`, never a silently empty table.

Data: one professional with a measure in Nord (Lille) and one in Bouches-du-Rhône (Marseille), created through
the API in the test transaction."""

import pytest

from app.database import utcnow
from tests.registry.factories import mandataire_body, mesure_body

LILLE, MARSEILLE = "17590111500709", "TGIMARSEIL"
TABLES = [
    "charge",
    "tension",
    "couverture",
    "histogramme-individuels",
    "flux",
    "belgique",
    "fraicheur",
    "preposes",
    "annees",
    "implantation",
    "dpf",
    "charge-professionnels",
    "objectifs",
]
# The role-by-route answers (401, 403) of these tables are in tests/auth/test_access_matrix.py; here, what
# each territory sees.
SCOPES = {
    "admin": ("admin", {}),
    "agent_region": ("agent", {"region": "32"}),
    "agent_departement": ("agent", {"departement": "59"}),
}


@pytest.fixture
def register(client, admin):
    ids = {}
    for key, departement, insee, tribunal in (("A", "59", "59350", LILLE), ("B", "13", "13055", MARSEILLE)):
        pro = client.post(
            "/mandataires",
            headers=admin,
            json=mandataire_body(departements=[departement], sites=[{"nom": "Bureau", "insee": insee}]),
        )
        assert pro.status_code == 201, pro.text
        ids[key] = pro.json()["id"]
        mesure = client.post(
            "/mesures",
            headers=admin,
            json=mesure_body(
                tribunal=tribunal, mandataire=ids[key], residence={"insee": insee}, date_nomination=str(utcnow().date())
            ),
        )
        assert mesure.status_code == 201, mesure.text
    return ids


def headers_of(make_token, caller: str) -> dict[str, str]:
    role, scope = SCOPES[caller]
    return make_token(role, **scope)


def test_regional_agent_sees_only_its_departements(client, make_token, register):
    agent = headers_of(make_token, "agent_region")
    national = headers_of(make_token, "admin")
    hauts_de_france = {"02", "59", "60", "62", "80"}
    charge = client.get("/tableaux-de-bord/charge", headers=agent).json()
    assert {row["departement"] for row in charge["lignes"]} == {"59"}
    assert charge["filtres"]["territoire"] == sorted(hauts_de_france)
    assert {
        row["departement"] for row in client.get("/tableaux-de-bord/charge", headers=national).json()["lignes"]
    } == {
        "13",
        "59",
    }
    for name, key in (("tension", "departement"), ("fraicheur", "departement"), ("couverture", "departement")):
        rows = client.get(f"/tableaux-de-bord/{name}", headers=agent).json()["lignes"]
        assert rows and {row[key] for row in rows} <= hauts_de_france, name
    flux = client.get("/tableaux-de-bord/flux", headers=agent).json()
    assert flux["totaux"]["ouvertes"] == 1  # the Lille measure, not the Marseille one
    assert client.get("/tableaux-de-bord/flux", headers=national).json()["totaux"]["ouvertes"] == 2
    by_region = client.get("/tableaux-de-bord/charge", headers=agent, params={"par": "region"}).json()
    assert [row["region"] for row in by_region["lignes"]] == ["32"]


def test_a_filter_outside_the_territory_is_refused(client, make_token, register):
    agent = headers_of(make_token, "agent_departement")
    for params in ({"departement": "13"}, {"region": "93"}, {"region": "32"}, {"tribunal": MARSEILLE}):
        for path in ("/tableaux-de-bord/charge", "/tableaux-de-bord/flux.csv", "/tableaux-de-bord/preposes.xlsx"):
            response = client.get(path, headers=agent, params=params)
            assert response.status_code == 403, (params, response.text)
            assert response.json()["detail"][0]["type"] == "hors_territoire"


def test_filters_inside_the_territory(client, make_token, register):
    agent = headers_of(make_token, "agent_departement")
    for params in ({"departement": "59"}, {"tribunal": LILLE}, {"type": "individuel"}):
        response = client.get("/tableaux-de-bord/charge", headers=agent, params=params)
        assert response.status_code == 200, response.text
        assert [row["departement"] for row in response.json()["lignes"]] == ["59"]
        assert response.json()["filtres"] == {"territoire": ["59"], **params} | {"par": "departement"}
    services = client.get("/tableaux-de-bord/charge", headers=agent, params={"type": "service"}).json()
    assert services["lignes"] == [] and services["totaux"]["professionnels"] == 0
    admin = headers_of(make_token, "admin")
    lille = client.get("/tableaux-de-bord/charge", headers=admin, params={"tribunal": LILLE}).json()
    assert [row["departement"] for row in lille["lignes"]] == ["59"] and lille["filtres"]["tribunal"] == LILLE


def test_invalid_filters_are_422(client, admin):
    for params, code in (
        ({"departement": "00"}, "departement_inconnu"),
        ({"region": "99"}, "region_inconnue"),
        ({"tribunal": "NOPE"}, "tribunal_inconnu"),
        ({"region": "32", "departement": "13"}, "filtres_incoherents"),
        ({"departement": "59", "tribunal": MARSEILLE}, "filtres_incoherents"),
        ({"type": "famille"}, "enum"),
        ({"departement": "5"}, "string_pattern_mismatch"),
    ):
        response = client.get("/tableaux-de-bord/tension", headers=admin, params=params)
        assert response.status_code == 422, params
        assert response.json()["detail"][0]["type"] == code, params
    response = client.get("/tableaux-de-bord/couverture", headers=admin, params={"distance_km": 0})
    assert response.status_code == 422


def test_index_lists_every_table_with_its_urls(client, make_token, register):
    index = client.get("/tableaux-de-bord/index.json", headers=headers_of(make_token, "agent_region"))
    body = index.json()
    assert [t["nom"] for t in body["tableaux"]] == TABLES
    assert body["tableaux"][0]["url"] == "/tableaux-de-bord/charge"
    assert body["tableaux"][0]["xlsx"] == "/tableaux-de-bord/charge.xlsx"
    assert set(body["filtres_communs"]) == {"region", "departement", "tribunal", "type", "debut", "fin"}
    for table in body["tableaux"]:
        assert client.get(table["url"], headers={"Authorization": index.request.headers["Authorization"]}).json()[
            "titre"
        ]
