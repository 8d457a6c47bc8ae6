"""Fixtures of the professionals' tests: a professional of the Nord with two antennes, built once per module (each
test runs in a savepoint over it), its token, and plain-SQL views of the database (measure rows, counters,
recount) to compare states."""

from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from app.config import Settings
from tests.registry.factories import mandataire_body
from tests.support import app_client

LILLE, DOUAI = "17590111500709", "17590111500576"


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
