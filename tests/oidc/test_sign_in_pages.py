"""Sign-in and sign-out through the real OpenID provider, over HTTP as a browser does: the app sends the browser to
the provider, the provider's login and consent forms are filled (tests/oidc_provider.py), the provider sends it
back, and the callback opens a session for the account of the verified e-mail (and SIRET).

Each refusal opens no session, shows a French page and writes a journal line. A wrong `state` is the callback's
address altered; the nonce, expiry and signature cases alter the provider's real token answer on its way to the app
(`TokenAnswer`, installed in place of the app's way to the provider). The accounts and the professional are built
once for the module; each case runs in a savepoint.
"""

import html
import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import select

from app.auth.models import AccessEvent, Account, WebSession
from app.auth.sessions import SESSION_COOKIE
from app.config import Settings
from app.oidc.attempt import ATTEMPT_COOKIE
from app.oidc.client import RelyingParty
from app.oidc.dependencies import get_relying_party
from tests.oidc.people import PEOPLE, SIRET, add_accounts
from tests.oidc_provider import TokenAnswer

BASE = "http://testserver"  # the test client's address, registered with the provider
CALLBACK = f"{BASE}/connexion/oidc/retour"


@pytest.fixture(scope="module")
def registration(oidc_provider) -> tuple[str, str]:
    return oidc_provider.register(BASE)


@pytest.fixture(scope="module")
def accounts(module_session, gazetteer) -> dict[str, Account]:
    return add_accounts(module_session, gazetteer)


@pytest.fixture
def connection(accounts, savepoint_connection):
    return savepoint_connection


@pytest.fixture
def settings(database_url, oidc_provider, registration) -> Settings:
    client_id, secret = registration
    return Settings(
        database_url=database_url,
        environment="test",
        oidc_issuer=oidc_provider.issuer,
        oidc_client_id=client_id,
        oidc_client_secret=secret,
    )


def through_provider(client, oidc_provider, login: str, **params):
    """Start at /connexion/oidc, sign in at the provider as `login`, come back: the callback's answer."""
    start = client.get("/connexion/oidc", params=params, follow_redirects=False)
    assert start.status_code == 303, start.text
    assert start.headers["location"].startswith(f"{oidc_provider.issuer}/auth?")
    back = oidc_provider.sign_in(start.headers["location"], login, back_to=CALLBACK)
    return client.get(back, follow_redirects=False)


def journal(session) -> list[tuple[str, str | None, dict]]:
    events = session.scalars(select(AccessEvent).order_by(AccessEvent.id))
    return [(e.action, e.email, e.details) for e in events]


def sessions(session) -> int:
    return len(session.scalars(select(WebSession)).all())


def assert_refused(answer, session, status: int, reason: str, email: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    assert '<html lang="fr">' in answer.text and "Connexion refusée" in answer.text
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")
    assert sessions(session) == 0
    assert journal(session)[-1] == ("connexion_refusee", email, {"motif": reason, "fournisseur": "oidc"})


@pytest.mark.parametrize("person", ["juge", "mandataire", "agent"])
def test_each_role_signs_in_through_the_provider(client, session, oidc_provider, person):
    email, _role, _scope, home = PEOPLE[person]
    answer = through_provider(client, oidc_provider, email)
    assert answer.status_code == 303 and answer.headers["location"] == home
    assert f"{SESSION_COOKIE}=" in answer.headers["set-cookie"]
    assert f'{ATTEMPT_COOKIE}=""' in answer.headers["set-cookie"]  # the attempt is used up
    assert journal(session)[-1] == ("connexion", email, {"fournisseur": "oidc"})
    row = session.scalars(select(WebSession)).one()
    assert row.fournisseur == "oidc" and row.id_token_hint.count(".") == 2
    if person == "mandataire":  # the session is a way into the API, as the professional
        assert client.get("/mandataires/moi").json()["siret"] == SIRET
    else:
        assert client.get(home).status_code == 200


def test_the_page_asked_for_comes_after_sign_in(client, oidc_provider):
    answer = through_provider(client, oidc_provider, "juge@justice.test", suivant="/juge?nature=tutelle")
    assert answer.headers["location"] == "/juge?nature=tutelle"


def test_a_wrong_state_is_refused(client, session, oidc_provider):
    start = client.get("/connexion/oidc", follow_redirects=False)
    back = oidc_provider.sign_in(start.headers["location"], "juge@justice.test", back_to=CALLBACK)
    query = parse_qs(urlsplit(back).query)
    forged = {"code": query["code"][0], "state": "x" * 43}
    assert_refused(client.get(f"{CALLBACK}?{urlencode(forged)}"), session, 400, "etat_invalide")


def test_a_callback_without_the_attempt_cookie_is_refused(client, session, oidc_provider):
    start = client.get("/connexion/oidc", follow_redirects=False)
    back = oidc_provider.sign_in(start.headers["location"], "juge@justice.test", back_to=CALLBACK)
    client.cookies.clear()  # another browser: the one the attacker's link is opened in
    assert_refused(client.get(back), session, 400, "etat_invalide")


def tampered(client, settings, alter) -> None:
    client.app.dependency_overrides[get_relying_party] = lambda: RelyingParty(settings, transport=TokenAnswer(alter))


def test_a_wrong_nonce_is_refused(client, session, settings, oidc_provider):
    tampered(client, settings, lambda header, claims: (header, claims | {"nonce": "autre"}, oidc_provider.key))
    assert_refused(through_provider(client, oidc_provider, "juge@justice.test"), session, 400, "nonce_invalide")


def test_an_expired_id_token_is_refused(client, session, settings, oidc_provider):
    now = int(time.time())
    expired = {"iat": now - 3600, "exp": now - 600}
    tampered(client, settings, lambda header, claims: (header, claims | expired, oidc_provider.key))
    assert_refused(through_provider(client, oidc_provider, "juge@justice.test"), session, 400, "jeton_identite_expire")


def test_an_id_token_signed_by_another_key_is_refused(client, session, settings, oidc_provider):
    other = RSAKey.generate_key(2048)
    tampered(client, settings, lambda header, claims: (header, claims, other))
    assert_refused(through_provider(client, oidc_provider, "juge@justice.test"), session, 400, "signature_invalide")


def test_an_unknown_email_is_refused(client, session, oidc_provider):
    answer = through_provider(client, oidc_provider, "inconnu@exemple.test")
    assert_refused(answer, session, 403, "compte_inconnu", "inconnu@exemple.test")
    assert "Aucun compte" in answer.text


def test_a_disabled_account_is_refused(client, session, oidc_provider):
    answer = through_provider(client, oidc_provider, "desactive@exemple.test")
    assert_refused(answer, session, 403, "compte_desactive", "desactive@exemple.test")
    assert "désactivé" in answer.text


def test_sign_out_ends_the_provider_session_too(client, session, oidc_provider):
    through_provider(client, oidc_provider, "agent@dreets.test")
    id_token = session.scalars(select(WebSession)).one().id_token_hint
    answer = client.post("/deconnexion", follow_redirects=False)
    assert (
        answer.status_code == 200 and sessions(session) == 0 and f'{SESSION_COOKIE}=""' in answer.headers["set-cookie"]
    )
    # A page that moves on to the provider (a redirect would break the form's CSP form-action 'self').
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', answer.text)
    logout_url = html.unescape(refresh[1])
    logout = urlsplit(logout_url)
    assert f"{logout.scheme}://{logout.netloc}{logout.path}" == f"{oidc_provider.issuer}/session/end"
    query = parse_qs(logout.query)
    assert query["id_token_hint"] == [id_token] and query["post_logout_redirect_uri"] == [f"{BASE}/connexion"]
    assert client.get("/tableaux-de-bord", follow_redirects=False).headers["location"].startswith("/connexion")
    # The provider accepts the hint and the address (this browser holds no provider session: no question asked)
    # and sends the browser back to the sign-in page.
    assert oidc_provider.sign_out(logout_url).startswith(f"{BASE}/connexion?state=")


def test_the_sign_in_page_offers_the_provider(client):
    page = client.get("/connexion", params={"suivant": "/juge?nature=tutelle"})
    assert 'href="/connexion/oidc?suivant=/juge%3Fnature%3Dtutelle"' in page.text
    assert "Se connecter avec ProConnect" in page.text


def test_without_a_provider_the_pages_say_so(client, session):
    client.app.dependency_overrides[get_relying_party] = lambda: None
    for path in ("/connexion/oidc", "/connexion/oidc/retour?code=x&state=y"):
        answer = client.get(path)
        assert answer.status_code == 404 and "pas configurée" in answer.text
    assert journal(session) == []
