"""Liveness touches nothing; readiness checks the database, the schema's revision and the reference geography."""

from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from app.config import Settings
from app.database import build_engine
from app.main import create_app
from app.migrations import alembic_config, head_revision
from tests.support import migrate, scratch_database_url

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def test_liveness_needs_no_database():
    with TestClient(create_app(Settings(database_url=UNREACHABLE, environment="test"))) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_the_database_is_migrated_and_the_geography_loaded(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "base": "ok", "migrations": head_revision(), "geographie": "ok"}


def test_not_ready_without_the_database():
    with TestClient(create_app(Settings(database_url=UNREACHABLE, environment="test"))) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [("base_indisponible", ["base"])]


def test_not_ready_while_a_migration_is_missing_nor_without_the_geography(tmp_path):
    # A schema one revision behind the scripts: the service must not take traffic before `mjpm db upgrade`.
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head_revision()).down_revision
    engine = build_engine(url)
    migrate(engine, previous)
    engine.dispose()
    with TestClient(create_app(Settings(database_url=url, environment="test"))) as client:
        client.app.state.gazetteer = None
        response = client.get("/readyz")
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert [(e["type"], e["loc"]) for e in detail] == [
        ("migrations_non_appliquees", ["migrations"]),
        ("geographie_indisponible", ["geographie"]),
    ]
    assert previous in detail[0]["msg"] and head_revision() in detail[0]["msg"]


def test_a_database_never_migrated_is_reported_as_such(database_server, tmp_path):
    # Reachable but empty: the operator must read « run mjpm db upgrade », not « database unreachable ».
    with (
        scratch_database_url(database_server, tmp_path, "mjpm_empty") as url,
        TestClient(create_app(Settings(database_url=url, environment="test"))) as client,
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert [(e["type"], e["loc"]) for e in detail] == [("migrations_non_appliquees", ["migrations"])]
    assert "aucune" in detail[0]["msg"]
