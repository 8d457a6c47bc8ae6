"""The préposé obligation from FINESS extracts, through HTTP: establishments imported by an admin, a préposé
attached to one by its FINESS number, then what an agent reads in the `preposes` dashboard table (the
establishments without préposé, every establishment under the obligation, the coverage per département), within
their territory, with the threshold of the settings."""

from tests.finess.extracts import equipementsocial, extract, structureej, structureet
from tests.registry.factories import mandataire_body

EHPAD_LILLE, EHPAD_PRIVE, MAS_ARRAS, FOYER_PETIT, HOPITAL, EHPAD_MARSEILLE = (
    "590000101",
    "590000102",
    "620000103",
    "590000104",
    "590000105",
    "130000106",
)
ETABLISSEMENTS = extract(
    structureet(EHPAD_LILLE, ej="590780001", rs="EHPAD PUBLIC DE LILLE"),
    structureet(EHPAD_PRIVE, ej="590780002", rs="EHPAD ASSOCIATIF"),
    structureet(MAS_ARRAS, ej="620780003", rs="MAS D'ARRAS", categetab="255", departement="62", commune="041"),
    structureet(FOYER_PETIT, ej="590780001", rs="FOYER DE VIE", categetab="382", commune="183"),
    structureet(HOPITAL, ej="590780004", rs="CH DE LILLE", categetab="355", codesph="1"),
    structureet(EHPAD_MARSEILLE, ej="130780005", rs="EHPAD DE MARSEILLE", departement="13", commune="055"),
)
EQUIPEMENTS = extract(
    equipementsocial(EHPAD_LILLE, capautot="120"),
    equipementsocial(EHPAD_PRIVE, capautot="150"),
    equipementsocial(MAS_ARRAS, discipline="917", clientele="500", capautot="90"),
    equipementsocial(FOYER_PETIT, discipline="936", clientele="010", capautot="40"),
    equipementsocial(EHPAD_MARSEILLE, capautot="200"),
)
ENTITES = extract(
    structureej("590780001", statut="17"),
    structureej("590780002", statut="61", libelle="Association"),
    structureej("620780003", statut="19"),
    structureej("590780004", statut="13"),
    structureej("130780005", statut="14"),
)


def setup(client, admin) -> dict[str, int]:
    files = {"etablissements": ETABLISSEMENTS, "equipements": EQUIPEMENTS, "entites_juridiques": ENTITES}
    multipart = {name: (f"{name}.csv", content, "text/csv") for name, content in files.items()}
    response = client.post("/finess/import", files=multipart, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["soumis_obligation"] == 3  # Lille's EHPAD, Arras' MAS, Marseille's EHPAD
    ids = {
        e["finess"]: e["id"]
        for e in client.get("/etablissements", params={"limit": 200}, headers=admin).json()["items"]
    }
    body = mandataire_body(type="prepose", nom="Préposé du CH", etablissements=[ids[EHPAD_LILLE]])
    assert client.post("/mandataires", json=body, headers=admin).status_code == 201
    return ids


def table(client, headers, **params) -> dict:
    response = client.get("/tableaux-de-bord/preposes", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_agent_sees_the_establishments_under_the_obligation_and_their_coverage(client, admin, make_token):
    setup(client, admin)
    agent = make_token("agent", region="32")
    uncovered = table(client, agent)
    assert [row["finess"] for row in uncovered["lignes"]] == [MAS_ARRAS]
    every = table(client, agent, par="etablissement")
    assert [(row["finess"], row["preposes"]) for row in every["lignes"]] == [
        (EHPAD_LILLE, "Préposé du CH"),
        (MAS_ARRAS, None),
    ]
    coverage = {row["departement"]: row for row in table(client, agent, par="departement")["lignes"]}
    assert set(coverage) == {"02", "59", "60", "62", "80"}  # every département of the région, none under it too
    assert (coverage["59"]["soumis"], coverage["59"]["couverts"], coverage["59"]["taux_couverture"]) == (1, 1, 1.0)
    assert (coverage["62"]["soumis"], coverage["62"]["sans_prepose"], coverage["62"]["places_permanentes"]) == (
        1,
        1,
        90,
    )
    assert coverage["80"]["soumis"] == 0 and coverage["80"]["taux_couverture"] is None
    region = table(client, agent, par="region")
    assert [(r["region"], r["soumis"], r["couverts"]) for r in region["lignes"]] == [("32", 2, 1)]
    nationally = table(client, admin, par="region")["totaux"]
    assert (nationally["soumis"], nationally["couverts"]) == (3, 1)
    assert client.get("/tableaux-de-bord/preposes", params={"region": "93"}, headers=agent).status_code == 403


def test_the_threshold_comes_from_the_settings(client, admin):
    setup(client, admin)
    client.app.state.settings = client.app.state.settings.model_copy(update={"prepose_obligation_places": 100})
    every = table(client, admin, par="etablissement")
    assert [row["finess"] for row in every["lignes"]] == [EHPAD_MARSEILLE, EHPAD_LILLE]  # MAS: 90 places
    assert "plus de 100 places" in every["note"]
    csv = client.get("/tableaux-de-bord/preposes.csv", params={"par": "departement"}, headers=admin)
    assert csv.status_code == 200 and "Taux de couverture" in csv.content.decode("utf-8-sig")
