"""The Hauts-de-France demo register for the dashboard tests: a copy of the run's (`demo_register`, seeded once per
run) in a scratch database (SQLite file or PostgreSQL database, as `database_server` says), with an app and tokens
bound to it."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from app.auth.constants import Role
from app.config import Settings
from app.database import build_engine
from app.geo.gazetteer import Gazetteer
from app.main import create_app
from app.tokens.service import issue_token
from tests.support import DemoRegister, scratch_database_url


@dataclass
class Regional:
    engine: Engine
    client: TestClient
    headers: dict[str, dict[str, str]]  # by caller: admin, agent (région 32), agent_59

    def rows(self, sql: str, **params) -> list[tuple]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]

    def get(self, path: str, caller: str = "admin", **params):
        response = self.client.get(path, headers=self.headers[caller], params=params)
        assert response.status_code == 200, response.text
        return response


@pytest.fixture(scope="package")
def regional(
    tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer, database_server: str, demo_register: DemoRegister
) -> Iterator[Regional]:
    directory = tmp_path_factory.mktemp("dashboards")
    with scratch_database_url(database_server, directory, "mjpm_dash", template=demo_register.url) as url:
        engine = build_engine(url)
        try:
            settings = Settings(database_url=url, environment="test")
            with sessionmaker(bind=engine).begin() as session:
                headers = {
                    caller: {
                        "Authorization": "Bearer "
                        + issue_token(
                            session,
                            secret=settings.token_secret.get_secret_value(),
                            gazetteer=gazetteer,
                            role=role,
                            **scope,
                        )[0]
                    }
                    for caller, role, scope in (
                        ("admin", Role.ADMIN, {}),
                        ("agent", Role.AGENT, {"region": "32"}),
                        ("agent_59", Role.AGENT, {"departement": "59"}),
                    )
                }
            with TestClient(create_app(settings)) as client:
                yield Regional(engine, client, headers)
        finally:
            engine.dispose()
