"""GET /mandataires/moi and PATCH /mandataires/{id}/disponibilite through HTTP."""

from datetime import datetime

from tests.professionals.conftest import error
from tests.registry.factories import mandataire_body


def me(client, headers) -> dict:
    response = client.get("/mandataires/moi", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def declare(client, headers, mandataire_id: int, **body):
    return client.patch(f"/mandataires/{mandataire_id}/disponibilite", json=body, headers=headers)


def declared(client, headers, mandataire_id: int, **body) -> dict:
    response = declare(client, headers, mandataire_id, **body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_professional_reads_its_own_record(client, itself, professional):
    mine = me(client, itself)
    assert (mine["id"], mine["capacite"], mine["places_libres"], mine["avertissements"]) == (
        professional["id"],
        40,
        40,
        [],
    )


def test_declaring_availability_changes_it_and_stamps_the_update_time(client, itself, professional):
    before = datetime.fromisoformat(professional["derniere_mise_a_jour"])
    body = declared(
        client,
        itself,
        professional["id"],
        version=professional["version"],
        capacite=35,
        accepte_nouvelles_mesures=False,
        rayon_km=60,
        specialites=["belgique", "psychiatrie"],
        langues=["Néerlandais", "anglais"],
        antennes=[{"id": professional["sites"][1]["id"], "capacite": 12}],
    )
    assert (body["capacite"], body["accepte_nouvelles_mesures"], body["rayon_km"]) == (35, False, 60)
    assert (body["specialites"], body["langues"]) == (["belgique", "psychiatrie"], ["nl", "en"])
    assert [s["capacite"] for s in body["sites"]] == [None, 12]
    assert datetime.fromisoformat(body["derniere_mise_a_jour"]) > before
    assert body["version"] == professional["version"] + 1
    assert me(client, itself)["capacite"] == 35


def test_a_declaration_with_only_the_version_confirms_the_data(client, itself, professional):
    body = declared(client, itself, professional["id"], version=professional["version"])
    assert datetime.fromisoformat(body["derniere_mise_a_jour"]) > datetime.fromisoformat(
        professional["derniere_mise_a_jour"]
    )
    assert body["capacite"] == professional["capacite"]


def test_a_stale_version_is_a_conflict(client, itself, professional):
    declared(client, itself, professional["id"], version=professional["version"], capacite=30)
    response = declare(client, itself, professional["id"], version=professional["version"], capacite=20)
    assert response.status_code == 409 and error(response)["type"] == "version_perimee"
    assert me(client, itself)["capacite"] == 30


def test_absences_are_added_changed_and_removed(client, itself, professional):
    body = declared(
        client,
        itself,
        professional["id"],
        version=professional["version"],
        absences={
            "ajouter": [
                {"debut": "2031-07-01", "fin": "2031-07-21", "motif": "conges"},
                {"debut": "2031-09-01", "fin": "2031-09-03", "motif": "formation"},
            ]
        },
    )
    summer, training = body["absences"]
    body = declared(
        client,
        itself,
        professional["id"],
        version=body["version"],
        absences={"modifier": [{"id": summer["id"], "fin": "2031-07-28"}], "supprimer": [training["id"]]},
    )
    assert [(a["id"], a["debut"], a["fin"], a["motif"]) for a in body["absences"]] == [
        (summer["id"], "2031-07-01", "2031-07-28", "conges")
    ]


def test_overlapping_absences_are_rejected(client, itself, professional):
    body = declared(
        client,
        itself,
        professional["id"],
        version=professional["version"],
        absences={"ajouter": [{"debut": "2031-07-01", "fin": "2031-07-21", "motif": "conges"}]},
    )
    response = declare(
        client,
        itself,
        professional["id"],
        version=body["version"],
        capacite=20,
        absences={"ajouter": [{"debut": "2031-07-20", "fin": "2031-08-02", "motif": "maladie"}]},
    )
    assert response.status_code == 422
    assert error(response)["type"] == "absences_chevauchees"
    assert error(response)["loc"] == ["body", "absences", "ajouter", 0]
    mine = me(client, itself)
    assert (len(mine["absences"]), mine["capacite"]) == (1, 40)
    moved = declare(
        client,
        itself,
        professional["id"],
        version=body["version"],
        absences={"modifier": [{"id": body["absences"][0]["id"], "fin": "2031-06-01"}]},
    )
    assert moved.status_code == 422 and error(moved)["loc"] == ["body", "absences", "modifier", 0, "fin"]


def test_unknown_absences_antennes_and_substitutes_are_422(client, itself, professional):
    version = professional["version"]
    for body, loc in (
        ({"absences": {"supprimer": [999999]}}, ["body", "absences", "supprimer", 0]),
        ({"antennes": [{"id": 999999, "capacite": 3}]}, ["body", "antennes", 0, "id"]),
        (
            {
                "absences": {
                    "ajouter": [{"debut": "2031-01-01", "fin": "2031-01-02", "motif": "conges", "remplacant": 999999}]
                }
            },
            ["body", "absences", "ajouter", 0, "remplacant"],
        ),
    ):
        response = declare(client, itself, professional["id"], version=version, **body)
        assert response.status_code == 422, response.text
        assert error(response)["loc"] == loc


def test_a_capacity_above_the_regional_norms_is_accepted_with_a_warning(client, itself, professional):
    body = declared(client, itself, professional["id"], version=professional["version"], capacite=70)
    assert body["capacite"] == 70
    assert [w["code"] for w in body["avertissements"]] == ["capacite_au_dessus_des_normes"]
    assert "55" in body["avertissements"][0]["message"]
    assert [w["code"] for w in me(client, itself)["avertissements"]] == ["capacite_au_dessus_des_normes"]


def test_a_prepose_is_warned_above_60_and_a_service_never(client, admin, make_token):
    for kind, capacity, warned in (("prepose", 61, True), ("prepose", 60, False), ("service", 500, False)):
        created = client.post("/mandataires", json=mandataire_body(type=kind, capacite=10), headers=admin).json()
        headers = make_token("mandataire", mandataire_id=created["id"])
        body = declared(client, headers, created["id"], version=created["version"], capacite=capacity)
        assert bool(body["avertissements"]) is warned, (kind, capacity)


def test_admins_may_declare_for_a_professional_others_may_not(client, admin, itself, professional):
    # Other roles' 403 is in tests/auth/test_access_matrix.py.
    body = declared(client, admin, professional["id"], version=professional["version"], capacite=33)
    assert body["capacite"] == 33
    other = client.post("/mandataires", json=mandataire_body(), headers=admin).json()
    response = declare(client, itself, other["id"], version=other["version"], capacite=30)
    assert response.status_code == 404
