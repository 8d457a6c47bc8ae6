"""The reference endpoints, through HTTP."""


def test_commune_search_is_accent_and_case_insensitive_prefix(client):
    response = client.get("/referentiel/communes", params={"q": "LILLE"})
    assert response.status_code == 200
    body = response.json()
    assert body["items"][0]["insee"] == "59350"
    assert all(item["nom"].lower().startswith("lille") for item in body["items"])
    accented = client.get("/referentiel/communes", params={"q": "saint-etienne"}).json()
    assert "42218" in [item["insee"] for item in accented["items"]]
    assert client.get("/referentiel/communes", params={"q": "Évreux"}).json()["items"][0]["insee"] == "27229"


def test_commune_search_filters_and_paginates(client):
    by_department = client.get("/referentiel/communes", params={"departement": "59", "limit": 5, "offset": 5}).json()
    assert by_department["total"] > 600
    assert len(by_department["items"]) == 5
    assert all(item["departement"] == "59" for item in by_department["items"])
    first_page = client.get("/referentiel/communes", params={"departement": "59", "limit": 10}).json()
    assert [i["insee"] for i in first_page["items"][5:10]] == [i["insee"] for i in by_department["items"]]
    by_postcode = client.get("/referentiel/communes", params={"code_postal": "59000"}).json()
    assert [i["insee"] for i in by_postcode["items"]] == ["59350"]


def test_commune_search_rejects_bad_parameters(client):
    response = client.get("/referentiel/communes", params={"code_postal": "59O00"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "code_postal"]
    assert client.get("/referentiel/communes", params={"limit": 1000}).status_code == 422


def test_get_commune_and_unknown_commune(client):
    assert client.get("/referentiel/communes/13055").json()["nom"] == "Marseille"
    response = client.get("/referentiel/communes/99999")
    assert response.status_code == 404
    assert response.json()["detail"][0]["type"] == "commune_introuvable"


def test_departements_and_regions(client):
    departements = client.get("/referentiel/departements").json()
    assert len(departements) == 101
    assert {"code": "2A", "nom": "Corse-du-Sud", "region": "94"} in departements
    regions = client.get("/referentiel/regions").json()
    assert len(regions) == 18
    assert {"code": "32", "nom": "Hauts-de-France"} in regions


def test_tribunals_by_departement(client):
    tribunaux = client.get("/referentiel/tribunaux", params={"departement": "59"}).json()
    assert tribunaux and all(t["departement"] == "59" for t in tribunaux)
    assert any(t["nom"] == "Tribunal judiciaire de Lille" for t in tribunaux)


def test_belgian_municipality_search(client):
    found = client.get("/referentiel/belgique/communes", params={"q": "tournai"}).json()
    assert [m["nis"] for m in found["items"]] == ["57081"]
    dutch = client.get("/referentiel/belgique/communes", params={"q": "Doornik"}).json()
    assert [m["nis"] for m in dutch["items"]] == ["57081"]
    by_postcode = client.get("/referentiel/belgique/communes", params={"q": "7500"}).json()
    assert "57081" in [m["nis"] for m in by_postcode["items"]]
