"""The vendors' OAuth2 flow through HTTP, as a vendor and a professional go through it (e-MJPM's order): an
administrator registers the vendor, the professional approves it (`POST /api/oauth/authorize`, what the page
`/application/authorization` sends), the vendor exchanges the code at `POST /api/oauth/token`.

`vendor_access` runs it all and returns the vendor's access token; the fixture `make_vendor_access` (tests/conftest.py)
gives it for a professional of the test."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

REDIRECT_URI = "http://localhost:3001"  # e-MJPM's end-to-end tests use this one


@dataclass(frozen=True)
class VendorAccess:
    client_id: str
    client_secret: str
    access_token: str
    refresh_token: str
    mandataire_id: int

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header of the vendor's calls for the professional."""
        return {"Authorization": f"Bearer {self.access_token}"}


def register_vendor(client, admin: dict[str, str], *, nom: str = "Logiciel de test", redirect_uris=(REDIRECT_URI,)):
    """An administrator registers a vendor; returns its JSON (with the client secret, shown once)."""
    response = client.post("/editeurs", json={"nom": nom, "redirect_uris": list(redirect_uris)}, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


def authorize(client, client_id: str, professional: dict[str, str], **params) -> httpx.Response:
    """The professional approves the vendor (form-encoded, as the page sends it); the 302 is not followed."""
    data = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI, "state": "api-test"}
    data.update(params)
    return client.post(
        "/api/oauth/authorize",
        data={k: v for k, v in data.items() if v is not None},
        headers=professional,
        follow_redirects=False,
    )


def code_of(response: httpx.Response) -> str:
    """The authorization code in the redirect to the vendor."""
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["api-test"]
    return query["code"][0]


def token(client, client_id: str, client_secret: str, **params) -> httpx.Response:
    """A form-encoded request to the token endpoint, the client's credentials in the body (as e-MJPM's tests)."""
    data = {"client_id": client_id, "client_secret": client_secret, **params}
    return client.post("/api/oauth/token", data={k: v for k, v in data.items() if v is not None})


def exchange(client, client_id: str, client_secret: str, code: str, redirect_uri: str = REDIRECT_URI):
    return token(
        client, client_id, client_secret, grant_type="authorization_code", code=code, redirect_uri=redirect_uri
    )


def vendor_access(
    client, admin: dict[str, str], professional: dict[str, str], mandataire_id: int, *, nom: str = "Logiciel de test"
) -> VendorAccess:
    """The whole flow for a new vendor and the professional whose token is `professional`."""
    vendor = register_vendor(client, admin, nom=nom)
    code = code_of(authorize(client, vendor["client_id"], professional))
    response = exchange(client, vendor["client_id"], vendor["client_secret"], code)
    assert response.status_code == 200, response.text
    body = response.json()
    return VendorAccess(
        vendor["client_id"], vendor["client_secret"], body["access_token"], body["refresh_token"], mandataire_id
    )
