"""Professionals through HTTP: creation and its checks, updates by agents and by the professional, list filters."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from app.registry.models import Mandataire
from tests.registry.factories import mandataire_body, mesure_body
from tests.support import create_mandataire

LILLE, DOUAI = "17590111500709", "17590111500576"


def error(response) -> dict:
    return response.json()["detail"][0]


def listed(client, headers, **params) -> set[int]:
    response = client.get("/mandataires", params={"limit": 200, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def total_mandataires(client, headers) -> int:
    return client.get("/mandataires", headers=headers).json()["total"]


# --- creation --------------------------------------------------------------------------------------


def test_admin_creates_a_professional_with_empty_load_and_named_sites(client, admin):
    response = client.post(
        "/mandataires",
        json=mandataire_body(
            capacite=40, sites=[{"nom": "Bureau", "insee": "59350"}, {"nom": "Antenne", "insee": "62119"}]
        ),
        headers=admin,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["mesures_en_cours"], created["places_libres"], created["taux_occupation"]) == (0, 40, 0.0)
    assert [(s["nom"], s["insee"], s["commune"], s["departement"]) for s in created["sites"]] == [
        ("Bureau", "59350", "Lille", "59"),
        ("Antenne", "62119", "Béthune", "62"),
    ]
    assert client.get(f"/mandataires/{created['id']}", headers=admin).json()["places_libres"] == 40


def test_invalid_siret_is_rejected(client, admin):
    valid = mandataire_body()["siret"]
    wrong_key = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    response = client.post("/mandataires", json=mandataire_body(siret=wrong_key), headers=admin)
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "siret"]
    assert total_mandataires(client, admin) == 0


def test_duplicate_siret_is_a_conflict(client, admin):
    first = create_mandataire(client, admin)
    response = client.post("/mandataires", json=mandataire_body(siret=first["siret"]), headers=admin)
    assert response.status_code == 409
    assert error(response)["type"] == "siret_existant"
    assert error(response)["loc"] == ["body", "siret"]
    assert total_mandataires(client, admin) == 1


def test_unknown_insee_of_a_site_is_rejected_and_nothing_is_written(client, admin):
    sites = [{"nom": "Bureau", "insee": "59350"}, {"nom": "Nulle part", "insee": "59999"}]
    response = client.post("/mandataires", json=mandataire_body(sites=sites), headers=admin)
    assert response.status_code == 422
    assert error(response)["type"] == "insee_inconnu"
    assert error(response)["loc"] == ["body", "sites", 1, "insee"]
    assert total_mandataires(client, admin) == 0


def test_unknown_departement_is_rejected(client, admin):
    response = client.post("/mandataires", json=mandataire_body(departements=["59", "99"]), headers=admin)
    assert response.status_code == 422
    assert error(response)["type"] == "departement_inconnu"
    assert error(response)["loc"] == ["body", "departements", 1]


def test_languages_are_stored_as_codes_however_they_are_written(client, admin):
    """One vocabulary: ISO 639-1 codes or French names, any case or accents, « flamand » for Dutch; once each."""
    written = ["Flamand", "NÉERLANDAIS", "de", "langue des signes francaise", " Anglais ", "en"]
    created = create_mandataire(client, admin, langues=written)
    assert created["langues"] == ["nl", "de", "fsl", "en"]
    path = f"/mandataires/{created['id']}"
    response = client.patch(path, json={"version": created["version"], "langues": ["arabe", "TR"]}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["langues"] == client.get(path, headers=admin).json()["langues"] == ["ar", "tr"]


@pytest.mark.parametrize("langue", ["klingon", "xx", "belge", "néerlandais; anglais"])
def test_an_unknown_language_is_rejected_naming_the_field_and_nothing_is_written(client, admin, langue):
    before = total_mandataires(client, admin)
    response = client.post("/mandataires", json=mandataire_body(langues=["nl", langue]), headers=admin)
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "langues", 1]
    assert error(response)["msg"].startswith("langue inconnue : code ISO 639-1")
    assert total_mandataires(client, admin) == before


def test_mjagbf_without_dpf_is_rejected(client, admin):
    response = client.post("/mandataires", json=mandataire_body(natures=["tutelle", "mjagbf"]), headers=admin)
    assert response.status_code == 422
    assert error(response)["type"] == "mjagbf_sans_dpf"
    assert error(response)["loc"] == ["body", "natures"]


def test_dpf_professional_may_hold_mjagbf(client, admin):
    created = create_mandataire(client, admin, type="service", dpf=True, natures=["tutelle", "mjagbf"])
    assert created["dpf"] is True
    assert created["natures"] == ["mjagbf", "tutelle"]


def test_absence_ending_before_it_starts_is_rejected(client, admin):
    mandataire = create_mandataire(client, admin)
    response = client.post(
        f"/mandataires/{mandataire['id']}/absences",
        json={"debut": "2030-05-10", "fin": "2030-05-01", "motif": "conges"},
        headers=admin,
    )
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "fin"]
    assert client.get(f"/mandataires/{mandataire['id']}", headers=admin).json()["absences"] == []


def test_absence_ending_before_it_starts_is_rejected_at_creation(client, admin):
    absences = [{"debut": "2030-05-10", "fin": "2030-05-01", "motif": "maladie"}]
    response = client.post("/mandataires", json=mandataire_body(absences=absences), headers=admin)
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "absences", 0, "fin"]


def test_status_ending_before_it_starts_is_rejected(client, admin):
    body = mandataire_body(statut="suspendu", statut_depuis="2030-03-10", statut_jusqu_au="2030-03-02")
    response = client.post("/mandataires", json=body, headers=admin)
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", "statut_jusqu_au"]
    assert total_mandataires(client, admin) == 0


def test_unknown_tribunal_restriction_is_rejected(client, admin):
    response = client.post("/mandataires", json=mandataire_body(tribunaux=[LILLE, "00000000000000"]), headers=admin)
    assert response.status_code == 422
    assert error(response)["type"] == "tribunal_inconnu"
    assert error(response)["loc"] == ["body", "tribunaux", 1]


def test_tribunal_restriction_accepts_siret_or_code(client, admin):
    created = create_mandataire(client, admin, tribunaux=[LILLE, "TGIDOUAI"])
    assert sorted(t["code"] for t in created["tribunaux"]) == ["TGIDOUAI", "TGILILLE"]


def test_agent_cannot_create_a_professional_outside_its_territory(client, make_token):
    agent = make_token("agent", departement="59")
    response = client.post(
        "/mandataires", json=mandataire_body(departements=["13"], sites=[{"nom": "B", "insee": "13055"}]), headers=agent
    )
    assert response.status_code == 403
    assert error(response)["type"] == "hors_territoire"


def test_agent_creates_a_professional_in_its_territory(client, make_token):
    agent = make_token("agent", departement="59")
    assert create_mandataire(client, agent, departements=["59"])["departements"] == ["59"]


# --- updates ---------------------------------------------------------------------------------------


def test_patch_with_a_stale_version_is_a_conflict_and_changes_nothing(client, admin):
    mandataire = create_mandataire(client, admin, capacite=40)
    path = f"/mandataires/{mandataire['id']}"
    first = client.patch(path, json={"version": mandataire["version"], "capacite": 45}, headers=admin)
    assert first.status_code == 200, first.text
    assert first.json()["version"] > mandataire["version"]

    response = client.patch(path, json={"version": mandataire["version"], "capacite": 10, "nom": "X"}, headers=admin)
    assert response.status_code == 409
    assert error(response)["type"] == "version_perimee"
    after = client.get(path, headers=admin).json()
    assert (after["capacite"], after["nom"], after["version"]) == (45, mandataire["nom"], first.json()["version"])


def _age_freshness(session, mandataire_id: int) -> None:
    session.execute(
        update(Mandataire)
        .where(Mandataire.id == mandataire_id)
        .values(derniere_mise_a_jour=datetime(2020, 1, 1, tzinfo=UTC))
    )
    session.commit()


def test_professional_updates_its_capacity_and_the_freshness_stamp_moves(client, admin, make_token, session):
    mandataire = create_mandataire(client, admin, capacite=40)
    _age_freshness(session, mandataire["id"])
    itself = make_token("mandataire", mandataire_id=mandataire["id"])
    path = f"/mandataires/{mandataire['id']}"
    version = client.get(path, headers=itself).json()["version"]

    response = client.patch(path, json={"version": version, "capacite": 30}, headers=itself)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["capacite"], body["places_libres"]) == (30, 30)
    assert datetime.fromisoformat(body["derniere_mise_a_jour"]) > datetime(2020, 1, 2, tzinfo=UTC)
    assert client.get(path, headers=admin).json()["capacite"] == 30


def test_changing_contact_details_does_not_refresh_availability(client, admin, session):
    mandataire = create_mandataire(client, admin)
    _age_freshness(session, mandataire["id"])
    path = f"/mandataires/{mandataire['id']}"
    version = client.get(path, headers=admin).json()["version"]
    response = client.patch(path, json={"version": version, "email": "contact@example.org"}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["email"] == "contact@example.org"
    assert datetime.fromisoformat(response.json()["derniere_mise_a_jour"]) == datetime(2020, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "change",
    [{"statut": "suspendu"}, {"natures": ["tutelle"]}, {"departements": ["59", "62"]}],
    ids=lambda change: next(iter(change)),
)
def test_professional_cannot_change_its_legal_title(client, admin, make_token, change):
    mandataire = create_mandataire(client, admin)
    itself = make_token("mandataire", mandataire_id=mandataire["id"])
    path = f"/mandataires/{mandataire['id']}"
    response = client.patch(path, json={"version": mandataire["version"], **change}, headers=itself)
    assert response.status_code == 403
    assert error(response)["type"] == "champ_reserve"
    assert next(iter(change)) in error(response)["msg"]
    assert client.get(path, headers=admin).json()["version"] == mandataire["version"]


@pytest.mark.parametrize("field", ["natures", "departements", "nom", "capacite"])
def test_patch_with_null_for_a_required_field_is_rejected(client, admin, field):
    mandataire = create_mandataire(client, admin)
    path = f"/mandataires/{mandataire['id']}"
    response = client.patch(path, json={"version": mandataire["version"], field: None}, headers=admin)
    assert response.status_code == 422
    assert error(response)["loc"] == ["body", field]


# --- sites -----------------------------------------------------------------------------------------


def test_deleting_a_site_that_still_carries_measures_is_a_conflict(client, admin):
    mandataire = create_mandataire(
        client, admin, sites=[{"nom": "Bureau", "insee": "59350"}, {"nom": "Annexe", "insee": "59350"}]
    )
    site = mandataire["sites"][1]["id"]
    mesure = client.post("/mesures", json=mesure_body(mandataire=mandataire["id"], site=site), headers=admin)
    assert mesure.status_code == 201, mesure.text

    response = client.delete(f"/mandataires/{mandataire['id']}/sites/{site}", headers=admin)
    assert response.status_code == 409
    assert error(response)["type"] == "site_occupe"
    sites = client.get(f"/mandataires/{mandataire['id']}", headers=admin).json()["sites"]
    assert [s["id"] for s in sites] == [mandataire["sites"][0]["id"], site]


def test_a_site_whose_measures_are_closed_can_be_deleted(client, admin):
    mandataire = create_mandataire(
        client, admin, sites=[{"nom": "Bureau", "insee": "59350"}, {"nom": "Annexe", "insee": "59350"}]
    )
    site = mandataire["sites"][1]["id"]
    mesure = client.post("/mesures", json=mesure_body(mandataire=mandataire["id"], site=site), headers=admin).json()
    closed = client.patch(
        f"/mesures/{mesure['id']}",
        json={"version": mesure["version"], "statut": "eteinte", "cause_sortie": "mainlevee"},
        headers=admin,
    )
    assert closed.status_code == 200, closed.text

    response = client.delete(f"/mandataires/{mandataire['id']}/sites/{site}", headers=admin)
    assert response.status_code == 204
    assert client.get(f"/mesures/{mesure['id']}", headers=admin).json()["site"] is None


# --- list filters ----------------------------------------------------------------------------------


def test_list_filters_by_type(client, admin):
    service = create_mandataire(client, admin, type="service")
    individuel = create_mandataire(client, admin, type="individuel")
    assert listed(client, admin, type="service") == {service["id"]}
    assert listed(client, admin, type="individuel") == {individuel["id"]}


def test_list_filters_by_departement(client, admin):
    nord = create_mandataire(client, admin, departements=["59"])
    both = create_mandataire(client, admin, departements=["62", "59"])
    create_mandataire(client, admin, departements=["62"])
    assert listed(client, admin, departement="59") == {nord["id"], both["id"]}


def test_list_filters_by_the_tribunal_a_professional_can_serve(client, admin):
    unrestricted_nord = create_mandataire(client, admin, departements=["59"])
    restricted_to_lille = create_mandataire(client, admin, departements=["59"], tribunaux=[LILLE])
    create_mandataire(client, admin, departements=["59"], tribunaux=[DOUAI])
    create_mandataire(client, admin, departements=["62"])
    assert listed(client, admin, tribunal=LILLE) == {unrestricted_nord["id"], restricted_to_lille["id"]}
    assert listed(client, admin, tribunal="TGILILLE") == {unrestricted_nord["id"], restricted_to_lille["id"]}


def test_list_with_an_unknown_tribunal_is_rejected(client, admin):
    response = client.get("/mandataires", params={"tribunal": "00000000000000"}, headers=admin)
    assert response.status_code == 422
    assert error(response)["type"] == "tribunal_inconnu"
    assert error(response)["loc"] == ["query", "tribunal"]


def test_list_filters_by_specialite(client, admin):
    psychiatrie = create_mandataire(client, admin, specialites=["psychiatrie", "belgique"])
    create_mandataire(client, admin, specialites=["handicap"])
    create_mandataire(client, admin, specialites=[])
    assert listed(client, admin, specialite="belgique") == {psychiatrie["id"]}


def test_list_filters_by_statut(client, admin):
    actif = create_mandataire(client, admin)
    suspendu = create_mandataire(client, admin, statut="suspendu")
    assert listed(client, admin, statut="actif") == {actif["id"]}
    assert listed(client, admin, statut="suspendu") == {suspendu["id"]}


def test_available_professionals_exclude_suspended_closed_full_and_absent_ones(client, admin):
    today = date.today()
    available = create_mandataire(client, admin, nom="Disponible")
    absent_later = create_mandataire(client, admin, nom="Absent plus tard")
    client.post(
        f"/mandataires/{absent_later['id']}/absences",
        json={"debut": str(today + timedelta(days=30)), "fin": str(today + timedelta(days=40)), "motif": "conges"},
        headers=admin,
    ).raise_for_status()
    suspended = create_mandataire(client, admin, statut="suspendu")
    closed = create_mandataire(client, admin, accepte_nouvelles_mesures=False)
    full = create_mandataire(client, admin, capacite=1)
    client.post("/mesures", json=mesure_body(mandataire=full["id"]), headers=admin).raise_for_status()
    absent_today = create_mandataire(client, admin)
    client.post(
        f"/mandataires/{absent_today['id']}/absences",
        json={"debut": str(today - timedelta(days=1)), "fin": str(today + timedelta(days=1)), "motif": "maladie"},
        headers=admin,
    ).raise_for_status()

    assert listed(client, admin, disponible=True) == {available["id"], absent_later["id"]}
    assert listed(client, admin, disponible=False) == {suspended["id"], closed["id"], full["id"], absent_today["id"]}


def test_search_by_name_ignores_accents_and_case(client, admin):
    helene = create_mandataire(client, admin, nom="Hélène Dupré-Lefèvre")
    create_mandataire(client, admin, nom="Camille Testeur")
    for query in ("helene", "DUPRE", "lefèvre", "Hélène Dupré"):
        assert listed(client, admin, q=query) == {helene["id"]}, query


def test_list_is_paginated_in_name_order(client, admin):
    ids = [create_mandataire(client, admin, nom=name)["id"] for name in ("Charlie", "Alice", "Bob")]
    first = client.get("/mandataires", params={"limit": 2, "offset": 0}, headers=admin).json()
    second = client.get("/mandataires", params={"limit": 2, "offset": 2}, headers=admin).json()
    assert first["total"] == second["total"] == 3
    assert [item["nom"] for item in first["items"]] == ["Alice", "Bob"]
    assert [item["id"] for item in second["items"]] == [ids[0]]


def test_overlapping_absences_are_rejected(client, admin):
    mandataire = create_mandataire(client, admin)
    path = f"/mandataires/{mandataire['id']}/absences"
    first = client.post(path, json={"debut": "2030-05-01", "fin": "2030-05-10", "motif": "conges"}, headers=admin)
    assert first.status_code == 201
    overlap = client.post(path, json={"debut": "2030-05-10", "fin": "2030-05-20", "motif": "formation"}, headers=admin)
    assert overlap.status_code == 422
    assert error(overlap)["type"] == "absences_chevauchees"
    assert len(client.get(f"/mandataires/{mandataire['id']}", headers=admin).json()["absences"]) == 1
