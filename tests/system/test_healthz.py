from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable():
    app = create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", environment="test"))
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["detail"][0]["type"] == "base_indisponible"
