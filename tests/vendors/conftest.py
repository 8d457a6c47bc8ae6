"""Fixtures of the vendors' tests: the app with a probe route behind `EditorCaller` (the vendor routes of
`app/editors` use the same dependency), a professional of the Nord and its token."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.vendors.dependencies import EditorCaller
from tests.registry.factories import mandataire_body
from tests.support import app_client

PROBE = "/api/editors/sonde/{valeur}"


def probe(caller: EditorCaller, valeur: int) -> dict:
    if valeur == 500:
        raise RuntimeError("échec simulé")
    principal = caller.principal
    return {"editeur": caller.editor_id, "mandataire": caller.mandataire_id, "role": principal.role} | (
        {"cle": principal.caller_key} if valeur == 2 else {}
    )


@pytest.fixture
def client(settings, session_factory) -> Iterator[TestClient]:
    """The test's client of the app the other tests share (`app_client`: no new app per test), the probe route
    added for the test and taken out after it, so that no other test's app ever has it."""
    with app_client(settings, session_factory) as test_client:
        app = test_client.app
        routes, schema = list(app.router.routes), app.openapi_schema
        app.get(PROBE)(probe)
        try:
            yield test_client
        finally:
            app.router.routes[:] = routes
            app.openapi_schema = schema


@pytest.fixture
def professional(client, admin) -> dict:
    response = client.post("/mandataires", json=mandataire_body(), headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def itself(make_token, professional) -> dict[str, str]:
    return make_token("mandataire", mandataire_id=professional["id"])
