"""Measures through HTTP: declaration by the professional, residences, guards, load counters, privacy."""

from datetime import date

import pytest
from sqlalchemy import text

from tests.registry.factories import mandataire_body, mesure_body

LILLE, DOUAI = "17590111500709", "17590111500576"
STREET = "17 rue des Tilleuls-Fictifs"


@pytest.fixture
def professional(client, admin) -> dict:
    response = client.post("/mandataires", json=mandataire_body(capacite=40), headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def itself(make_token, professional) -> dict[str, str]:
    """Headers of the professional's own token."""
    return make_token("mandataire", mandataire_id=professional["id"])


def declare(client, headers, **overrides):
    return client.post("/mesures", json=mesure_body(**overrides), headers=headers)


def declared(client, headers, **overrides) -> dict:
    response = declare(client, headers, **overrides)
    assert response.status_code == 201, response.text
    return response.json()


def error(response) -> dict:
    return response.json()["detail"][0]


def load_of(client, headers, mandataire_id: int) -> tuple[int, int | None]:
    body = client.get(f"/mandataires/{mandataire_id}", headers=headers).json()
    return body["mesures_en_cours"], body["places_libres"]


def measures_count(client, headers) -> int:
    return client.get("/mesures", headers=headers).json()["total"]


# --- residences ------------------------------------------------------------------------------------


def test_professional_declares_a_measure_for_itself_by_insee(client, professional, itself):
    mesure = declared(client, itself, residence={"insee": "59350"})
    assert mesure["mandataire"] == professional["id"]
    assert mesure["tribunal"]["code"] == "TGILILLE"
    assert (mesure["pays"], mesure["insee"], mesure["commune"], mesure["departement"]) == ("FR", "59350", "Lille", "59")
    assert mesure["statut"] == "en_cours"
    assert client.get(f"/mesures/{mesure['id']}", headers=itself).json()["numero_rg"] == mesure["numero_rg"]


def test_residence_by_postcode_and_commune_is_resolved_to_the_commune(client, itself):
    mesure = declared(client, itself, residence={"code_postal": "59000", "commune": "lille"})
    assert (mesure["pays"], mesure["insee"], mesure["code_postal"], mesure["commune"], mesure["departement"]) == (
        "FR",
        "59350",
        "59000",
        "Lille",
        "59",
    )


def test_belgian_residence_is_stored_with_its_nis_code_and_no_departement(client, itself):
    mesure = declared(client, itself, residence={"pays": "BE", "code_postal": "7500"})
    assert (mesure["pays"], mesure["nis"], mesure["code_postal"], mesure["insee"], mesure["departement"]) == (
        "BE",
        "57081",
        "7500",
        None,
        None,
    )
    assert mesure["commune"] == "Tournai"
    listed = client.get("/mesures", params={"pays": "BE"}, headers=itself).json()
    assert [item["id"] for item in listed["items"]] == [mesure["id"]]


def test_address_only_residence_is_rejected_when_geocoding_is_off(client, itself):
    response = declare(client, itself, residence={"adresse": STREET})
    assert response.status_code == 422
    assert error(response)["type"] == "geocodage_indisponible"
    assert error(response)["loc"] == ["body", "residence", "adresse"]
    assert measures_count(client, itself) == 0


def test_street_address_is_never_stored(client, itself, session):
    response = declare(client, itself, residence={"insee": "59350", "adresse": STREET})
    assert response.status_code == 201, response.text
    assert "Tilleuls" not in response.text
    mesure_id = response.json()["id"]
    assert "Tilleuls" not in client.get(f"/mesures/{mesure_id}", headers=itself).text
    row = session.execute(text("SELECT * FROM mesure WHERE id = :id"), {"id": mesure_id}).mappings().one()
    assert not [column for column, value in row.items() if "Tilleuls" in str(value)]


# --- load counters ---------------------------------------------------------------------------------


def test_a_new_measure_takes_one_of_the_professionals_places(client, professional, itself):
    assert load_of(client, itself, professional["id"]) == (0, 40)
    declared(client, itself)
    assert load_of(client, itself, professional["id"]) == (1, 39)
    assert client.get(f"/mandataires/{professional['id']}", headers=itself).json()["taux_occupation"] == 0.025


def test_closing_a_measure_frees_its_place(client, professional, itself):
    site = professional["sites"][0]["id"]
    mesure = declared(client, itself, site=site)
    response = client.patch(
        f"/mesures/{mesure['id']}",
        json={"version": mesure["version"], "statut": "eteinte", "cause_sortie": "deces"},
        headers=itself,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["statut"], response.json()["cause_sortie"]) == ("eteinte", "deces")
    assert load_of(client, itself, professional["id"]) == (0, 40)
    sites = client.get(f"/mandataires/{professional['id']}", headers=itself).json()["sites"]
    assert sites[0]["mesures_en_cours"] == 0


def test_closing_a_measure_without_cause_is_rejected(client, professional, itself):
    mesure = declared(client, itself)
    response = client.patch(
        f"/mesures/{mesure['id']}", json={"version": mesure["version"], "statut": "eteinte"}, headers=itself
    )
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "cause_sortie"]
    assert client.get(f"/mesures/{mesure['id']}", headers=itself).json()["statut"] == "en_cours"
    assert load_of(client, itself, professional["id"]) == (1, 39)


def test_deleting_a_measure_releases_its_place(client, professional, itself):
    mesure = declared(client, itself)
    response = client.delete(f"/mesures/{mesure['id']}", headers=itself)
    assert response.status_code == 204
    assert load_of(client, itself, professional["id"]) == (0, 40)
    assert client.get(f"/mesures/{mesure['id']}", headers=itself).status_code == 404


def test_patch_with_a_stale_version_is_a_conflict_and_changes_nothing(client, itself):
    mesure = declared(client, itself, nature="curatelle_renforcee")
    path = f"/mesures/{mesure['id']}"
    first = client.patch(path, json={"version": mesure["version"], "nature": "tutelle"}, headers=itself)
    assert first.status_code == 200, first.text

    response = client.patch(path, json={"version": mesure["version"], "nature": "curatelle_simple"}, headers=itself)
    assert response.status_code == 409
    assert error(response)["type"] == "version_perimee"
    assert client.get(path, headers=itself).json()["nature"] == "tutelle"


def test_patch_with_a_null_statut_is_rejected_as_invalid(client, itself):
    mesure = declared(client, itself)
    response = client.patch(
        f"/mesures/{mesure['id']}", json={"version": mesure["version"], "statut": None}, headers=itself
    )
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "statut"]


# --- guards ----------------------------------------------------------------------------------------


def test_duplicate_case_number_in_the_same_tribunal_is_a_conflict(client, professional, itself):
    declared(client, itself, numero_rg="24/12345")
    response = declare(client, itself, numero_rg="24/12345")
    assert response.status_code == 409
    assert error(response)["type"] == "numero_rg_existant"
    assert error(response)["loc"] == ["body", "numero_rg"]
    assert load_of(client, itself, professional["id"]) == (1, 39)


def test_same_case_number_at_another_tribunal_is_accepted(client, itself):
    declared(client, itself, numero_rg="24/12345", tribunal=LILLE)
    assert declared(client, itself, numero_rg="24/12345", tribunal=DOUAI)["tribunal"]["code"] == "TGIDOUAI"


def test_nature_not_covered_by_the_title_is_rejected(client, admin, make_token):
    maj_only = client.post(
        "/mandataires", json=mandataire_body(natures=["mesure_accompagnement_judiciaire"]), headers=admin
    ).json()
    headers = make_token("mandataire", mandataire_id=maj_only["id"])
    response = declare(client, headers, nature="tutelle")
    assert response.status_code == 422
    assert error(response)["type"] == "nature_non_couverte"
    assert error(response)["loc"] == ["body", "nature"]


def test_mjagbf_for_a_professional_without_dpf_is_rejected(client, itself):
    response = declare(client, itself, nature="mjagbf")
    assert response.status_code == 422
    assert error(response)["type"] == "mjagbf_sans_dpf"  # the engine's code for the same situation
    assert error(response)["loc"] == ["body", "nature"]


def test_mjagbf_for_a_dpf_is_accepted(client, admin, make_token):
    dpf = client.post(
        "/mandataires", json=mandataire_body(type="service", dpf=True, natures=["mjagbf"]), headers=admin
    ).json()
    headers = make_token("mandataire", mandataire_id=dpf["id"])
    assert declared(client, headers, nature="mjagbf")["nature"] == "mjagbf"


def test_unknown_tribunal_is_rejected(client, itself):
    response = declare(client, itself, tribunal="00000000000000")
    assert response.status_code == 422
    assert error(response)["type"] == "tribunal_inconnu"
    assert error(response)["loc"] == ["body", "tribunal"]


def test_year_of_birth_of_a_minor_is_rejected(client, itself):
    response = declare(client, itself, annee_naissance=date.today().year - 10)
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "annee_naissance"]
    assert measures_count(client, itself) == 0


def test_year_of_birth_seventeen_years_ago_is_a_minor(client, itself):
    response = declare(client, itself, annee_naissance=date.today().year - 17)
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "annee_naissance"]


def test_year_of_birth_of_a_young_adult_is_accepted(client, itself):
    assert declared(client, itself, annee_naissance=date.today().year - 18)["annee_naissance"] > 0


def test_closed_measure_without_cause_is_rejected(client, itself):
    response = declare(client, itself, statut="eteinte")
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "cause_sortie"]
    assert measures_count(client, itself) == 0


def test_site_of_another_professional_is_rejected(client, admin, itself):
    other = client.post("/mandataires", json=mandataire_body(), headers=admin).json()
    response = declare(client, itself, site=other["sites"][0]["id"])
    assert response.status_code == 422
    assert error(response)["type"] == "site_inconnu"
    assert error(response)["loc"] == ["body", "site"]
    assert measures_count(client, itself) == 0
