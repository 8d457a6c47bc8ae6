"""`mjpm token create`, the real console script, on a scratch database: the token is printed alone, only its
HMAC is stored, it authenticates through the app, and bad options exit 2 without writing anything. Then
`mjpm token revoke` and `mjpm token list`.

The console script takes about two seconds to start, so the module runs its four invocations once, side by
side, and the tests read their outcome.
"""

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import sessionmaker

from app.auth.constants import Role
from app.auth.models import ApiToken
from app.auth.service import hash_token
from app.config import PROJECT_ROOT, Settings
from app.database import build_engine, utcnow
from app.geo.repository import sync_tribunaux
from app.main import create_app
from app.tokens.service import issue_token
from tests.registry.factories import mandataire_body
from tests.support import migrate, scratch_database_url

MJPM = PROJECT_ROOT / ".venv" / "bin" / "mjpm"
SECRET = "cli-test-token-secret-0123456789abcdef"
GOOD = ("--role", "agent", "--region", "32", "--expire", "30")
BAD = {
    "unknown-tribunal": (("--role", "magistrat", "--tribunal", "00000000000000"), "tribunal_inconnu"),
    "unknown-departement": (("--role", "agent", "--departement", "99"), "departement_inconnu"),
    "unknown-mandataire": (("--role", "mandataire", "--mandataire", "999999"), "mandataire_inconnu"),
}


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Runs:
    url: str
    good: Run
    bad: dict[str, Run]
    written: set[str]  # token hashes added to the database by the four invocations


@pytest.fixture(scope="module")
def scratch_url(tmp_path_factory: pytest.TempPathFactory, gazetteer, database_server: str) -> Iterator[str]:
    with scratch_database_url(database_server, tmp_path_factory.mktemp("cli"), "mjpm_cli") as url:
        engine = build_engine(url)
        migrate(engine)
        with sessionmaker(bind=engine).begin() as session:
            sync_tribunaux(session, gazetteer)
        engine.dispose()
        yield url


def token_hashes(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(ApiToken.token_hash)))


@pytest.fixture(scope="module")
def runs(scratch_url: str, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    engine = build_engine(scratch_url)
    before = token_hashes(engine)
    env = {**os.environ, "DATABASE_URL": scratch_url, "TOKEN_SECRET": SECRET, "ENVIRONMENT": "test"}
    cwd = tmp_path_factory.mktemp("cwd")
    invocations = {"good": GOOD, **{name: options for name, (options, _) in BAD.items()}}
    processes = {
        name: subprocess.Popen(
            [str(MJPM), "token", "create", *options],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, options in invocations.items()
    }
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=600)
        results[name] = Run(process.returncode, stdout, stderr)
    written = token_hashes(engine) - before
    engine.dispose()
    good = results.pop("good")
    return Runs(url=scratch_url, good=good, bad=results, written=written)


def rows_containing(url: str, needle: str) -> list[str]:
    """Tables having a row in which some value contains `needle`."""
    engine = build_engine(url)
    found = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                if any(needle in str(value) for value in row):
                    found.append(table)
    engine.dispose()
    return found


def test_token_create_prints_the_token_alone(runs):
    assert runs.good.returncode == 0, runs.good.stderr
    assert runs.good.stdout.endswith("\n") and runs.good.stdout.count("\n") == 1
    token = runs.good.stdout.strip()
    assert token.startswith("mjpm_")
    assert " " not in token and len(token) > 30


def test_database_stores_only_the_hmac_of_the_token(runs):
    token = runs.good.stdout.strip()
    assert runs.written == {hash_token(token, SECRET)}
    engine = build_engine(runs.url)
    with engine.connect() as connection:
        stored = connection.execute(
            select(ApiToken.role, ApiToken.region, ApiToken.departement, ApiToken.acces, ApiToken.expires_at).where(
                ApiToken.token_hash == hash_token(token, SECRET)
            )
        ).one()
    engine.dispose()
    assert tuple(stored)[:4] == ("agent", "32", None, "ecriture")
    assert timedelta(days=29) < stored.expires_at - utcnow() <= timedelta(days=30)  # --expire 30
    assert rows_containing(runs.url, token) == []
    assert rows_containing(runs.url, token.removeprefix("mjpm_")) == []


def test_created_token_authenticates_through_the_app_with_its_scope(runs):
    headers = {"Authorization": f"Bearer {runs.good.stdout.strip()}"}
    app = create_app(Settings(database_url=runs.url, environment="test", token_secret=SECRET))
    with TestClient(app) as client:
        assert client.get("/mandataires").status_code == 401
        response = client.get("/mandataires", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 0
        # An agent of Hauts-de-France (région 32) may not list a professional in the Bouches-du-Rhône.
        outside = mandataire_body(departements=["13"], sites=[{"nom": "Bureau", "insee": "13055"}])
        forbidden = client.post("/mandataires", json=outside, headers=headers)
        assert forbidden.status_code == 403
        assert forbidden.json()["detail"][0]["type"] == "hors_territoire"


@pytest.mark.parametrize("name", list(BAD))
def test_bad_options_exit_2_with_a_message_and_write_nothing(runs, name):
    options, problem = BAD[name]
    result = runs.bad[name]
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert problem in result.stderr
    assert options[-1] in result.stderr
    # Only the good invocation wrote a token.
    assert runs.written <= {hash_token(runs.good.stdout.strip(), SECRET)}


@pytest.fixture(scope="module")
def revocation(runs: Runs, gazetteer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A token of its own (the other tests keep theirs), revoked by `mjpm token revoke` side by side with an
    unknown id, then `mjpm token list`."""
    engine = build_engine(runs.url)
    with sessionmaker(bind=engine).begin() as session:
        token = issue_token(
            session, secret=SECRET, gazetteer=gazetteer, role=Role.AGENT, region="32", nom="Agent sortant"
        )[0]
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(token, SECRET)))
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": runs.url, "TOKEN_SECRET": SECRET, "ENVIRONMENT": "test"}
    cwd = tmp_path_factory.mktemp("cwd-revoke")

    def start(*arguments: str) -> subprocess.Popen:
        return subprocess.Popen(
            [str(MJPM), "token", *arguments],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(process: subprocess.Popen) -> Run:
        stdout, stderr = process.communicate(timeout=600)
        return Run(process.returncode, stdout, stderr)

    revoke, unknown = start("revoke", str(token_id)), start("revoke", "999999")
    runs_ = {"revoke": finish(revoke), "unknown": finish(unknown)}
    runs_["list"] = finish(start("list"))
    runs_["token_id"], runs_["token"] = token_id, token
    return runs_


def test_token_revoke_refuses_the_token_and_list_shows_it(runs, revocation):
    """Checked without the per-worker cache (TOKEN_CACHE_S=0): revocation is then immediate."""
    assert revocation["revoke"].returncode == 0, revocation["revoke"].stderr
    assert revocation["revoke"].stdout.startswith(f"jeton {revocation['token_id']} révoqué le ")
    listed = [line.split("\t") for line in revocation["list"].stdout.splitlines()]
    (row,) = [line for line in listed if line[0] == str(revocation["token_id"])]
    assert row[1:4] == ["agent", "Agent sortant", "région 32"] and row[5].startswith("révoqué le ")
    assert revocation["token"] not in revocation["list"].stdout
    headers = {"Authorization": f"Bearer {revocation['token']}"}
    app = create_app(Settings(database_url=runs.url, environment="test", token_secret=SECRET, token_cache_s=0))
    with TestClient(app) as client:
        refused = client.get("/mandataires", headers=headers)
    assert refused.status_code == 401 and refused.json()["detail"][0]["type"] == "non_authentifie"


def test_token_revoke_of_an_unknown_id_exits_2(revocation):
    assert revocation["unknown"].returncode == 2
    assert "jeton_inconnu" in revocation["unknown"].stderr and revocation["unknown"].stdout == ""
