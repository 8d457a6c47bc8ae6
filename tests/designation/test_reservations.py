"""Reserve, accept, refuse, cancel, expire: every transition, every forbidden one, the audit trail."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.database import utcnow
from app.designation.service import expire_and_remind
from app.notifications.models import Notification
from tests.support import assert_counters_equal_recount, create_mandataire

LILLE_TJ = "17590111500709"
# A tutelle for a person living at home in Lille, before the Lille tribunal.
REQUEST = {"tribunal": LILLE_TJ, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"}
NATURES = ["curatelle_renforcee", "tutelle", "curatelle_simple"]
FAMILLE = {"statut": "aucun_proche_disponible"}


@pytest.fixture(scope="module")
def shared(module_client, module_token) -> tuple[dict[str, str], dict, str]:
    """The judge's token, two professionals of the Nord (the near one with two places) with their tokens, and a
    /match of the judge that lists the near one: built once for the module, each test runs in a savepoint over
    them (`connection` below)."""
    admin, judge = module_token("admin"), module_token("magistrat", tribunal=LILLE_TJ)
    with module_client() as client:

        def create(**overrides):
            body = create_mandataire(client, admin, natures=NATURES, **overrides)
            body["headers"] = module_token("mandataire", mandataire_id=body["id"])
            return body

        pros = {
            "near": create(
                nom="Proche", email="proche@example.org", capacite=2, sites=[{"nom": "B", "insee": "59350"}]
            ),
            "far": create(nom="Lointain", capacite=30, sites=[{"nom": "B", "insee": "59392"}]),
        }
        response = client.post(
            "/match",
            headers=judge,
            json={**REQUEST, "limit": 1, "diversite": False},
        )
    assert [c["mandataire"]["id"] for c in response.json()["candidats"]] == [pros["near"]["id"]]
    return judge, pros, response.json()["match_id"]


@pytest.fixture
def connection(shared, savepoint_connection):
    return savepoint_connection


@pytest.fixture
def judge(shared) -> dict[str, str]:
    return shared[0]


@pytest.fixture
def pros(shared) -> dict:
    return shared[1]


@pytest.fixture
def match_id(shared) -> str:
    return shared[2]


def reserve(client, headers, match_id, mandataire, rg="25/00001", **extra):
    return client.post(
        "/reservations",
        headers=headers | extra.pop("extra_headers", {}),
        json={"match_id": match_id, "mandataire": mandataire, "numero_rg": rg, "famille": FAMILLE, **extra},
    )


def load_of(client, admin, pro):
    body = client.get(f"/mandataires/{pro['id']}", headers=admin).json()
    return body["mesures_en_cours"], body["mesures_en_attente"], body["places_libres"]


def test_reservation_holds_a_place_and_is_audited_and_notified(client, judge, admin, pros, match_id, session):
    response = reserve(client, judge, match_id, pros["near"]["id"], cabinet="Cabinet 2", annee_naissance=1940)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["statut"] == "en_attente" and body["hors_liste"] is False and body["mesure"]
    assert load_of(client, admin, pros["near"]) == (0, 1, 1)
    mesure = client.get(f"/mesures/{body['mesure']}", headers=judge).json()
    assert mesure["statut"] == "en_attente" and mesure["insee"] == "59350" and mesure["nature"] == "tutelle"
    story = client.get(f"/audit/matches/{match_id}", headers=judge).json()
    assert story["reponse"]["candidats"][0]["mandataire"]["id"] == pros["near"]["id"]
    assert [e["action"] for e in story["evenements"]] == ["reservation_creee"]
    assert story["evenements"][0]["details"]["rang"] == 1
    assert session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "reservation")) == 1


def test_accept_moves_the_place_to_in_progress(client, judge, admin, pros, match_id, session):
    reservation = reserve(client, judge, match_id, pros["near"]["id"]).json()
    response = client.post(
        f"/reservations/{reservation['id']}/acceptation",
        headers=pros["near"]["headers"],
        json={"date_nomination": "2026-11-20", "lieu_vie": "etablissement"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["statut"] == "acceptee"
    assert load_of(client, admin, pros["near"]) == (1, 0, 1)
    mesure = client.get(f"/mesures/{reservation['mesure']}", headers=admin).json()
    assert (mesure["statut"], mesure["date_nomination"], mesure["lieu_vie"]) == (
        "en_cours",
        "2026-11-20",
        "etablissement",
    )
    assert_counters_equal_recount(session)  # the answers of the year counted too


def test_a_reservation_whose_measure_was_deleted_cannot_be_accepted(client, judge, admin, pros, match_id, session):
    reservation = reserve(client, judge, match_id, pros["near"]["id"]).json()
    assert client.delete(f"/mesures/{reservation['mesure']}", headers=admin).status_code == 204
    response = client.post(
        f"/reservations/{reservation['id']}/acceptation",
        headers=pros["near"]["headers"],
        json={"date_nomination": "2026-11-20"},
    )
    assert response.status_code == 409 and response.json()["detail"][0]["type"] == "mesure_modifiee", response.text
    assert client.get(f"/reservations/{reservation['id']}", headers=judge).json()["statut"] == "en_attente"
    assert client.delete(f"/reservations/{reservation['id']}", headers=judge).status_code == 200
    assert_counters_equal_recount(session)


def test_refusal_frees_the_place_and_the_judge_can_rematch_without_them(client, judge, admin, pros, match_id, session):
    reservation = reserve(client, judge, match_id, pros["near"]["id"]).json()
    refused = client.post(
        f"/reservations/{reservation['id']}/refus",
        headers=pros["near"]["headers"],
        json={"motif": "Conflit d'intérêts avec la famille"},
    )
    assert refused.status_code == 200 and refused.json()["statut"] == "refusee" and refused.json()["mesure"] is None
    assert load_of(client, admin, pros["near"]) == (0, 0, 2)
    assert_counters_equal_recount(session)
    rematch = client.post(
        "/match",
        headers=judge,
        json={**REQUEST, "exclure": [pros["near"]["id"]]},
    ).json()
    assert [c["mandataire"]["id"] for c in rematch["candidats"]] == [pros["far"]["id"]]
    again = reserve(client, judge, rematch["match_id"], pros["far"]["id"])  # the same numero_rg is free again
    assert again.status_code == 201


def test_notifications_read_as_french_sentences_with_labels_and_the_reason(client, judge, pros, match_id, session):
    """The professional is the subject of their answer, the tribunal reads the refusal's reason, the nature is its
    label (never `curatelle_renforcee`), and a forbidden answer says so in French."""
    reservation = reserve(client, judge, match_id, pros["near"]["id"]).json()
    [created] = session.scalars(select(Notification).where(Notification.kind == "reservation")).all()
    assert "(Tutelle, RG 2500001)" in created.body and "tutelle" not in created.body
    assert created.payload["destinataire"] == "mandataire"
    refused = client.post(
        f"/reservations/{reservation['id']}/refus",
        headers=pros["near"]["headers"],
        json={"motif": "Conflit d'intérêts avec la famille"},
    )
    assert refused.status_code == 200
    [notice] = session.scalars(select(Notification).where(Notification.kind == "refus")).all()
    assert notice.body.startswith("Proche a refusé la réservation RG 2500001 (Tutelle).")
    assert notice.payload["destinataire"] == "tribunal"
    assert "Motif du refus : Conflit d'intérêts avec la famille." in notice.body
    again = client.post(
        f"/reservations/{reservation['id']}/acceptation",
        headers=pros["near"]["headers"],
        json={"date_nomination": "2026-11-20"},
    )
    assert again.status_code == 409
    assert again.json()["detail"][0]["msg"] == "impossible d'accepter une réservation déjà refusée"


def test_cancel_by_the_judge(client, judge, admin, pros, match_id, session):
    reservation = reserve(client, judge, match_id, pros["near"]["id"]).json()
    response = client.delete(f"/reservations/{reservation['id']}", headers=judge)
    assert response.status_code == 200 and response.json()["statut"] == "annulee"
    assert load_of(client, admin, pros["near"]) == (0, 0, 2)
    assert_counters_equal_recount(session)  # a cancellation is no answer of the yearly tables


def test_forbidden_transitions(client, judge, make_token, pros, match_id):
    reservation = reserve(client, judge, match_id, pros["near"]["id"]).json()
    path = f"/reservations/{reservation['id']}"
    other_judge = make_token("magistrat", tribunal="17130111200776")
    assert client.delete(path, headers=other_judge).status_code == 404  # another tribunal's reservation
    assert (
        client.post(
            f"{path}/acceptation", headers=pros["far"]["headers"], json={"date_nomination": "2026-11-20"}
        ).status_code
        == 404
    )
    assert client.delete(path, headers=judge).status_code == 200
    accepted_after_cancel = client.post(
        f"{path}/acceptation", headers=pros["near"]["headers"], json={"date_nomination": "2026-11-20"}
    )
    assert accepted_after_cancel.status_code == 409
    assert accepted_after_cancel.json()["detail"][0]["type"] == "transition_interdite"
    assert client.delete(path, headers=judge).status_code == 409
    refused_after_cancel = client.post(
        f"{path}/refus", headers=pros["near"]["headers"], json={"motif": "Trop tard pour refuser"}
    )
    assert refused_after_cancel.status_code == 409


def test_ineligible_professionals_are_refused_with_their_reason(client, judge, admin, pros, match_id):
    near = pros["near"]
    client.patch(f"/mandataires/{near['id']}", headers=admin, json={"version": near["version"], "statut": "suspendu"})
    response = reserve(client, judge, match_id, near["id"])
    assert response.status_code == 409 and response.json()["detail"][0]["type"] == "statut_inactif"


def test_a_full_professional_cannot_be_reserved(client, judge, admin, pros, match_id):
    assert reserve(client, judge, match_id, pros["near"]["id"], rg="25/1").status_code == 201
    assert reserve(client, judge, match_id, pros["near"]["id"], rg="25/2").status_code == 201
    full = reserve(client, judge, match_id, pros["near"]["id"], rg="25/3")
    assert full.status_code == 409 and full.json()["detail"][0]["type"] == "complet"
    assert load_of(client, admin, pros["near"]) == (0, 2, 0)


def test_off_list_needs_a_justification_which_is_recorded(client, judge, pros, match_id):
    response = reserve(client, judge, match_id, pros["far"]["id"])
    assert response.status_code == 409 and response.json()["detail"][0]["type"] == "hors_liste_non_justifie"
    assert reserve(client, judge, match_id, pros["far"]["id"], hors_liste=True).status_code == 422
    justified = reserve(
        client,
        judge,
        match_id,
        pros["far"]["id"],
        hors_liste=True,
        justification="Suit déjà le conjoint de la personne",
    )
    assert justified.status_code == 201 and justified.json()["hors_liste"] is True
    events = client.get(f"/audit/matches/{match_id}", headers=judge).json()["evenements"]
    assert events[0]["details"]["justification"] == "Suit déjà le conjoint de la personne"


def test_duplicate_numero_rg_and_idempotent_retries(client, judge, admin, pros, match_id):
    key = {"extra_headers": {"Idempotency-Key": "retry-1"}}
    first = reserve(client, judge, match_id, pros["near"]["id"], **key)
    retry = reserve(client, judge, match_id, pros["near"]["id"], extra_headers={"Idempotency-Key": "retry-1"})
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()  # the first answer, replayed
    assert load_of(client, admin, pros["near"]) == (0, 1, 1)
    duplicate = reserve(client, judge, match_id, pros["near"]["id"])
    assert duplicate.status_code == 409 and duplicate.json()["detail"][0]["type"] == "numero_rg_existant"


def test_other_tribunals_cannot_use_a_match(client, make_token, pros, match_id):
    other = make_token("greffier", tribunal="17130111200776")
    assert reserve(client, other, match_id, pros["near"]["id"]).status_code == 404
    assert client.get(f"/audit/matches/{match_id}", headers=other).status_code == 404


def test_expiry_releases_the_place_reminds_first_and_is_safe_twice(
    client, judge, admin, pros, match_id, session, settings
):
    reservation = reserve(client, judge, match_id, pros["near"]["id"]).json()
    soon = utcnow() + timedelta(days=settings.reservation_expiry_days - settings.reservation_reminder_days + 1)
    assert expire_and_remind(session, settings=settings, now=soon) == (0, 1)
    assert expire_and_remind(session, settings=settings, now=soon) == (0, 0)
    later = utcnow() + timedelta(days=settings.reservation_expiry_days + 1)
    assert expire_and_remind(session, settings=settings, now=later) == (1, 0)
    assert expire_and_remind(session, settings=settings, now=later) == (0, 0)
    session.commit()
    assert client.get(f"/reservations/{reservation['id']}", headers=judge).json()["statut"] == "expiree"
    assert load_of(client, admin, pros["near"]) == (0, 0, 2)
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.reservation_id == reservation["id"]).order_by(AuditEvent.id)
    )
    assert list(actions) == ["reservation_creee", "rappel_envoye", "reservation_expiree"]
    # The expiry tells both with the same text: the payload says which row is for whom (a webhook routes by it).
    expiry = session.scalars(select(Notification).where(Notification.kind == "expiration").order_by(Notification.id))
    assert [(n.payload["destinataire"], n.payload["reservation"]) for n in expiry] == [
        ("mandataire", reservation["id"]),
        ("tribunal", reservation["id"]),
    ]
    assert_counters_equal_recount(session)


def test_lists_for_the_tribunal_and_the_professional(client, judge, pros, match_id):
    reservation = reserve(client, judge, match_id, pros["near"]["id"]).json()
    page = client.get(f"/tribunaux/{LILLE_TJ}/reservations", headers=judge).json()
    assert page["total"] == 1 and [r["id"] for r in page["items"]] == [reservation["id"]]
    assert page["items"][0]["mandataire_nom"] == "Proche"
    mine = client.get(f"/mandataires/{pros['near']['id']}/reservations", headers=pros["near"]["headers"]).json()
    assert [r["id"] for r in mine] == [reservation["id"]]
    assert (
        client.get(f"/mandataires/{pros['near']['id']}/reservations", headers=pros["far"]["headers"]).status_code == 404
    )
