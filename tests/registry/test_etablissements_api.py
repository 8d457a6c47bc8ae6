"""Establishments through HTTP: creation, FINESS checks, optimistic concurrency, list filters."""

import pytest


def etablissement_body(**overrides) -> dict:
    body = {
        "finess": "590000101",
        "nom": "EHPAD Les Tilleuls",
        "insee": "59350",
        "categorie": "ehpad",
        "public": True,
        "places_permanentes": 90,
    }
    body.update(overrides)
    return body


def create(client, headers, **overrides) -> dict:
    response = client.post("/etablissements", json=etablissement_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def error(response) -> dict:
    return response.json()["detail"][0]


def listed(client, headers, **params) -> set[int]:
    response = client.get("/etablissements", params={"limit": 200, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_agent_creates_an_establishment_located_in_its_commune(client, make_token):
    agent = make_token("agent", departement="59")
    created = create(client, agent, insee="59183", nom="Centre hospitalier de Dunkerque", categorie="hopital")
    assert (created["finess"], created["insee"], created["departement"]) == ("590000101", "59183", "59")
    assert (round(created["lat"], 1), round(created["lon"], 1)) == (51.0, 2.4)
    assert client.get(f"/etablissements/{created['id']}", headers=agent).json()["nom"] == created["nom"]


@pytest.mark.parametrize("finess", ["59000010", "5900001011", "59A000101", "2C0000101"])
def test_finess_must_have_nine_characters(client, admin, finess):
    response = client.post("/etablissements", json=etablissement_body(finess=finess), headers=admin)
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "finess"]


def test_corsican_finess_is_accepted(client, admin):
    assert create(client, admin, finess="2A0000101", insee="2A004")["departement"] == "2A"


def test_duplicate_finess_is_a_conflict(client, admin):
    create(client, admin, finess="590000101")
    response = client.post("/etablissements", json=etablissement_body(finess="590000101", nom="Autre"), headers=admin)
    assert response.status_code == 409
    assert error(response)["type"] == "finess_existant"
    assert error(response)["loc"] == ["body", "finess"]
    assert client.get("/etablissements", headers=admin).json()["total"] == 1


def test_unknown_insee_is_rejected(client, admin):
    response = client.post("/etablissements", json=etablissement_body(insee="59999"), headers=admin)
    assert response.status_code == 422
    assert error(response)["type"] == "insee_inconnu"
    assert error(response)["loc"] == ["body", "insee"]


def test_patch_updates_the_establishment_and_its_location(client, admin):
    created = create(client, admin)
    response = client.patch(
        f"/etablissements/{created['id']}",
        json={"version": created["version"], "places_permanentes": 95, "insee": "62119"},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["places_permanentes"], body["insee"], body["departement"]) == (95, "62119", "62")
    assert body["version"] > created["version"]


def test_patch_with_a_stale_version_is_a_conflict_and_changes_nothing(client, admin):
    created = create(client, admin, places_permanentes=90)
    path = f"/etablissements/{created['id']}"
    first = client.patch(path, json={"version": created["version"], "places_permanentes": 95}, headers=admin)
    assert first.status_code == 200, first.text

    response = client.patch(path, json={"version": created["version"], "places_permanentes": 10}, headers=admin)
    assert response.status_code == 409
    assert error(response)["type"] == "version_perimee"
    assert client.get(path, headers=admin).json()["places_permanentes"] == 95


def test_patch_with_a_null_name_is_rejected_as_invalid(client, admin):
    created = create(client, admin)
    response = client.patch(
        f"/etablissements/{created['id']}", json={"version": created["version"], "nom": None}, headers=admin
    )
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "nom"]


def test_list_filters_by_departement(client, admin):
    lille = create(client, admin, finess="590000101", insee="59350")
    dunkerque = create(client, admin, finess="590000102", insee="59183")
    create(client, admin, finess="620000101", insee="62119")
    assert listed(client, admin, departement="59") == {lille["id"], dunkerque["id"]}


def test_list_searches_the_name_case_insensitively_and_the_finess(client, admin):
    tilleuls = create(client, admin, finess="590000101", nom="EHPAD Les Tilleuls")
    create(client, admin, finess="590000102", nom="Foyer Les Glycines")
    assert listed(client, admin, q="tilleuls") == {tilleuls["id"]}
    assert listed(client, admin, q="590000101") == {tilleuls["id"]}


def test_list_is_paginated_in_name_order(client, admin):
    for index, name in enumerate(("Gamma", "Alpha", "Beta")):
        create(client, admin, finess=f"59000010{index}", nom=name)
    page = client.get("/etablissements", params={"limit": 2, "offset": 1}, headers=admin).json()
    assert page["total"] == 3
    assert [item["nom"] for item in page["items"]] == ["Beta", "Gamma"]
