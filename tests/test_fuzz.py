"""schemathesis over every operation of the committed contract (openapi/openapi.json), as each role, on the database
of the pass: no answer 5xx, every answer documented (status code, content type, body schema).

The app runs in process (schemathesis' ASGI transport: real HTTP requests and answers without sockets) on a scratch
database of its own, where what the fuzzer writes is really committed; a small register (professionals, measures,
a match) is built once so that some generated ids exist. Derandomized Hypothesis with a few examples per operation
keeps the run reproducible and inside its budget (README, « Tests »); each example is sent as each role. Operations
added to the contract join by themselves: a role the route refuses answers 401/403, which is documented, and needs no
setup here.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from fastapi import HTTPException, Request
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import sessionmaker

from app.auth.constants import Role
from app.config import Settings
from app.database import build_engine
from app.geo.dependencies import get_gazetteer
from app.geo.gazetteer import Gazetteer
from app.geo.repository import sync_tribunaux
from app.main import create_app
from app.tokens.service import issue_token
from tests.registry.factories import mandataire_body, mesure_body
from tests.support import migrate, scratch_database_url

CONTRACT = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
# Examples per operation, each sent as each role (4: about 16 requests per operation and database);
# MJPM_FUZZ_EXAMPLES=50 for a deeper run.
EXAMPLES_PER_OPERATION = int(os.environ.get("MJPM_FUZZ_EXAMPLES", "4"))
# Fuzzing only (plus the contract's own examples): the coverage phase would add dozens of cases per operation,
# outside `max_examples`, and cost more to build than the whole run.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261130,
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True, "database": "none"},
        "request-timeout": 60,
    }
)
SCHEMA = schemathesis.openapi.from_path(CONTRACT, config=CONFIG)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
LILLE = "17590111500709"
ROLES = {
    "admin": {},
    "agent": {"departement": "59"},
    "magistrat": {"tribunal": LILLE},
    "mandataire": {"mandataire_id": 1},
}


@pytest.fixture(scope="module")
def fuzzed(
    tmp_path_factory: pytest.TempPathFactory, gazetteer, database_server: str
) -> Iterator[tuple[object, dict[str, dict[str, str]]]]:
    """The app over a database of its own (the fuzzer's writes stay there), a small register, one token per role."""
    with scratch_database_url(database_server, tmp_path_factory.mktemp("fuzz"), "mjpm_fuzz") as url:
        engine = build_engine(url)
        migrate(engine)
        settings = Settings(database_url=url, environment="test")
        secret = settings.token_secret.get_secret_value()
        with sessionmaker(bind=engine).begin() as session:
            sync_tribunaux(session, gazetteer)
            admin = issue_token(session, secret=secret, gazetteer=gazetteer, role=Role.ADMIN)[0]
        app = create_app(settings)
        try:
            with asgi.get_client(app) as client:  # starts the app's lifespan, which the fuzzer's calls share
                client.headers["Authorization"] = f"Bearer {admin}"
                for _ in range(2):
                    assert client.post("/mandataires", json=mandataire_body()).status_code == 201
                for _ in range(3):
                    assert client.post("/mesures", json=mesure_body(mandataire=1)).status_code == 201
                match = {"tribunal": LILLE, "nature": "tutelle", "residence": {"insee": "59350"}}
                assert client.post("/match", json={**match, "lieu_vie": "domicile"}).status_code == 200
            with sessionmaker(bind=engine).begin() as session:
                tokens = {
                    role: issue_token(session, secret=secret, gazetteer=gazetteer, role=Role(role), **scope)[0]
                    for role, scope in ROLES.items()
                }
            yield app, {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
        finally:
            asgi.shutdown_lifespans()  # disposes of the app's engine before its database goes
            engine.dispose()


def answer_as_each_role(case: schemathesis.Case, app: object, headers: dict[str, dict[str, str]]) -> None:
    """Sends the case as each role and checks each answer; the first failure is raised, naming its role (and the other
    roles that failed too)."""
    failures: list[tuple[str, Exception | FailureGroup]] = []
    for role, role_headers in headers.items():
        try:
            case.validate_response(case.call(app=app, headers=role_headers), checks=CHECKS)
        except (Exception, FailureGroup) as failure:  # a FailureGroup is no Exception (a BaseExceptionGroup)
            failures.append((role, failure))
    if failures:
        (role, failure), others = failures[0], [other for other, _ in failures[1:]]
        failure.add_note(f"role: {role}")
        if others:
            failure.add_note(f"failing as well as: {', '.join(others)}")
        raise failure


# Every role is sent the same examples: derandomized, Hypothesis drew the same ones for each role when the role was a
# test parameter, so they are drawn once per operation (drawing them cost as much as the app's answers). The roles
# stay a parameter, of one value: it also gives each operation a test id of its own (schemathesis 4.32 under pytest 9
# names a test it parametrizes alone by its function only).
@pytest.mark.parametrize("roles", [tuple(ROLES)], ids=["chaque-role"])
@SCHEMA.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, roles, fuzzed):
    app, headers = fuzzed
    answer_as_each_role(case, app, {role: headers[role] for role in roles})


def _teapot() -> None:
    raise HTTPException(status_code=418)


def _answers_with(app, headers, planted) -> FailureGroup | None:
    """What the fuzz reports of `GET /referentiel/regions` made to answer through `planted`."""
    case = SCHEMA["/referentiel/regions"]["GET"].Case()
    app.dependency_overrides[get_gazetteer] = planted
    try:
        answer_as_each_role(case, app, headers)
    except FailureGroup as failure:
        return failure
    finally:
        app.dependency_overrides.clear()
    return None


@pytest.mark.parametrize(
    ("planted", "failure"),
    [
        (lambda: 1 / 0, "Server error"),  # an exception: the service answers 500
        (_teapot, "Undocumented status code"),  # an answer off the contract
    ],
    ids=["500", "statut-non-documente"],
)
def test_the_fuzz_catches_a_planted_defect(fuzzed, planted, failure):
    """The checks above can fail: a route made to break is reported, with the roles it broke for."""
    app, headers = fuzzed
    reported = _answers_with(app, headers, planted)
    assert reported is not None
    assert failure in str(reported)
    assert reported.__notes__ == ["role: admin", "failing as well as: agent, magistrat, mandataire"]


def test_the_fuzz_catches_a_defect_one_role_alone_meets(fuzzed):
    """Each role is checked, and the report names the one that met the defect."""
    app, headers = fuzzed
    magistrate = headers["magistrat"]["Authorization"]

    def planted(request: Request) -> Gazetteer:
        if request.headers.get("Authorization") == magistrate:
            raise HTTPException(status_code=418)
        return request.app.state.gazetteer

    reported = _answers_with(app, headers, planted)
    assert reported is not None
    assert "Undocumented status code" in str(reported)
    assert reported.__notes__ == ["role: magistrat"]
