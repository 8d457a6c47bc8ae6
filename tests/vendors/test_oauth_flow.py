"""The vendors' OAuth2 flow end to end through HTTP, on e-MJPM's paths and parameters: approve, exchange, call,
refresh, revoke; and what each step refuses."""

from urllib.parse import parse_qs, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from sqlalchemy import update

from app.database import utcnow
from app.vendors.models import EditeurJeton
from tests.vendors.flow import REDIRECT_URI, authorize, code_of, exchange, register_vendor, token

PROBE = "/api/editors/sonde/1"


def test_approve_exchange_call_refresh_revoke(client, admin, itself, professional, settings):
    vendor = register_vendor(client, admin)
    assert vendor["client_id"] == str(vendor["id"])
    code = code_of(authorize(client, vendor["client_id"], itself))

    response = exchange(client, vendor["client_id"], vendor["client_secret"], code)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == settings.vendor_access_token_s == 86400
    assert body["access_token"] and body["refresh_token"]

    call = client.get(PROBE, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert call.status_code == 200, call.text
    assert call.json() == {"editeur": vendor["id"], "mandataire": professional["id"], "role": "mandataire"}

    refreshed = token(
        client,
        vendor["client_id"],
        vendor["client_secret"],
        grant_type="refresh_token",
        refresh_token=body["refresh_token"],
    )
    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()
    assert new["access_token"] != body["access_token"] and new["refresh_token"] != body["refresh_token"]
    # Rotation: the former access and refresh tokens no longer work.
    assert client.get(PROBE, headers={"Authorization": f"Bearer {body['access_token']}"}).status_code == 401
    again = token(
        client,
        vendor["client_id"],
        vendor["client_secret"],
        grant_type="refresh_token",
        refresh_token=body["refresh_token"],
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    headers = {"Authorization": f"Bearer {new['access_token']}"}
    assert client.get(PROBE, headers=headers).status_code == 200

    revoked = client.post(
        "/api/oauth/revoke",
        data={"token": new["access_token"], "client_id": vendor["client_id"], "client_secret": vendor["client_secret"]},
    )
    assert revoked.status_code == 200, revoked.text
    refused = client.get(PROBE, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["detail"][0]["type"] == "non_authentifie"


def test_the_professional_revokes_a_vendor(client, admin, itself, make_vendor_access, professional):
    access = make_vendor_access(professional["id"])
    listed = client.get("/autorisations-editeurs", headers=itself)
    assert listed.status_code == 200
    assert [a["editeur_id"] for a in listed.json()] == [int(access.client_id)]
    assert client.delete(f"/autorisations-editeurs/{access.client_id}", headers=itself).status_code == 204
    assert client.get(PROBE, headers=access.headers).status_code == 401
    assert client.get("/autorisations-editeurs", headers=itself).json() == []
    # The refresh token went with it.
    again = token(
        client, access.client_id, access.client_secret, grant_type="refresh_token", refresh_token=access.refresh_token
    )
    assert again.json()["error"] == "invalid_grant"
    assert client.delete(f"/autorisations-editeurs/{access.client_id}", headers=itself).status_code == 404


def test_a_code_is_used_once_and_its_reuse_revokes_its_tokens(client, admin, itself):
    vendor = register_vendor(client, admin)
    code = code_of(authorize(client, vendor["client_id"], itself))
    first = exchange(client, vendor["client_id"], vendor["client_secret"], code)
    assert first.status_code == 200
    replay = exchange(client, vendor["client_id"], vendor["client_secret"], code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert "deja utilise" in replay.json()["error_description"]
    headers = {"Authorization": f"Bearer {first.json()['access_token']}"}
    assert client.get(PROBE, headers=headers).status_code == 401


def test_wrong_redirect_uri_and_wrong_secret(client, admin, itself):
    vendor = register_vendor(client, admin)
    # At approval: an address not registered is never redirected to.
    unknown = authorize(client, vendor["client_id"], itself, redirect_uri="https://attaquant.example/cb")
    assert unknown.status_code == 400
    assert "location" not in unknown.headers
    assert unknown.json()["error"] == "invalid_request"
    # At exchange: the same address as at approval.
    code = code_of(authorize(client, vendor["client_id"], itself))
    other = exchange(client, vendor["client_id"], vendor["client_secret"], code, redirect_uri="http://localhost:3002")
    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"
    code = code_of(authorize(client, vendor["client_id"], itself))
    wrong = exchange(client, vendor["client_id"], "pas-le-bon-secret", code)
    assert wrong.status_code in (400, 401) and wrong.json()["error"] == "invalid_client"
    assert exchange(client, vendor["client_id"], vendor["client_secret"], code).status_code == 200


def test_an_expired_access_token_is_refused_and_refreshed(
    client, admin, itself, professional, make_vendor_access, session
):
    access = make_vendor_access(professional["id"])
    # Time passes: the token's 24 hours are over.
    session.execute(update(EditeurJeton).values(expires_at=utcnow()))
    session.commit()
    refused = client.get(PROBE, headers=access.headers)
    assert refused.status_code == 401
    assert "expiré" in refused.json()["detail"][0]["msg"]
    refreshed = token(
        client, access.client_id, access.client_secret, grant_type="refresh_token", refresh_token=access.refresh_token
    )
    assert refreshed.status_code == 200
    assert client.get(PROBE, headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"}).status_code == 200


def test_pkce_when_the_vendor_sends_a_challenge(client, admin, itself):
    vendor = register_vendor(client, admin)
    verifier = "v" * 50
    challenge = {"code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}
    codes = [code_of(authorize(client, vendor["client_id"], itself, **challenge)) for _ in range(3)]
    without = exchange(client, vendor["client_id"], vendor["client_secret"], codes[0])
    assert without.status_code == 400 and without.json()["error"] == "invalid_request"

    def with_verifier(code: str, code_verifier: str):
        return token(
            client,
            vendor["client_id"],
            vendor["client_secret"],
            grant_type="authorization_code",
            code=code,
            redirect_uri=REDIRECT_URI,
            code_verifier=code_verifier,
        )

    assert with_verifier(codes[1], "w" * 50).json()["error"] == "invalid_grant"
    assert with_verifier(codes[2], verifier).status_code == 200


def test_missing_token_and_other_roles(client, admin, itself, make_token):
    missing = client.get(PROBE)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert client.get(PROBE, headers=itself).status_code == 401  # an API token is not a vendor's token
    vendor = register_vendor(client, admin)
    assert authorize(client, vendor["client_id"], admin).status_code == 403  # only a professional approves
    location = authorize(client, vendor["client_id"], itself).headers["location"]
    assert urlsplit(location).netloc == "localhost:3001"
    assert set(parse_qs(urlsplit(location).query)) == {"code", "state"}
