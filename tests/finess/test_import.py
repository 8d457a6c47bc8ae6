"""POST /finess/import through HTTP with small extracts in the Ministry's layout: what is kept, created and updated
by FINESS number, the all-or-nothing rule with its per-line report, the dry run, and who may import."""

from tests.finess.extracts import equipementsocial, extract, geolocalisation, structureej, structureet

EHPAD, FAM, PHARMACIE, HOPITAL, INCONNUE = "590000101", "590000102", "590000103", "590000104", "590000105"


def post(client, headers, *, essai=False, **files: bytes):
    multipart = {name: (f"{name}.csv", content, "text/csv") for name, content in files.items()}
    return client.post("/finess/import", files=multipart, params={"essai": essai} if essai else {}, headers=headers)


def etablissements(client, headers) -> dict[str, dict]:
    response = client.get("/etablissements", params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    return {e["finess"]: e for e in response.json()["items"]}


ETABLISSEMENTS = extract(
    structureet(EHPAD, ej="590780001", rslongue="EHPAD LES TILLEULS DE LILLE"),
    geolocalisation(EHPAD),
    structureet(FAM, ej="590780002", rs="FAM LE CHENE", categetab="437", commune="183", numuai=False),
    structureet(PHARMACIE, rs="PHARMACIE DU CENTRE", categetab="620"),
    structureet(HOPITAL, ej="590780003", rs="CH DE ROUBAIX", categetab="355", commune="512", codesph="1"),
    structureet(INCONNUE, rs="EHPAD DISPARU", commune="999"),
)
EQUIPEMENTS = extract(
    "structureet;590000101;590780001",
    equipementsocial(EHPAD, capautot="84", capinstot="80"),
    equipementsocial(EHPAD, activite="21", capautot="12"),  # accueil de jour: not permanent places
    equipementsocial(EHPAD, discipline="657", activite="11", capautot="10", indsupaut="O"),  # withdrawn
    equipementsocial(FAM, discipline="939", clientele="010", capautot="", capinstot="95"),
)
ENTITES = extract(structureej("590780001", statut="17"), structureej("590780002", statut="61", libelle="Association"))


def test_admin_imports_the_establishments_of_the_extracts(client, admin):
    response = post(client, admin, etablissements=ETABLISSEMENTS, equipements=EQUIPEMENTS, entites_juridiques=ENTITES)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["applique"] is True
    assert (report["etablissements"], report["retenus"], report["crees"], report["ignores"]) == (5, 3, 3, 2)
    assert report["soumis_obligation"] == 1  # the public EHPAD of 84 permanent places
    assert [(w["fichier"], w["ligne"], w["code"]) for w in report["avertissements"]] == [
        ("etablissements", 7, "insee_inconnu")
    ]
    assert [f["lignes"] for f in report["fichiers"]] == [6, 5, 2]
    stored = etablissements(client, admin)
    assert set(stored) == {EHPAD, FAM, HOPITAL}
    ehpad, fam, hopital = stored[EHPAD], stored[FAM], stored[HOPITAL]
    assert (ehpad["nom"], ehpad["insee"], ehpad["departement"], ehpad["categorie"]) == (
        "EHPAD LES TILLEULS DE LILLE",
        "59350",
        "59",
        "ehpad",
    )
    assert (ehpad["public"], ehpad["places_permanentes"]) == (True, 84)  # CCAS (17); authorised capacity
    assert (fam["categorie"], fam["public"], fam["places_permanentes"], fam["insee"]) == (
        "foyer_accueil_medicalise",
        False,  # an association (61)
        95,  # installed capacity when no authorised one is given
        "59183",
    )
    assert (hopital["categorie"], hopital["public"], hopital["places_permanentes"]) == ("hopital", True, 0)


def test_a_second_import_updates_by_finess_number_and_counts_what_is_unchanged(client, admin):
    assert post(client, admin, etablissements=ETABLISSEMENTS, equipements=EQUIPEMENTS).status_code == 200
    first = etablissements(client, admin)
    again = post(client, admin, etablissements=ETABLISSEMENTS, equipements=EQUIPEMENTS).json()
    assert (again["crees"], again["modifies"], again["inchanges"]) == (0, 0, 3)
    smaller = extract(equipementsocial(EHPAD, capautot="70"))
    report = post(client, admin, etablissements=ETABLISSEMENTS, equipements=smaller).json()
    assert (report["crees"], report["modifies"], report["inchanges"]) == (0, 2, 1)  # EHPAD 70, FAM without places
    stored = etablissements(client, admin)
    assert stored[EHPAD]["id"] == first[EHPAD]["id"] and stored[EHPAD]["places_permanentes"] == 70
    assert stored[FAM]["places_permanentes"] == 0
    # Without the equipment extract, places are kept.
    kept = post(client, admin, etablissements=ETABLISSEMENTS).json()
    assert kept["inchanges"] == 3 and etablissements(client, admin)[EHPAD]["places_permanentes"] == 70


def test_dry_run_counts_and_writes_nothing(client, admin):
    response = post(client, admin, essai=True, etablissements=ETABLISSEMENTS, equipements=EQUIPEMENTS)
    assert response.status_code == 200, response.text
    assert (response.json()["essai"], response.json()["applique"], response.json()["crees"]) == (True, False, 3)
    assert etablissements(client, admin) == {}


def test_latin1_extract_without_numuai_is_read(client, admin):
    content = extract(structureet(EHPAD, rs="EHPAD SAINT-FRANÇOIS", numuai=False), encoding="cp1252")
    response = post(client, admin, etablissements=content)
    assert response.status_code == 200, response.text
    assert response.json()["fichiers"][0]["encodage"] == "windows-1252"
    assert etablissements(client, admin)[EHPAD]["nom"] == "EHPAD SAINT-FRANÇOIS"


def test_any_rejected_line_rejects_the_whole_import_and_names_every_line(client, admin):
    bad_etablissements = extract(
        structureet(EHPAD),
        structureet("59000010X"),
        "structureet;590000106;590780001;TROP COURT",
        "autresection;590000107",
    )
    bad_equipements = extract(equipementsocial(EHPAD, capautot="quatre-vingts"))
    response = post(client, admin, etablissements=bad_etablissements, equipements=bad_equipements)
    assert response.status_code == 422, response.text
    body = response.json()
    assert [(d["loc"], d["type"]) for d in body["detail"]] == [
        (["body", "etablissements", 3], "numero_finess_invalide"),
        (["body", "etablissements", 4], "champs_manquants"),
        (["body", "etablissements", 5], "section_inconnue"),
        (["body", "equipements", 2], "capacite_invalide"),
    ]
    assert body["rapport"]["applique"] is False and body["rapport"]["crees"] == 0
    assert etablissements(client, admin) == {}


def test_duplicate_finess_and_missing_header_are_rejected(client, admin):
    twice = post(client, admin, etablissements=extract(structureet(EHPAD), structureet(EHPAD)))
    assert twice.status_code == 422
    assert twice.json()["detail"][0] == {
        "type": "finess_en_double",
        "loc": ["body", "etablissements", 3],
        "msg": f"nofinesset : {EHPAD} figure déjà plus haut dans le fichier",
    }
    headless = post(client, admin, etablissements=structureet(EHPAD).encode())
    assert headless.status_code == 422
    assert headless.json()["detail"][0]["type"] == "entete_finess_attendue"
    assert etablissements(client, admin) == {}


def test_only_administrators_import(client, make_token):
    assert post(client, {}, etablissements=ETABLISSEMENTS).status_code == 401
    for role, scope in [("agent", {"region": "32"}), ("magistrat", {"tribunal": "17590111500709"})]:
        assert post(client, make_token(role, **scope), etablissements=ETABLISSEMENTS).status_code == 403
    missing = client.post("/finess/import", headers=make_token("admin"))
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "etablissements"]


def test_an_unreadable_line_is_reported_not_a_server_error(client, admin):
    response = post(client, admin, etablissements=extract(structureet(EHPAD), "structureet;" + "9" * 200_000))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "etablissements", 3]
    assert response.json()["detail"][0]["type"] == "ligne_illisible"
