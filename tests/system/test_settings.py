"""Settings: the connection pool of each process follows the DB_POOL_* settings (PostgreSQL and SQLite files);
OpenID Connect is off until configured, and configured completely."""

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from app.config import Settings
from app.main import create_app


def test_pool_settings_reach_the_engine(database_url):
    if make_url(database_url).database in (None, "", ":memory:"):
        pytest.skip("the pool settings apply to PostgreSQL and SQLite files")
    settings = Settings(
        database_url=database_url, environment="test", db_pool_size=2, db_max_overflow=1, db_pool_timeout_s=3
    )
    with TestClient(create_app(settings)) as client:
        pool = client.app.state.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (2, 1, 3)


def test_openid_connect_settings():
    assert Settings(_env_file=None).oidc_issuer is None  # off by default
    settings = Settings(
        _env_file=None, oidc_issuer="https://fournisseur.test/api/v2/", oidc_client_id="c", oidc_client_secret="s"
    )
    assert settings.oidc_issuer == "https://fournisseur.test/api/v2"
    with pytest.raises(ValidationError, match="OIDC_CLIENT_ID"):
        Settings(_env_file=None, oidc_issuer="https://fournisseur.test")
    with pytest.raises(ValidationError, match="adresse http"):
        Settings(_env_file=None, oidc_issuer="ftp://fournisseur.test", oidc_client_id="c", oidc_client_secret="s")
    with pytest.raises(ValidationError, match="https obligatoire"):
        Settings(
            _env_file=None,
            environment="production",
            token_secret="x" * 40,
            oidc_issuer="http://fournisseur.test",
            oidc_client_id="c",
            oidc_client_secret="s",
        )
