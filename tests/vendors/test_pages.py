"""The professional's pages about vendors: e-MJPM's approval page (`/application/authorization`), then the code
through the page's own call, and the list of approved vendors with the withdrawal."""

from urllib.parse import parse_qs, urlencode, urlsplit

from app.auth.dependencies import CSRF_HEADER, CSRF_VALUE
from app.auth.sessions import SESSION_COOKIE
from tests.vendors.flow import REDIRECT_URI, exchange, register_vendor


def signed_in(client, session_cookie, role: str, **scope) -> None:
    """A person signed in to the pages: their web session's cookie in the browser."""
    client.cookies.set(SESSION_COOKIE, session_cookie(role, **scope))


def approval_url(client_id: str, **params) -> str:
    # As e-MJPM's vendors build the link: no response_type.
    query = {"client_id": client_id, "redirect_uri": REDIRECT_URI, "state": "xyz", **params}
    return "/application/authorization?" + urlencode(query)


def test_approve_on_the_page_then_exchange(client, admin, professional, session_cookie):
    vendor = register_vendor(client, admin, nom="Logiciel Tutelle+")
    url = approval_url(vendor["client_id"])
    unsigned = client.get(url, follow_redirects=False)
    assert unsigned.status_code == 303
    assert unsigned.headers["location"].startswith("/connexion?suivant=")

    signed_in(client, session_cookie, "mandataire", mandataire_id=professional["id"])
    page = client.get(url)
    assert page.status_code == 200, page.text
    assert "Autoriser Logiciel Tutelle+ à accéder à votre compte" in page.text
    assert f'name="client_id" value="{vendor["client_id"]}"' in page.text
    refusal = page.text.split('id="refuser"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert refusal.startswith(REDIRECT_URI)
    assert parse_qs(urlsplit(refusal).query) == {
        "error": ["access_denied"],
        "error_description": ["acces refuse par le mandataire"],
        "state": ["xyz"],
    }

    # What editeurs.js sends: the form's fields as JSON with the pages' header; it gets the address back.
    fields = {"response_type": "code", "client_id": vendor["client_id"], "redirect_uri": REDIRECT_URI, "state": "xyz"}
    answer = client.post("/api/oauth/authorize", json=fields, headers={CSRF_HEADER: CSRF_VALUE})
    assert answer.status_code == 200, answer.text
    query = parse_qs(urlsplit(answer.json()["redirect_uri"]).query)
    assert query["state"] == ["xyz"]
    assert exchange(client, vendor["client_id"], vendor["client_secret"], query["code"][0]).status_code == 200
    # Without the pages' header, a cookie-authenticated approval is refused (CSRF).
    assert client.post("/api/oauth/authorize", json=fields).status_code == 403

    approved = client.get("/editeurs-autorises")
    assert approved.status_code == 200
    assert "Logiciel Tutelle+" in approved.text and f'data-editeur="{vendor["id"]}"' in approved.text


def test_an_unknown_vendor_or_address_gets_an_error_page_never_a_redirect(client, admin, professional, session_cookie):
    vendor = register_vendor(client, admin)
    signed_in(client, session_cookie, "mandataire", mandataire_id=professional["id"])
    for url in (
        approval_url("999999"),
        approval_url(vendor["client_id"], redirect_uri="https://ailleurs.example/retour"),
    ):
        page = client.get(url, follow_redirects=False)
        assert page.status_code == 400, url
        assert "Aucun logiciel ne correspond" in page.text
        assert "location" not in page.headers


def test_other_roles_cannot_approve(client, admin, session_cookie):
    vendor = register_vendor(client, admin)
    signed_in(client, session_cookie, "admin")
    page = client.get(approval_url(vendor["client_id"]))
    assert page.status_code == 403
    assert client.get("/editeurs-autorises").status_code == 403
