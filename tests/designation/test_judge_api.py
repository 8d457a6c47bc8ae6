"""What the judge's page needs of the API, through HTTP: every rule a professional fails, contact details on the
shortlist, excluding a professional from a search (audited), the tribunal's reservations page by page, its past
searches, and its designation statistics checked against figures recomputed here."""

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.database import utcnow
from app.designation.models import Reservation
from app.matching.schemas import MatchResponse
from tests.support import create_mandataire

LILLE_TJ = "17590111500709"
MARSEILLE_TJ = "17130111200776"
FAMILLE = {"statut": "aucun_proche_disponible"}
DEMANDE = {"tribunal": LILLE_TJ, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"}


@pytest.fixture(scope="module")
def shared(module_client, module_token) -> tuple[dict[str, str], dict]:
    """The judge's token and four professionals of the Nord with their tokens, built once for the module: each test
    runs in a savepoint over them (`connection` below)."""
    admin = module_token("admin")
    with module_client() as client:

        def create(**overrides):
            body = create_mandataire(client, admin, **overrides)
            body["headers"] = module_token("mandataire", mandataire_id=body["id"])
            return body

        pros = {
            "proche": create(
                nom="Alice Proche",
                email="alice@example.org",
                telephone="03 20 00 00 01",
                sites=[{"nom": "Bureau de Lille", "insee": "59350"}],
            ),
            "service": create(type="service", nom="Service Nord", sites=[{"nom": "Antenne", "insee": "59599"}]),
            "loin": create(nom="Bruno Loin", sites=[{"nom": "Bureau", "insee": "59392"}]),
            "ferme": create(
                nom="Chloé Fermée",
                natures=["curatelle_simple"],
                accepte_nouvelles_mesures=False,
                sites=[{"nom": "B", "insee": "59350"}],
            ),
        }
    return module_token("magistrat", tribunal=LILLE_TJ), pros


@pytest.fixture
def connection(shared, savepoint_connection):
    return savepoint_connection


@pytest.fixture
def judge(shared) -> dict[str, str]:
    return shared[0]


@pytest.fixture
def pros(shared) -> dict:
    return shared[1]


def match(client, headers, **extra):
    response = client.post("/match", headers=headers, json={**DEMANDE, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def reserve(client, headers, match_id, mandataire, rg, **extra):
    response = client.post(
        "/reservations",
        headers=headers,
        json={"match_id": match_id, "mandataire": mandataire, "numero_rg": rg, "famille": FAMILLE, **extra},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_cards_carry_the_contact_details_and_the_site_commune(client, judge, pros):
    body = match(client, judge)
    card = next(c for c in body["candidats"] if c["mandataire"]["id"] == pros["proche"]["id"])
    assert card["mandataire"]["telephone"] == "03 20 00 00 01" and card["mandataire"]["email"] == "alice@example.org"
    assert card["mandataire"]["site_le_plus_proche"]["commune"] == "Lille"
    assert card["mandataire"]["site_le_plus_proche"]["insee"] == "59350"
    assert MatchResponse.model_validate(body).model_dump(mode="json") == body


def test_why_not_lists_every_rule_failed_in_order(client, judge, pros):
    body = client.post("/match/explain", headers=judge, json={**DEMANDE, "mandataire": pros["ferme"]["id"]}).json()
    assert not body["eligible"] and not body["retenu"] and body["nom"] == "Chloé Fermée"
    assert [m["code"] for m in body["motifs"]] == ["n_accepte_pas", "nature_non_couverte"]
    assert body["motif"] == "n_accepte_pas"  # the one /match counts
    assert "n'accepte pas de nouvelles mesures" in body["message"] and "ne couvre pas" in body["message"]
    listed = client.post("/match/explain", headers=judge, json={**DEMANDE, "mandataire": pros["proche"]["id"]}).json()
    assert listed["retenu"] and listed["motifs"] == [] and listed["candidat"]["rang"] >= 1
    assert listed["candidat"]["mandataire"]["telephone"] == "03 20 00 00 01"


def test_excluding_ranks_again_without_them_and_keeps_the_reason(client, judge, pros, session):
    first = match(client, judge)
    excluded = first["candidats"][0]["mandataire"]["id"]
    response = client.post(
        f"/match/{first['match_id']}/exclusions",
        headers=judge,
        json={"mandataire": excluded, "motif": "Conflit d'intérêts : ancien tuteur d'un proche"},
    )
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["match_id"] != first["match_id"]
    assert excluded not in [c["mandataire"]["id"] for c in second["candidats"]]
    assert second["exclus"]["par_motif"]["exclu_par_juge"] == 1
    story = client.get(f"/audit/matches/{second['match_id']}", headers=judge).json()
    assert story["demande"]["exclure"] == [excluded]
    (event,) = story["evenements"]
    assert event["action"] == "mandataire_exclu" and event["mandataire_id"] == excluded
    assert event["details"] == {
        "motif": "Conflit d'intérêts : ancien tuteur d'un proche",
        "demande_precedente": first["match_id"],
    }
    # A second exclusion keeps the first.
    other = second["candidats"][0]["mandataire"]["id"]
    third = client.post(
        f"/match/{second['match_id']}/exclusions", headers=judge, json={"mandataire": other, "motif": "Refus passé"}
    ).json()
    assert sorted(
        client.get(f"/audit/matches/{third['match_id']}", headers=judge).json()["demande"]["exclure"]
    ) == sorted([excluded, other])


def test_excluding_refuses_bad_input_and_other_tribunals(client, judge, make_token, pros, session):
    first = match(client, judge)
    before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    url = f"/match/{first['match_id']}/exclusions"
    missing = client.post(url, headers=judge, json={"mandataire": pros["loin"]["id"]})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "motif"]
    unknown = client.post(url, headers=judge, json={"mandataire": 999999, "motif": "Conflit"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["type"] == "mandataire_inconnu"
    other = make_token("greffier", tribunal=MARSEILLE_TJ)
    assert (
        client.post(url, headers=other, json={"mandataire": pros["loin"]["id"], "motif": "Conflit"}).status_code == 404
    )
    assert (
        client.post("/match/inconnu/exclusions", headers=judge, json={"mandataire": 1, "motif": "xyz"}).status_code
        == 404
    )
    assert session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) == before


def test_off_list_reservation_needs_a_justification_and_is_audited(client, judge, pros):
    first = match(client, judge, limit=1, diversite=False)
    assert [c["mandataire"]["id"] for c in first["candidats"]] == [pros["proche"]["id"]]
    body = {
        "match_id": first["match_id"],
        "mandataire": pros["loin"]["id"],
        "numero_rg": "26/10001",
        "famille": FAMILLE,
    }
    refused = client.post("/reservations", headers=judge, json={**body, "hors_liste": True})
    assert refused.status_code == 422
    reservation = reserve(
        client,
        judge,
        first["match_id"],
        pros["loin"]["id"],
        "26/10001",
        hors_liste=True,
        justification="Connaît déjà la famille de la personne",
    )
    assert reservation["hors_liste"] and reservation["mandataire_nom"] == "Bruno Loin"
    (event,) = client.get(f"/audit/matches/{first['match_id']}", headers=judge).json()["evenements"]
    assert (
        event["details"]["hors_liste"] and event["details"]["justification"] == "Connaît déjà la famille de la personne"
    )


def test_the_tribunal_reservations_are_filtered_and_paginated(client, judge, make_token, pros):
    first = match(client, judge)
    made = [
        reserve(client, judge, first["match_id"], pros[k]["id"], f"26/2000{n}")
        for n, k in enumerate(("proche", "service", "loin"))
    ]
    refused = client.post(
        f"/reservations/{made[1]['id']}/refus",
        headers=pros["service"]["headers"],
        json={"motif": "Plus de délégué disponible"},
    )
    assert refused.status_code == 200
    url = f"/tribunaux/{LILLE_TJ}/reservations"
    everything = client.get(url, headers=judge).json()
    assert everything["total"] == 3 and [r["id"] for r in everything["items"]] == [r["id"] for r in reversed(made)]
    page = client.get(url, headers=judge, params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 3 and [r["id"] for r in page["items"]] == [made[0]["id"]]
    pending = client.get(url, headers=judge, params={"statut": "en_attente"}).json()
    assert pending["total"] == 2 and {r["statut"] for r in pending["items"]} == {"en_attente"}
    found = client.get(url, headers=judge, params={"numero_rg": "6/20002"}).json()["items"]
    assert [r["numero_rg"] for r in found] == ["2620002"]  # stored normalised, searched likewise
    by_pro = client.get(url, headers=judge, params={"mandataire": pros["service"]["id"]}).json()["items"]
    assert [(r["mandataire_nom"], r["motif_refus"]) for r in by_pro] == [("Service Nord", "Plus de délégué disponible")]
    today = utcnow().date()
    assert client.get(url, headers=judge, params={"debut": str(today + timedelta(days=1))}).json()["total"] == 0
    assert client.get(url, headers=judge, params={"fin": str(today)}).json()["total"] == 3
    assert client.get(url, headers=judge, params={"statut": "perdue"}).status_code == 422
    assert client.get(url, headers=make_token("greffier", tribunal=MARSEILLE_TJ)).status_code == 403


def test_past_searches_can_be_reopened(client, judge, make_token, pros):
    older = match(client, judge, besoins=["psychiatrie"])
    newer = match(client, judge, nature="curatelle_renforcee", exclure=[pros["loin"]["id"]])
    reserve(client, judge, newer["match_id"], newer["candidats"][0]["mandataire"]["id"], "26/30001")
    url = f"/tribunaux/{LILLE_TJ}/demandes"
    body = client.get(url, headers=judge).json()
    assert body["total"] == 2 and [m["match_id"] for m in body["items"]] == [newer["match_id"], older["match_id"]]
    latest = body["items"][0]
    assert latest["demande"]["nature"] == "curatelle_renforcee" and latest["exclus"] == [pros["loin"]["id"]]
    assert latest["reservations"] == 1 and latest["candidats"] == len(newer["candidats"])
    assert body["items"][1]["demande"]["besoins"] == ["psychiatrie"] and body["items"][1]["reservations"] == 0
    assert [
        m["match_id"] for m in client.get(url, headers=judge, params={"limit": 1, "offset": 1}).json()["items"]
    ] == [older["match_id"]]
    assert client.get(url, headers=make_token("greffier", tribunal=MARSEILLE_TJ)).status_code == 403


def test_statistics_match_figures_recomputed_from_the_reservations(client, judge, pros, session):
    first = match(client, judge)
    now = utcnow()
    # (professional, nature, what happens, days to the answer, days ago)
    plan = [
        ("proche", "tutelle", "acceptee", 1.0, 10),
        ("proche", "tutelle", "acceptee", 2.5, 12),
        ("service", "tutelle", "acceptee", 4.0, 20),
        ("service", "tutelle", "acceptee", 12.0, 30),
        ("loin", "tutelle", "refusee", 3.0, 15),
        ("service", "tutelle", "refusee", 1.0, 16),
        ("loin", "tutelle", "expiree", 61.0, 70),
        ("proche", "tutelle", "en_attente", None, 1),
        ("loin", "tutelle", "acceptee", 5.0, 400),  # outside the period asked below
    ]
    motifs = {4: "Plus de délégué disponible", 5: "Plus de délégué disponible"}
    for n, (key, _nature, outcome, answer_days, ago) in enumerate(plan):
        reservation = reserve(client, judge, first["match_id"], pros[key]["id"], f"26/4{n:04d}")
        if outcome == "acceptee":
            answer = client.post(
                f"/reservations/{reservation['id']}/acceptation",
                headers=pros[key]["headers"],
                json={"date_nomination": "2026-11-01"},
            )
        elif outcome == "refusee":
            answer = client.post(
                f"/reservations/{reservation['id']}/refus",
                headers=pros[key]["headers"],
                json={"motif": motifs[n]},
            )
        else:
            answer = None
        assert answer is None or answer.status_code == 200, answer.text
        created = now - timedelta(days=ago)
        values = {"created_at": created}
        if answer_days is not None:
            values["answered_at"] = created + timedelta(days=answer_days)
        if outcome == "expiree":
            values["statut"] = "expiree"
        session.execute(update(Reservation).where(Reservation.id == reservation["id"]).values(**values))
    session.commit()

    debut = (now - timedelta(days=365)).date()
    response = client.get(f"/tribunaux/{LILLE_TJ}/statistiques", headers=judge, params={"debut": str(debut)})
    assert response.status_code == 200, response.text
    stats = response.json()
    kept = plan[:-1]
    delays = [d for _k, _n, outcome, d, _a in kept if outcome == "acceptee"]
    assert stats["reservations"] == len(kept) == 8
    assert stats["par_statut"] == {"en_attente": 1, "acceptee": 4, "refusee": 2, "annulee": 0, "expiree": 1}
    assert stats["delai_acceptation"] == {
        "acceptees": 4,
        "mediane_jours": round(float(np.median(delays)), 1),  # 3.2
        "p90_jours": round(float(np.percentile(delays, 90)), 1),  # 9.6
    }
    assert stats["delai_acceptation"]["mediane_jours"] == 3.2 and stats["delai_acceptation"]["p90_jours"] == 9.6
    assert stats["refus"] == [{"motif": "Plus de délégué disponible", "nombre": 2}]
    assert stats["expirations"] == {"nombre": 1, "part_des_reponses": round(1 / 7, 4)}
    rows = {(r["nature"], r["exercice"]): r for r in stats["par_nature_exercice"]}
    assert rows[("tutelle", "individuel")]["reservations"] == 5 and rows[("tutelle", "individuel")]["acceptee"] == 2
    assert rows[("tutelle", "service")] == {
        "nature": "tutelle",
        "exercice": "service",
        "reservations": 3,
        "en_attente": 0,
        "acceptee": 2,
        "refusee": 1,
        "annulee": 0,
        "expiree": 0,
    }
    everything = client.get(f"/tribunaux/{LILLE_TJ}/statistiques", headers=judge).json()
    assert everything["reservations"] == 9 and everything["delai_acceptation"]["acceptees"] == 5
    bad = client.get(
        f"/tribunaux/{LILLE_TJ}/statistiques", headers=judge, params={"debut": "2026-02-01", "fin": "2026-01-01"}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "fin"]
