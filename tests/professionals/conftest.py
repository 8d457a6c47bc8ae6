"""Fixtures of the professionals' tests: a professional of the Nord with two antennes, built once per module (each
test runs in a savepoint over it), its token, and plain-SQL views of the database (measure rows, counters,
recount) to compare states."""

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session, sessionmaker

from app.auth.constants import Role
from app.config import Settings
from app.geo.gazetteer import Gazetteer
from app.tokens.service import issue_token
from tests.registry.factories import mandataire_body
from tests.support import app_client

LILLE, DOUAI = "17590111500709", "17590111500576"


@pytest.fixture(scope="module")
def module_client(module_connection: Connection, session_settings: Settings) -> Callable[[], AbstractContextManager]:
    """`with module_client() as client:` a client whose requests write into the module's transaction, to build a
    module's shared data through HTTP. Closed once built: the tests' own `client` then reuses the same app."""
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


@pytest.fixture(scope="module")
def professional(module_client, module_token) -> dict:
    body = mandataire_body(
        capacite=40,
        sites=[{"nom": "Antenne de Lille", "insee": "59350"}, {"nom": "Antenne de Douai", "insee": "59178"}],
    )
    with module_client() as client:
        response = client.post("/mandataires", json=body, headers=module_token("admin"))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def connection(professional, savepoint_connection: Connection) -> Connection:
    """The module's professional, then this test's savepoint over it: what a test writes is rolled back after it."""
    return savepoint_connection


@pytest.fixture
def itself(make_token, professional) -> dict[str, str]:
    return make_token("mandataire", mandataire_id=professional["id"])


def error(response) -> dict:
    return response.json()["detail"][0]


def mesure_rows(session) -> list[dict]:
    """Every measure row, as stored (all columns), in id order."""
    return [dict(row) for row in session.execute(text("SELECT * FROM mesure ORDER BY id")).mappings()]


@pytest.fixture
def client_with(settings: Settings, session_factory):
    """`client_with(**settings)`: a client of an app whose settings differ (smaller limits), on the test's
    transaction."""
    with ExitStack() as clients:

        def make(**updates) -> TestClient:
            return clients.enter_context(app_client(settings.model_copy(update=updates), session_factory))

        yield make
