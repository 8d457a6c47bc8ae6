"""The replay of a request PostgreSQL aborted as a deadlock victim: the whole request runs again with the same
body, at most a few times, and only while no byte of the answer has been sent."""

from types import SimpleNamespace

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from app.dependencies import RetryTransactions


def transient(sqlstate: str) -> OperationalError:
    return OperationalError("UPDATE mandataire ...", {}, SimpleNamespace(sqlstate=sqlstate))


def app_failing(times: int, sqlstate: str = "40P01") -> tuple[FastAPI, list[bytes]]:
    app, bodies = FastAPI(), []
    app.add_middleware(RetryTransactions)

    @app.post("/ecrire")
    async def write(request: Request) -> dict:
        bodies.append(await request.body())
        if len(bodies) <= times:
            raise transient(sqlstate)
        return {"essais": len(bodies)}

    return app, bodies


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_a_deadlock_victim_is_replayed_with_the_same_body(sqlstate):
    app, bodies = app_failing(times=2, sqlstate=sqlstate)
    with TestClient(app) as client:
        response = client.post("/ecrire", json={"capacite": 12})
    assert response.status_code == 200 and response.json() == {"essais": 3}
    assert bodies == [b'{"capacite":12}'] * 3


def test_replays_are_bounded_and_other_errors_are_not_replayed():
    app, bodies = app_failing(times=3)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/ecrire", json={}).status_code == 500
    assert len(bodies) == 3
    app, bodies = app_failing(times=1, sqlstate="23505")  # a unique violation is an answer, not a retry
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/ecrire", json={}).status_code == 500
    assert len(bodies) == 1
