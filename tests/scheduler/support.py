"""Set-up shared by the scheduler's tests: committed writes and unanswered reservations on a scratch database."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.auth.constants import Role
from app.config import Settings
from app.database import begin_write, build_session_factory
from app.main import create_app
from app.tokens.service import issue_token
from tests.registry.factories import mandataire_body

LILLE_TJ = "17590111500709"


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A committed write transaction, started as a writer (the processes under test write to SQLite too)."""
    with build_session_factory(engine)() as session:
        begin_write(session)
        yield session
        session.commit()


def token_factory(engine: Engine, gazetteer) -> Callable[..., dict[str, str]]:
    secret = Settings(environment="test").token_secret.get_secret_value()

    def token(role: str, **scope) -> dict[str, str]:
        with writing(engine) as session:
            value = issue_token(session, secret=secret, gazetteer=gazetteer, role=Role(role), **scope)[0]
        return {"Authorization": f"Bearer {value}"}

    return token


def reserve(url: str, token: Callable[..., dict[str, str]], count: int = 1, **settings) -> list[int]:
    """`count` reservations of one professional by the Lille judge, through the API (this process, no scheduler);
    returns their ids."""
    admin, judge = token("admin"), token("magistrat", tribunal=LILLE_TJ)
    with TestClient(create_app(Settings(database_url=url, environment="test", **settings))) as client:
        pro = client.post(
            "/mandataires",
            headers=admin,
            json=mandataire_body(natures=["tutelle"], capacite=count + 2, sites=[{"nom": "B", "insee": "59350"}]),
        ).json()
        match = client.post(
            "/match",
            headers=judge,
            json={"tribunal": LILLE_TJ, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"},
        ).json()
        ids = []
        for number in range(count):
            reserved = client.post(
                "/reservations",
                headers=judge,
                json={"match_id": match["match_id"], "mandataire": pro["id"], "numero_rg": f"25/{number:05d}"}
                | {"famille": {"statut": "non_examine"}},
            )
            assert reserved.status_code == 201, reserved.text
            ids.append(reserved.json()["id"])
    return ids
