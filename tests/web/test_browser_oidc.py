"""Sign-in and sign-out through the real OpenID provider in a real browser (Debian's Chromium, see test_browser.py):
a judge, a professional and an agent each click « Se connecter avec ProConnect » on the sign-in page, fill the
provider's login and consent pages (oidc-provider's development forms), land on their role's page, then sign out:
our session ends, the browser goes through the provider's logout (which asks to confirm, since the provider has a
session) and back to our sign-in page; signing in again asks for the login again (the provider's session ended).

Like test_browser.py, it uses its own SQLite database and runs once (tests/conftest.py). The provider's
pages ask for web fonts: the browser gets no network beyond 127.0.0.1. Screenshots go to `test-artifacts/web/`.
"""

import re
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import sessionmaker

from app.config import Settings
from app.database import build_engine
from app.geo.repository import sync_tribunaux
from app.main import create_app
from tests.oidc.people import PEOPLE, add_accounts
from tests.oidc_provider import PASSWORD
from tests.support import free_port, migrate, serving
from tests.web import test_browser

ARTIFACTS = test_browser.ARTIFACTS


@pytest.fixture(scope="module")
def server(tmp_path_factory, gazetteer, oidc_provider) -> Iterator[str]:
    """The service on a port chosen first, so that its client is registered with the provider beforehand."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'oidc.db'}"
    engine = build_engine(url)
    migrate(engine)
    with sessionmaker(bind=engine).begin() as session:
        sync_tribunaux(session, gazetteer)
    with sessionmaker(bind=engine)() as session:
        add_accounts(session, gazetteer)
    port = free_port()
    client_id, secret = oidc_provider.register(f"http://127.0.0.1:{port}")
    settings = Settings(
        database_url=url,
        environment="test",
        oidc_issuer=oidc_provider.issuer,
        oidc_client_id=client_id,
        oidc_client_secret=secret,
    )
    with serving(create_app(settings), port=port) as base:
        yield base
    engine.dispose()


def at_provider_login(page, oidc_provider) -> None:
    page.wait_for_url(re.compile(re.escape(oidc_provider.issuer) + r"/interaction/"))
    page.locator("input[name=login]").wait_for()


@pytest.mark.parametrize("person", ["juge", "mandataire", "agent"])
def test_sign_in_and_out_through_the_provider(server, page, oidc_provider, person):
    base = server
    email, _role, _scope, home = PEOPLE[person]
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())

    page.goto(base + "/connexion")
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    at_provider_login(page, oidc_provider)
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.screenshot(path=ARTIFACTS / f"oidc-{person}-1-fournisseur.png", full_page=True)
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # the provider's consent page
    page.wait_for_url(base + home)
    cookie = next(c for c in page.context.cookies() if c["name"] == "mjpm_session")
    assert cookie["httpOnly"] and cookie["domain"] == "127.0.0.1"
    page.screenshot(path=ARTIFACTS / f"oidc-{person}-2-connecte.png", full_page=True)

    page.goto(base + home)
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(re.escape(oidc_provider.issuer) + r"/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(re.escape(base) + r"/connexion\?state="))
    page.screenshot(path=ARTIFACTS / f"oidc-{person}-3-deconnecte.png", full_page=True)
    assert not [c for c in page.context.cookies() if c["name"] == "mjpm_session"]

    page.goto(base + home)
    assert page.url.startswith(base + "/connexion?suivant=")  # our session is over
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    at_provider_login(page, oidc_provider)  # and so is the provider's: it asks who you are again
