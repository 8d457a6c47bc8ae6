"""What one `POST /match` asks of the database, through the service's own engine (not a test transaction): the live
loads with the registry's version stamp in one statement, then the record, each committing on its own: on PostgreSQL
without BEGIN and COMMIT round trips (every round trip costs the database server CPU on each request), on SQLite
without a transaction that would hold the write lock from its BEGIN to its COMMIT across Python code."""

from collections.abc import Iterator

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import sessionmaker

from app.auth.constants import Role
from app.config import Settings
from app.database import build_engine
from app.geo.repository import sync_tribunaux
from app.main import create_app
from app.matching.models import MatchRecord
from app.tokens.service import issue_token
from tests.registry.factories import mandataire_body
from tests.support import migrate, scratch_database_url

LILLE_TJ = "17590111500709"
REQUEST = {"tribunal": LILLE_TJ, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"}


@pytest.fixture(scope="module")
def service(database_server, tmp_path_factory, gazetteer) -> Iterator[tuple[TestClient, dict, dict]]:
    """The app on a database of its own, with a professional in Lille; a judge's and an administrator's headers."""
    with scratch_database_url(database_server, tmp_path_factory.mktemp("trips"), "mjpm_trips") as url:
        engine = build_engine(url)
        migrate(engine)
        settings = Settings(database_url=url, environment="test")
        with sessionmaker(bind=engine).begin() as session:
            sync_tribunaux(session, gazetteer)
            secret = settings.token_secret.get_secret_value()
            judge = issue_token(session, secret=secret, gazetteer=gazetteer, role=Role.MAGISTRAT, tribunal=LILLE_TJ)
            admin = issue_token(session, secret=secret, gazetteer=gazetteer, role=Role.ADMIN)
        engine.dispose()
        with TestClient(create_app(settings)) as client:
            headers = {"Authorization": f"Bearer {admin[0]}"}
            body = mandataire_body(natures=["tutelle"], sites=[{"nom": "Bureau", "insee": "59350"}])
            assert client.post("/mandataires", json=body, headers=headers).status_code == 201
            yield client, {"Authorization": f"Bearer {judge[0]}"}, headers


def statements_of_one_match(client: TestClient, judge: dict) -> tuple[list[tuple[str, bool | None]], dict]:
    """The statements the second of two identical requests sent (the first built the index and checked the
    token), each with whether it ran outside any transaction, and that request's answer."""
    assert client.post("/match", json=REQUEST, headers=judge).status_code == 200
    engine = client.app.state.engine
    sent: list[tuple[str, bool | None]] = []

    def record(connection, _cursor, statement, _parameters, _context, _executemany) -> None:
        dbapi = connection.connection.dbapi_connection
        # PostgreSQL: psycopg's autocommit. SQLite: no transaction open, though the engine's own listener, called
        # before this one, would have sent a pending BEGIN by now.
        alone = dbapi.autocommit if engine.dialect.name == "postgresql" else not dbapi.in_transaction
        sent.append((statement.split()[0], alone))

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.post("/match", json=REQUEST, headers=judge)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.text
    return sent, response.json()


def test_a_match_reads_the_loads_with_the_stamp_and_stores_its_record_in_two_statements_committed_alone(service):
    client, judge, _ = service
    sent, answer = statements_of_one_match(client, judge)
    assert sent == [("SELECT", True), ("INSERT", True)]
    assert len(answer["candidats"]) == 1
    engine = client.app.state.engine
    with engine.connect() as connection:  # committed before the answer left
        stored = connection.scalar(select(func.count()).where(MatchRecord.id == answer["match_id"]))
    assert stored == 1


def test_a_registry_change_reaches_the_next_match_on_an_index_built_again(service):
    """The stamp read along with the loads shows the index the worker holds is old: ranked again on a new one."""
    client, judge, admin = service
    before = client.post("/match", json=REQUEST, headers=judge).json()
    body = mandataire_body(nom="Zoé Nouvelle", natures=["tutelle"], sites=[{"nom": "Bureau", "insee": "59350"}])
    assert client.post("/mandataires", json=body, headers=admin).status_code == 201
    after = client.post("/match", json=REQUEST, headers=judge).json()
    assert after["parametres"]["version_registre"] > before["parametres"]["version_registre"]
    assert len(after["candidats"]) == len(before["candidats"]) + 1
    assert "Zoé Nouvelle" in [c["mandataire"]["nom"] for c in after["candidats"]]


def test_a_match_takes_one_trip_to_the_thread_pool(service, monkeypatch):
    """The route's work (its two statements and the ranking) in one trip: the session is made on the event loop and
    given back in the route's thread, where a sync dependency with `yield` took a trip to be made and another to be
    closed. Each trip wakes a thread and then the event loop: fewer of them, less CPU and idle time per request."""
    client, judge, _ = service
    assert client.post("/match", json=REQUEST, headers=judge).status_code == 200  # index built, token checked
    trips: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(function, *args, **kwargs):
        trips.append(getattr(function, "__qualname__", repr(function)))
        return await run_sync(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    assert client.post("/match", json=REQUEST, headers=judge).status_code == 200
    assert len(trips) == 1, trips
