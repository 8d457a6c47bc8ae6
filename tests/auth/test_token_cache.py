"""Each worker trusts a checked token or session for TOKEN_CACHE_S seconds: no query per request, and a revoked
token or a disabled account is refused once its entry expires, by the API and the web pages alike (one cache).
A fake clock drives the cache (the service's own TTLCache class)."""

from cachetools import TTLCache
from sqlalchemy import update

from app.auth.constants import AccountState
from app.auth.models import Account, ApiToken
from app.auth.sessions import SESSION_COOKIE
from app.database import utcnow


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def revoke_all(session) -> None:
    session.execute(update(ApiToken).values(revoked_at=utcnow()))
    session.flush()


def test_the_cache_lives_as_long_as_the_setting_says(client, settings):
    assert settings.token_cache_s == 5.0
    assert client.app.state.principals.ttl == settings.token_cache_s


def test_a_revoked_token_works_until_its_check_expires_then_is_refused(client, session, admin):
    clock = Clock()
    client.app.state.principals = TTLCache(maxsize=100, ttl=5.0, timer=clock)
    assert client.get("/mandataires", headers=admin).status_code == 200
    revoke_all(session)
    clock.now = 4.9
    assert client.get("/mandataires", headers=admin).status_code == 200  # the documented window
    clock.now = 5.1
    refused = client.get("/mandataires", headers=admin)
    assert refused.status_code == 401 and refused.json()["detail"][0]["type"] == "non_authentifie"


def test_without_a_cache_revocation_is_immediate(client, session, admin):
    client.app.state.principals = TTLCache(maxsize=100, ttl=0)
    assert client.get("/mandataires", headers=admin).status_code == 200
    revoke_all(session)
    assert client.get("/mandataires", headers=admin).status_code == 401


def test_an_unknown_token_is_never_cached(client):
    headers = {"Authorization": "Bearer mjpm_not-a-token"}
    assert client.get("/mandataires", headers=headers).status_code == 401
    assert len(client.app.state.principals) == 0


def disable_all(session) -> None:
    session.execute(update(Account).values(etat=AccountState.DESACTIVE))
    session.flush()


def test_pages_and_api_share_the_cache_so_a_disabled_account_loses_both_alike(client, session, session_cookie):
    clock = Clock()
    client.app.state.principals = TTLCache(maxsize=100, ttl=5.0, timer=clock)
    client.cookies.set(SESSION_COOKIE, session_cookie("admin"))
    assert client.get("/juge").status_code == 200
    assert len(client.app.state.principals) == 1  # the page's check is the API's cache entry
    disable_all(session)
    clock.now = 4.9
    assert client.get("/juge").status_code == 200
    assert client.get("/mandataires").status_code == 200
    clock.now = 5.1
    page = client.get("/juge", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/connexion")
    assert client.get("/mandataires").status_code == 401


def test_without_a_cache_a_page_refuses_a_disabled_account_at_once(client, session, session_cookie):
    client.app.state.principals = TTLCache(maxsize=100, ttl=0)
    client.cookies.set(SESSION_COOKIE, session_cookie("admin"))
    assert client.get("/tableaux-de-bord").status_code == 200
    disable_all(session)
    page = client.get("/tableaux-de-bord", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/connexion")
