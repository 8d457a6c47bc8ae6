"""The browser fixtures (one Debian Chromium per session, a fresh context per test: test_browser.py has the
constants) and the seeded regional demo that every browser module copies, shared by the browser tests of the pages.
Defined here only, so that a session fixture is built once whichever module asks first."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.support import DemoRegister
from tests.web.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, TIMEOUT_MS, _unavailable


@pytest.fixture(scope="session")
def sync_api():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _unavailable(f"Chromium is not installed ({CHROMIUM}); scripts/test installs Debian's chromium as root")
    try:
        from playwright import sync_api
    except ImportError:
        _unavailable("the playwright Python package is missing (pip install -e '.[test]')")
    return sync_api


@pytest.fixture(scope="session")
def demo_region(demo_sqlite: DemoRegister) -> Path:
    """The regional demo and its tribunals in a SQLite file that no test opens (the run's, seeded once:
    tests/conftest.py): each browser module serves its own copy of it (`copy_of`), so what one module writes never
    reaches another."""
    return Path(str(make_url(demo_sqlite.url).database))


@pytest.fixture(scope="session")
def browser(sync_api):
    """One Chromium for the whole session (each test gets a fresh context of it: `page`)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=CHROMIUM_FLAGS,  # Playwright gives it a new empty profile directory
            headless=True,
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    # bypass_csp: axe-core is injected into the pages, which their CSP (script-src 'self') would refuse; the CSP
    # itself is checked by test_the_pages_break_no_rule_of_their_csp.
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
