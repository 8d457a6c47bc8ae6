"""The connection pool of each process follows the DB_POOL_* settings (PostgreSQL; SQLite files need none)."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from app.config import Settings
from app.main import create_app


def test_pool_settings_reach_the_engine(database_url):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("the pool settings apply to PostgreSQL")
    settings = Settings(
        database_url=database_url, environment="test", db_pool_size=2, db_max_overflow=1, db_pool_timeout_s=3
    )
    with TestClient(create_app(settings)) as client:
        pool = client.app.state.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (2, 1, 3)
