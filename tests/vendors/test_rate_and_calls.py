"""A vendor's rate limit (per vendor, counted in the database) and its call log, visible to administrators only."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.config import Settings
from app.database import utcnow
from app.vendors.models import EditeurAppel
from app.vendors.service import purge

PER_MINUTE = 4


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, environment="test", vendor_rate_per_minute=PER_MINUTE)


def test_the_limit_is_per_vendor_and_answers_429_in_the_error_shape(client, professional, make_vendor_access):
    first = make_vendor_access(professional["id"], nom="Premier logiciel")
    second = make_vendor_access(professional["id"], nom="Second logiciel")
    answers = [client.get("/api/editors/sonde/1", headers=first.headers) for _ in range(PER_MINUTE + 1)]
    assert [a.status_code for a in answers[:PER_MINUTE]] == [200] * PER_MINUTE
    refused = answers[-1]
    if refused.status_code == 200:  # the minute turned between two calls: a new window, one more try
        refused = client.get("/api/editors/sonde/1", headers=first.headers)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    detail = refused.json()["detail"][0]
    assert detail["type"] == "trop_de_requetes" and "cet éditeur" in detail["msg"]
    # Another vendor has its own allowance: the key is the vendor (its OAuth2 client), not an empty account.
    assert client.get("/api/editors/sonde/1", headers=second.headers).status_code == 200
    assert client.get("/api/editors/sonde/2", headers=second.headers).json()["cle"] == f"editeur:{second.client_id}"


def test_every_call_is_logged_and_shown_to_administrators_only(
    client, admin, itself, professional, make_vendor_access, make_token, session
):
    access = make_vendor_access(professional["id"])
    assert client.get("/api/editors/sonde/1", headers=access.headers).status_code == 200
    assert client.get("/api/editors/sonde/abc", headers=access.headers).status_code == 422
    assert client.get("/api/editors/sonde/500", headers=access.headers).status_code == 500
    assert client.get("/api/editors/sonde/1", headers={"Authorization": "Bearer inconnu"}).status_code == 401

    path = f"/editeurs/{access.client_id}/appels"
    log = client.get(path, headers=admin)
    assert log.status_code == 200, log.text
    body = log.json()
    assert body["total"] == 3  # an unknown token names no vendor: nothing to log against one
    assert [(c["methode"], c["route"], c["statut"]) for c in body["items"]] == [
        ("GET", "/api/editors/sonde/{valeur}", 500),
        ("GET", "/api/editors/sonde/{valeur}", 422),
        ("GET", "/api/editors/sonde/{valeur}", 200),
    ]
    assert {c["mandataire_id"] for c in body["items"]} == {professional["id"]}
    assert all(c["duree_ms"] >= 0 for c in body["items"])
    assert client.get(path, headers=admin, params={"statut": 422}).json()["total"] == 1
    assert client.get(path, headers=admin, params={"mandataire": professional["id"] + 1}).json()["total"] == 0
    assert client.get(path, headers=admin, params={"limit": 1, "offset": 1}).json()["items"][0]["statut"] == 422
    # Nobody else reads it: not the professional, not an agent.
    assert client.get(path, headers=itself).status_code == 403
    assert client.get(path, headers=make_token("agent")).status_code == 403
    assert client.get("/editeurs/999999/appels", headers=admin).status_code == 404

    # The audit retention purges it.
    assert purge(session, now=utcnow() + timedelta(days=31), retention_days=30) == 3
    assert session.scalar(select(func.count()).select_from(EditeurAppel)) == 0
