"""Fixtures of the vendor API's tests: an individual professional (as e-MJPM's tests take one) and the token its
business software calls with."""

import pytest

from tests.registry.factories import mandataire_body
from tests.vendors.flow import vendor_access

PARIS = "17750111101763"  # e-MJPM's test tribunal (its `tis` 22): Tribunal judiciaire de Paris


@pytest.fixture(scope="module")
def shared(module_client, module_token) -> tuple[dict, dict[str, str]]:
    """The professional and its vendor's Authorization header, built once for the module: each test runs in a
    savepoint over them (`connection` below)."""
    admin = module_token("admin")
    body = mandataire_body(departements=["75", "89", "22"], sites=[{"nom": "Bureau", "insee": "75056"}])
    with module_client() as client:
        response = client.post("/mandataires", json=body, headers=admin)
        assert response.status_code == 201, response.text
        professional = response.json()
        itself = module_token("mandataire", mandataire_id=professional["id"])
        access = vendor_access(client, admin, itself, professional["id"], nom="Logiciel du cabinet")
    return professional, access.headers


@pytest.fixture
def connection(shared, savepoint_connection):
    return savepoint_connection


@pytest.fixture
def professional(shared) -> dict:
    return shared[0]


@pytest.fixture
def vendor(shared) -> dict[str, str]:
    """The Authorization header of the vendor's software acting for the professional: an access token obtained
    through the real OAuth2 flow (registered by an admin, approved by the professional, code exchanged)."""
    return shared[1]
