"""The PostgreSQL pool pings a connection before use only when it sat idle longer than `ping_idle_s`: one the server
closed meanwhile is replaced unseen, and one used a moment ago is not pinged (a round trip fewer on every request)."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.database import build_engine


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("a SQLite file has no server to close connections")
    return database_url


def backend_of(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def close_on_the_server(url: str, pid: int) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        # Gone once the server no longer lists it.
        for _ in range(200):
            if not connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}):
                break
            connection.exec_driver_sql("SELECT pg_sleep(0.01)")
    admin.dispose()


def test_a_connection_idle_longer_than_the_delay_is_pinged_and_replaced_when_closed(postgres_url):
    engine = build_engine(postgres_url, pool_size=1, ping_idle_s=0.0)
    first = backend_of(engine)
    close_on_the_server(postgres_url, first)
    assert backend_of(engine) != first  # no error: the ping saw the closed connection, the pool opened another
    engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(postgres_url):
    engine = build_engine(postgres_url, pool_size=1, ping_idle_s=3600.0)
    first = backend_of(engine)
    close_on_the_server(postgres_url, first)
    with pytest.raises(DBAPIError) as raised:  # the request's own statement finds it closed: no ping before
        backend_of(engine)
    assert raised.value.connection_invalidated
    assert backend_of(engine) != first  # the pool replaced it after the failure
    engine.dispose()
