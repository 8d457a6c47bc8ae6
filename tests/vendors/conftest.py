"""Fixtures of the vendors' tests: the app with a probe route behind `EditorCaller` (the vendor routes of
`app/editors` use the same dependency), a professional of the Nord and its token."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.database import session_scope
from app.dependencies import get_session
from app.main import create_app
from app.vendors.dependencies import EditorCaller
from tests.registry.factories import mandataire_body

PROBE = "/api/editors/sonde/{valeur}"


@pytest.fixture
def client(settings, session_factory) -> Iterator[TestClient]:
    app = create_app(settings)

    @app.get(PROBE)
    def probe(caller: EditorCaller, valeur: int) -> dict:
        if valeur == 500:
            raise RuntimeError("échec simulé")
        principal = caller.principal
        return {"editeur": caller.editor_id, "mandataire": caller.mandataire_id, "role": principal.role} | (
            {"cle": principal.caller_key} if valeur == 2 else {}
        )

    def test_session():
        yield from session_scope(session_factory)

    app.dependency_overrides[get_session] = test_session
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def professional(client, admin) -> dict:
    response = client.post("/mandataires", json=mandataire_body(), headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def itself(make_token, professional) -> dict[str, str]:
    return make_token("mandataire", mandataire_id=professional["id"])
