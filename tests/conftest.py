"""Test fixtures: one migrated database per run (SQLite file or PostgreSQL database), one rolled-back
transaction per test, and the app wired to that transaction.

A module whose cases share costly data builds it once in `module_connection` (with `module_session`) and runs each
case in a savepoint of it: it overrides `connection` with `savepoint_connection` (see tests/auth/test_access_matrix.py).

`MJPM_TEST_DATABASE_URL` selects the engine: `sqlite://` (a fresh file) or a PostgreSQL server URL, on which
a scratch database is created for the run and dropped afterwards. `scripts/test` runs the suite once on each.
Every test that touches a database asks for `database_server` (directly, or through `database_url`, `engine`...);
the tests that do not (pure code, the CLI's help, the contract...) give the same answer on either engine, so they
run once: in the SQLite pass, except the browser tests, in the pass `MJPM_TEST_BROWSER_PASS` names.
"""

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.auth.constants import AccountState, Role
from app.auth.models import Account
from app.auth.sessions import open_session
from app.config import Settings
from app.database import build_engine
from app.geo.gazetteer import Gazetteer, load_gazetteer
from app.geo.repository import sync_tribunaux
from app.tokens.service import issue_token
from tests.oidc_provider import PEOPLE, OidcProvider, running_provider
from tests.support import (
    DemoRegister,
    app_client,
    close_shared_loop,
    migrate,
    new_account,
    scratch_database_url,
    seed_demo_register,
)
from tests.vendors.flow import VendorAccess, vendor_access


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


DATABASE_SERVER = os.environ.get("MJPM_TEST_DATABASE_URL", "sqlite://")


@pytest.fixture(scope="session")
def database_server() -> str:
    """The engine under test (`MJPM_TEST_DATABASE_URL`): the base URL of every scratch database. The one way a test
    reaches a database, which is how the PostgreSQL pass tells the tests it must run (see below)."""
    return DATABASE_SERVER


# The pass that runs the browser tests (Chromium, their own SQLite database): `scripts/test` sends them to the
# PostgreSQL pass when both passes run at once, which evens out the two; by default, the SQLite pass.
BROWSER_PASS = os.environ.get("MJPM_TEST_BROWSER_PASS") or "sqlite"


def runs_in(item: pytest.Item) -> str | None:
    """The pass a test runs in: None for every pass (it asks for `database_server`), else the one named."""
    fixtures = getattr(item, "fixturenames", ())
    if "database_server" in fixtures:
        return None
    return BROWSER_PASS if "browser" in fixtures else "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the tests that never ask for `database_server` and belong to the other pass: each runs once."""
    this_pass = make_url(DATABASE_SERVER).get_backend_name()
    elsewhere = [item for item in items if runs_in(item) not in (None, this_pass)]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if runs_in(item) in (None, this_pass)]


def pytest_sessionfinish(session: pytest.Session) -> None:
    close_shared_loop()  # the test clients' event loop (tests/support.py)


@pytest.fixture(scope="session")
def database_url(database_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database_url(database_server, tmp_path_factory.mktemp("db"), "mjpm_test") as url:
        yield url


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> Iterator[DemoRegister]:
    """The regional demo seeded once per run into a SQLite file (tests/support.py): the SQLite pass's
    `demo_register`, and the database the browser tests copy whichever pass runs them."""
    with scratch_database_url("sqlite://", tmp_path_factory.mktemp("demo"), "mjpm_demo") as url:
        yield seed_demo_register(url, gazetteer)


@pytest.fixture(scope="session")
def demo_register(
    request: pytest.FixtureRequest,
    database_server: str,
    tmp_path_factory: pytest.TempPathFactory,
    gazetteer: Gazetteer,
) -> Iterator[DemoRegister]:
    """The regional demo seeded once per run on the engine under test, as a template: a package or module that
    reads it copies it (`scratch_database_url(database_server, ..., template=demo_register.url)`), so that what
    one writes never reaches another."""
    if make_url(database_server).get_backend_name() == "sqlite":
        yield request.getfixturevalue("demo_sqlite")
        return
    with scratch_database_url(database_server, tmp_path_factory.mktemp("demo"), "mjpm_demo") as url:
        yield seed_demo_register(url, gazetteer)


@pytest.fixture(scope="session")
def engine(database_url: str, gazetteer: Gazetteer) -> Iterator[Engine]:
    engine = build_engine(database_url)
    migrate(engine)
    with sessionmaker(bind=engine).begin() as session:
        sync_tribunaux(session, gazetteer)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """Each test runs inside one outer transaction that is rolled back: nothing leaks between tests."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture(scope="module")
def module_connection(engine: Engine) -> Iterator[Connection]:
    """One outer transaction for a whole module, rolled back at its end: the module's shared data lives in it."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture(scope="module")
def module_session(module_connection: Connection) -> Iterator[Session]:
    """Builds a module's shared data: its commits become savepoints inside the module's transaction."""
    factory = sessionmaker(bind=module_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    with factory() as session:
        yield session


@pytest.fixture
def savepoint_connection(module_connection: Connection) -> Iterator[Connection]:
    """A case's savepoint inside the module's transaction: what the case writes is rolled back after it, the module's
    shared data stays. A module overrides `connection` with it, requesting its shared-data fixtures first."""
    savepoint = module_connection.begin_nested()
    yield module_connection
    if savepoint.is_active:
        savepoint.rollback()


@pytest.fixture(scope="module")
def module_client(module_connection: Connection, session_settings: Settings):
    """`with module_client() as client:` a client whose requests write into the module's transaction, to build a
    module's shared data through HTTP (tests/matching/test_match_api.py). Closed once the data is built: the tests'
    own `client` then reuses the same app. Or kept open for a module's cases, each given it as new
    (tests/auth/test_access_matrix.py: `tests.support.as_new`)."""
    factory = sessionmaker(bind=module_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return lambda: app_client(session_settings, factory)


@pytest.fixture(scope="module")
def module_token(module_session: Session, session_settings: Settings, gazetteer: Gazetteer):
    """`module_token(role, **scope)`: the Authorization header of a token created in the module's transaction."""

    def make(role: str, **scope) -> dict[str, str]:
        secret = session_settings.token_secret.get_secret_value()
        token = issue_token(module_session, secret=secret, gazetteer=gazetteer, role=Role(role), **scope)[0]
        module_session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # The app's commits become savepoints inside the test's outer transaction.
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture(scope="session")
def session_settings(database_url: str) -> Settings:
    """The settings of the run's database, read once: reading the environment and `.env` costs a few milliseconds,
    paid by every test that asked for `settings`."""
    return Settings(database_url=database_url, environment="test")


@pytest.fixture
def settings(session_settings: Settings) -> Settings:
    # A deep copy per test: what a test changes in its settings stays its own.
    return session_settings.model_copy(deep=True)


@pytest.fixture
def client(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with app_client(settings, session_factory) as client:
        yield client


@pytest.fixture
def make_token(session: Session, settings: Settings, gazetteer: Gazetteer):
    """Create a token in the test transaction; returns the Authorization header for it."""

    def make(role: str, **scope) -> dict[str, str]:
        token = issue_token(
            session, secret=settings.token_secret.get_secret_value(), gazetteer=gazetteer, role=Role(role), **scope
        )[0]
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def admin(make_token) -> dict[str, str]:
    return make_token("admin")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """The real OpenID provider (tests/oidc_provider.py), one process for the whole session."""
    with running_provider(PEOPLE, tmp_path_factory.mktemp("oidc") / "provider.log") as provider:
        yield provider


@pytest.fixture
def make_account(session: Session, gazetteer: Gazetteer):
    """Create an account in the test transaction (active unless told); returns it."""
    created = iter(range(1, 10_000))

    def make(role: str, *, etat: str = AccountState.ACTIF, email: str | None = None, **scope) -> Account:
        email = email or f"{role}.{next(created)}@test.invalid"
        account = new_account(session, gazetteer, role, email=email, etat=etat, **scope)
        session.commit()
        return account

    return make


@pytest.fixture
def session_cookie(session: Session, make_account):
    """A signed-in person's session cookie value (an active account of the role and scope, and its session):
    `client.cookies.set(SESSION_COOKIE, session_cookie("agent", region="32"))` is the browser's way in."""

    def make(role: str, **scope) -> str:
        value = open_session(
            session, account=make_account(role, **scope), ip="127.0.0.1", user_agent="pytest", provider="dev"
        )
        session.commit()
        return value

    return make


@pytest.fixture
def make_vendor_access(client, admin, make_token):
    """A vendor registered and approved by a professional through the real OAuth2 flow (tests/vendors/flow.py):
    `make_vendor_access(mandataire_id)` returns its VendorAccess (`.headers` for its calls)."""

    def make(mandataire_id: int, *, nom: str = "Logiciel de test") -> VendorAccess:
        professional = make_token("mandataire", mandataire_id=mandataire_id)
        return vendor_access(client, admin, professional, mandataire_id, nom=nom)

    return make
