"""Transfer plans through HTTP: computed by an agent, decided per tribunal by judges, confirmed through the
reservation flow; capacity never exceeded, loads equal to a recount, nothing half-applied."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from app.designation.models import Reservation
from app.transfer.models import Transfert
from tests.registry.factories import mandataire_body, mesure_body
from tests.support import assert_counters_equal_recount

LILLE_TJ, DOUAI_TJ, ARRAS_TJ = "17590111500709", "17590111500576", "17590111500535"
NATURES = ["curatelle_renforcee", "tutelle", "curatelle_simple"]


@pytest.fixture
def world(client, admin, make_token):
    def pro(**overrides):
        response = client.post("/mandataires", headers=admin, json=mandataire_body(natures=NATURES, **overrides))
        assert response.status_code == 201, response.text
        body = response.json()
        body["headers"] = make_token("mandataire", mandataire_id=body["id"])
        return body

    source = pro(nom="Sortant", capacite=40, sites=[{"nom": "B", "insee": "59350"}])
    near = pro(nom="Proche", capacite=3, email="proche@example.org", sites=[{"nom": "B", "insee": "59350"}])
    far = pro(nom="Lointain", capacite=30, sites=[{"nom": "B", "insee": "59392"}])
    elsewhere = pro(nom="Ailleurs", capacite=30, departements=["62"], sites=[{"nom": "B", "insee": "62041"}])
    mesures = []
    for tribunal in [LILLE_TJ] * 5 + [DOUAI_TJ] * 2:
        response = client.post(
            "/mesures",
            headers=admin,
            json=mesure_body(tribunal=tribunal, mandataire=source["id"], statut="en_cours", nature="tutelle"),
        )
        assert response.status_code == 201, response.text
        mesures.append(response.json())
    return {
        "source": source,
        "near": near,
        "far": far,
        "elsewhere": elsewhere,
        "mesures": mesures,
        "agent": make_token("agent", departement="59"),
        "lille": make_token("magistrat", tribunal=LILLE_TJ),
        "douai": make_token("greffier", tribunal=DOUAI_TJ),
        "arras": make_token("magistrat", tribunal=ARRAS_TJ),
    }


def create_plan(client, world, **extra):
    return client.post(
        "/transferts", headers=world["agent"], json={"mandataire": world["source"]["id"], "motif": "retraite", **extra}
    )


def test_the_plan_proposes_eligible_professionals_within_capacity(client, world, admin):
    response = create_plan(client, world)
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["nombre_mesures"] == 7 and plan["sans_proposition"] == 0 and plan["statut"] == "ouvert"
    proposed = Counter(m["proposition"]["mandataire_id"] for m in plan["mesures"])
    assert world["source"]["id"] not in proposed and world["elsewhere"]["id"] not in proposed  # rules of /match
    assert proposed[world["near"]["id"]] <= 3  # its capacity, never exceeded
    assert proposed == {world["near"]["id"]: 3, world["far"]["id"]: 4}  # the nearest filled first, then the next
    for item in plan["mesures"]:
        assert item["decision"] == "a_decider" and item["proposition"]["explication"]
        assert item["exclusions"]["hors_departement"] >= 1
    assert plan["cout_total"] > 0


def test_a_second_plan_for_the_same_measures_is_refused_and_writes_nothing(client, world, session):
    assert create_plan(client, world).status_code == 201
    before = session.scalar(select(func.count()).select_from(Transfert))
    again = create_plan(client, world, mesures=[world["mesures"][0]["id"]])
    assert again.status_code == 409 and again.json()["detail"][0]["type"] == "transfert_en_cours"
    assert session.scalar(select(func.count()).select_from(Transfert)) == before


def test_bad_input_names_the_field(client, world):
    unknown = create_plan(client, world, mesures=[world["mesures"][0]["id"], 999_999])
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "mesures"]
    nobody = client.post("/transferts", headers=world["agent"], json={"mandataire": 999_999, "motif": "retraite"})
    assert nobody.status_code == 422 and nobody.json()["detail"][0]["loc"] == ["body", "mandataire"]
    motif = create_plan(client, world, motif="vacances")
    assert motif.status_code == 422


def test_each_tribunal_sees_and_decides_its_own_measures(client, world):
    plan = create_plan(client, world).json()
    lille = client.get(f"/transferts/{plan['id']}", headers=world["lille"]).json()
    douai = client.get(f"/transferts/{plan['id']}", headers=world["douai"]).json()
    assert len(lille["mesures"]) == 5 and len(douai["mesures"]) == 2
    assert client.get(f"/transferts/{plan['id']}", headers=world["arras"]).status_code == 404
    douai_measure = douai["mesures"][0]["mesure_id"]
    choice = client.put(
        f"/transferts/{plan['id']}/mesures/{douai_measure}/choix",
        headers=world["lille"],
        json={"mandataire": world["far"]["id"]},
    )
    assert choice.status_code == 404  # not Lille's measure


def test_confirmed_proposals_become_reservations_and_move_the_loads(client, world, admin, session):
    plan = create_plan(client, world).json()
    lille = client.get(f"/transferts/{plan['id']}", headers=world["lille"]).json()
    item = lille["mesures"][0]
    kept = item["proposition"]["mandataire_id"]
    chosen = client.put(
        f"/transferts/{plan['id']}/mesures/{item['mesure_id']}/choix", headers=world["lille"], json={"mandataire": kept}
    )
    assert chosen.status_code == 200, chosen.text
    confirmed = client.post(
        f"/transferts/{plan['id']}/confirmation", headers=world["lille"], json={"mesures": [item["mesure_id"]]}
    )
    assert confirmed.status_code == 200, confirmed.text
    state = next(m for m in confirmed.json()["mesures"] if m["mesure_id"] == item["mesure_id"])
    assert state["decision"] == "confirmee" and state["reservation_id"]
    # Until the new professional answers, the measure stays with the former one; its place is held at the new one.
    mesure = client.get(f"/mesures/{item['mesure_id']}", headers=admin).json()
    assert (mesure["mandataire"], mesure["statut"]) == (world["source"]["id"], "en_cours")
    new = client.get(f"/mandataires/{kept}", headers=admin).json()
    assert (new["mesures_en_attente"], new["mesures_en_cours"]) == (1, 0)
    assert_counters_equal_recount(session)
    headers = world["near"]["headers"] if kept == world["near"]["id"] else world["far"]["headers"]
    accepted = client.post(
        f"/reservations/{state['reservation_id']}/acceptation", headers=headers, json={"date_nomination": "2026-11-28"}
    )
    assert accepted.status_code == 200, accepted.text
    mesure = client.get(f"/mesures/{item['mesure_id']}", headers=admin).json()
    assert (mesure["mandataire"], mesure["statut"]) == (kept, "en_cours")
    after = client.get(f"/transferts/{plan['id']}", headers=world["agent"]).json()
    assert next(m for m in after["mesures"] if m["mesure_id"] == item["mesure_id"])["decision"] == "acceptee"
    assert_counters_equal_recount(session)


def test_a_declined_transfer_returns_the_measure_and_proposes_the_next_alternative(client, world, admin, session):
    plan = create_plan(client, world).json()
    item = client.get(f"/transferts/{plan['id']}", headers=world["lille"]).json()["mesures"][0]
    first = item["proposition"]["mandataire_id"]
    url = f"/transferts/{plan['id']}/mesures/{item['mesure_id']}/choix"
    assert client.put(url, headers=world["lille"], json={"mandataire": first}).status_code == 200
    confirmed = client.post(
        f"/transferts/{plan['id']}/confirmation", headers=world["lille"], json={"mesures": [item["mesure_id"]]}
    ).json()
    reservation = next(m for m in confirmed["mesures"] if m["mesure_id"] == item["mesure_id"])["reservation_id"]
    headers = world["near"]["headers"] if first == world["near"]["id"] else world["far"]["headers"]
    refused = client.post(f"/reservations/{reservation}/refus", headers=headers, json={"motif": "Plus de place"})
    assert refused.status_code == 200, refused.text
    mesure = client.get(f"/mesures/{item['mesure_id']}", headers=admin).json()
    assert (mesure["mandataire"], mesure["statut"]) == (world["source"]["id"], "en_cours")  # back where it was
    assert_counters_equal_recount(session)
    state = next(
        m
        for m in client.get(f"/transferts/{plan['id']}", headers=world["lille"]).json()["mesures"]
        if m["mesure_id"] == item["mesure_id"]
    )
    assert state["decision"] == "a_decider" and state["refus"] == [first]
    assert state["proposition"]["mandataire_id"] != first


def test_a_measure_changed_since_the_plan_is_rechecked_and_nothing_is_applied(client, world, admin, session):
    plan = create_plan(client, world).json()
    items = client.get(f"/transferts/{plan['id']}", headers=world["lille"]).json()["mesures"][:2]
    for item in items:
        url = f"/transferts/{plan['id']}/mesures/{item['mesure_id']}/choix"
        assert client.put(url, headers=world["lille"], json={"mandataire": world["far"]["id"]}).status_code == 200
    changed = client.get(f"/mesures/{items[1]['mesure_id']}", headers=admin).json()
    patch = client.patch(
        f"/mesures/{items[1]['mesure_id']}",
        headers=admin,
        json={"version": changed["version"], "lieu_vie": "etablissement"},
    )
    assert patch.status_code == 200, patch.text
    reservations = session.scalar(select(func.count()).select_from(Reservation))
    confirmed = client.post(
        f"/transferts/{plan['id']}/confirmation",
        headers=world["lille"],
        json={"mesures": [item["mesure_id"] for item in items]},
    )
    assert confirmed.status_code == 409 and confirmed.json()["detail"][0]["type"] == "mesure_modifiee"
    assert session.scalar(select(func.count()).select_from(Reservation)) == reservations  # the first not applied
    first = client.get(f"/mesures/{items[0]['mesure_id']}", headers=admin).json()
    assert first["mandataire"] == world["source"]["id"]


def test_a_replacement_must_pass_the_rules(client, world):
    plan = create_plan(client, world).json()
    item = client.get(f"/transferts/{plan['id']}", headers=world["lille"]).json()["mesures"][0]
    url = f"/transferts/{plan['id']}/mesures/{item['mesure_id']}/choix"
    refused = client.put(url, headers=world["lille"], json={"mandataire": world["elsewhere"]["id"]})
    assert refused.status_code == 409 and refused.json()["detail"][0]["type"] == "hors_departement"
    shortlist = client.get(f"/transferts/{plan['id']}/mesures/{item['mesure_id']}/candidats", headers=world["lille"])
    assert shortlist.status_code == 200
    ids = [c["mandataire"]["id"] for c in shortlist.json()]
    assert world["source"]["id"] not in ids and world["far"]["id"] in ids


def test_closing_frees_the_measures_for_a_new_plan(client, world):
    plan = create_plan(client, world).json()
    closed = client.post(f"/transferts/{plan['id']}/cloture", headers=world["agent"])
    assert closed.status_code == 200 and closed.json()["statut"] == "clos"
    assert create_plan(client, world).status_code == 201


def test_agents_export_the_plan_and_its_state(client, world):
    plan = create_plan(client, world).json()
    csv = client.get(f"/transferts/{plan['id']}.csv", headers=world["agent"])
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mesure;Numéro RG;Tribunal") and len(lines) == 1 + 7
    assert all("à décider" in line for line in lines[1:])
    xlsx = client.get(f"/transferts/{plan['id']}.xlsx", headers=world["agent"])
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(f"/transferts/{plan['id']}.pdf", headers=world["agent"]).status_code in (404, 422)
    assert client.get(f"/transferts/{plan['id']}.csv", headers=world["arras"]).status_code == 404


def test_judges_of_two_tribunals_confirm_their_parts_and_the_loads_match_a_recount(client, world, session):
    plan = create_plan(client, world).json()
    for judge in ("lille", "douai"):
        items = client.get(f"/transferts/{plan['id']}", headers=world[judge]).json()["mesures"]
        for item in items:
            url = f"/transferts/{plan['id']}/mesures/{item['mesure_id']}/choix"
            kept = {"mandataire": item["proposition"]["mandataire_id"]}
            assert client.put(url, headers=world[judge], json=kept).status_code == 200
        confirmed = client.post(
            f"/transferts/{plan['id']}/confirmation",
            headers=world[judge],
            json={"mesures": [item["mesure_id"] for item in items]},
        )
        assert confirmed.status_code == 200, confirmed.text
        assert {m["decision"] for m in confirmed.json()["mesures"]} == {"confirmee"}
    everything = client.get(f"/transferts/{plan['id']}", headers=world["agent"]).json()["mesures"]
    assert len(everything) == 7 and {m["decision"] for m in everything} == {"confirmee"}
    assert_counters_equal_recount(session)
    source = client.get(f"/mandataires/{world['source']['id']}", headers=world["agent"]).json()
    assert source["mesures_en_cours"] == 7  # nothing leaves before the new professionals accept
    held = [client.get(f"/mandataires/{world[k]['id']}", headers=world["agent"]).json() for k in ("near", "far")]
    assert sum(pro["mesures_en_attente"] for pro in held) == 7
    by_id = {world[k]["id"]: world[k]["headers"] for k in ("near", "far")}
    for item in everything:
        accepted = client.post(
            f"/reservations/{item['reservation_id']}/acceptation",
            headers=by_id[item["proposition"]["mandataire_id"]],
            json={"date_nomination": "2026-11-28"},
        )
        assert accepted.status_code == 200, accepted.text
    assert_counters_equal_recount(session)
    source = client.get(f"/mandataires/{world['source']['id']}", headers=world["agent"]).json()
    assert source["mesures_en_cours"] == 0


def test_a_measure_created_by_a_reservation_can_be_transferred_later(client, world, admin, session):
    """A measure keeps every reservation of its life: the one that created it, then the transfer's."""
    match = client.post(
        "/match",
        headers=world["lille"],
        json={"tribunal": LILLE_TJ, "nature": "tutelle", "lieu_vie": "domicile", "residence": {"insee": "59350"}},
    )
    assert match.status_code == 200, match.text
    reserved = client.post(
        "/reservations",
        headers=world["lille"],
        json={
            "match_id": match.json()["match_id"],
            "mandataire": world["source"]["id"],
            "numero_rg": "26/00999",
            "famille": {"statut": "non_examine"},
            "hors_liste": True,
            "justification": "Suivi par ce professionnel",
        },
    )
    assert reserved.status_code == 201, reserved.text
    accepted = client.post(
        f"/reservations/{reserved.json()['id']}/acceptation",
        headers=world["source"]["headers"],
        json={"date_nomination": "2026-11-20"},
    )
    assert accepted.status_code == 200, accepted.text
    mesure_id = accepted.json()["mesure"]
    plan = create_plan(client, world, mesures=[mesure_id]).json()
    url = f"/transferts/{plan['id']}"
    proposal = plan["mesures"][0]["proposition"]["mandataire_id"]
    assert client.put(
        f"{url}/mesures/{mesure_id}/choix", headers=world["lille"], json={"mandataire": proposal}
    ).is_success
    confirmed = client.post(f"{url}/confirmation", headers=world["lille"], json={"mesures": [mesure_id]})
    assert confirmed.status_code == 200, confirmed.text
    assert_counters_equal_recount(session)


def test_a_measure_closed_while_its_transfer_waits_cannot_be_taken_over(client, world, admin, session):
    plan = create_plan(client, world).json()
    item = client.get(f"/transferts/{plan['id']}", headers=world["lille"]).json()["mesures"][0]
    kept = item["proposition"]["mandataire_id"]
    url = f"/transferts/{plan['id']}"
    assert client.put(
        f"{url}/mesures/{item['mesure_id']}/choix", headers=world["lille"], json={"mandataire": kept}
    ).is_success
    confirmed = client.post(f"{url}/confirmation", headers=world["lille"], json={"mesures": [item["mesure_id"]]})
    reservation = next(m for m in confirmed.json()["mesures"] if m["mesure_id"] == item["mesure_id"])["reservation_id"]
    # The measure is still the former professional's: a second plan leaves it out.
    again = create_plan(client, world, mesures=[item["mesure_id"]])
    assert again.status_code in (409, 422)
    deleted = client.delete(f"/mesures/{item['mesure_id']}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    headers = world["near"]["headers"] if kept == world["near"]["id"] else world["far"]["headers"]
    accepted = client.post(
        f"/reservations/{reservation}/acceptation", headers=headers, json={"date_nomination": "2026-11-28"}
    )
    assert accepted.status_code == 409 and accepted.json()["detail"][0]["type"] == "mesure_modifiee"
    assert_counters_equal_recount(session)
    cancelled = client.delete(f"/reservations/{reservation}", headers=world["lille"])
    assert cancelled.status_code == 200, cancelled.text
    assert_counters_equal_recount(session)
    new = client.get(f"/mandataires/{kept}", headers=admin).json()
    assert new["mesures_en_attente"] == 0
