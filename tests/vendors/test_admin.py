"""Vendors registered by administrators: the secret shown once and stored hashed, redirect addresses checked,
renaming with the version read, disabling, a new secret."""

import pytest
from sqlalchemy import select

from app.vendors.models import Editeur
from tests.vendors.flow import REDIRECT_URI, authorize, code_of, exchange, register_vendor


def test_the_secret_is_shown_once_and_stored_hashed(client, admin, session):
    vendor = register_vendor(client, admin, redirect_uris=[REDIRECT_URI, "https://logiciel.example/retour"])
    assert vendor["client_id"] == str(vendor["id"]) and len(vendor["client_secret"]) >= 40
    stored = session.scalar(select(Editeur).where(Editeur.id == vendor["id"]))
    assert vendor["client_secret"] not in (stored.secret_hash, *stored.redirect_uris)
    read = client.get(f"/editeurs/{vendor['id']}", headers=admin).json()
    assert "client_secret" not in read and read["redirect_uris"] == [REDIRECT_URI, "https://logiciel.example/retour"]
    listed = client.get("/editeurs", headers=admin).json()
    assert listed["total"] == 1 and "client_secret" not in listed["items"][0]
    again = client.post(
        "/editeurs", json={"nom": vendor["nom"].upper(), "redirect_uris": [REDIRECT_URI]}, headers=admin
    )
    assert again.status_code == 409 and again.json()["detail"][0]["type"] == "editeur_existant"


@pytest.mark.parametrize(
    "uri",
    ["http://logiciel.example/retour", "logiciel.example/retour", "https://logiciel.example/retour#x", "ftp://a.b/c"],
)
def test_redirect_addresses_are_checked(client, admin, uri):
    response = client.post("/editeurs", json={"nom": "Logiciel", "redirect_uris": [uri]}, headers=admin)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][:2] == ["body", "redirect_uris"] and "adresse de retour" in detail["msg"]
    assert client.get("/editeurs", headers=admin).json()["total"] == 0


def test_rename_disable_and_new_secret(client, admin, itself):
    vendor = register_vendor(client, admin)
    path = f"/editeurs/{vendor['id']}"
    stale = client.patch(path, json={"version": vendor["version"] + 1, "nom": "Autre"}, headers=admin)
    assert stale.status_code == 409
    renamed = client.patch(path, json={"version": vendor["version"], "nom": "Logiciel renommé"}, headers=admin)
    assert renamed.status_code == 200 and renamed.json()["nom"] == "Logiciel renommé"

    renewed = client.post(f"{path}/secret", headers=admin)
    assert renewed.status_code == 200
    secret = renewed.json()["client_secret"]
    code = code_of(authorize(client, vendor["client_id"], itself))
    assert exchange(client, vendor["client_id"], vendor["client_secret"], code).json()["error"] == "invalid_client"
    tokens = exchange(client, vendor["client_id"], secret, code)
    assert tokens.status_code == 200
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    assert client.get("/api/editors/sonde/1", headers=headers).status_code == 200

    disabled = client.patch(path, json={"version": renamed.json()["version"] + 1, "actif": False}, headers=admin)
    assert disabled.status_code == 200 and disabled.json()["actif"] is False
    assert client.get("/api/editors/sonde/1", headers=headers).status_code == 401
    refused = authorize(client, vendor["client_id"], itself)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_client"
