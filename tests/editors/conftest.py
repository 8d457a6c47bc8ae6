"""Fixtures of the vendor API's tests: an individual professional (as e-MJPM's tests take one) and the token its
business software calls with."""

import pytest

from tests.registry.factories import mandataire_body

PARIS = "17750111101763"  # e-MJPM's test tribunal (its `tis` 22): Tribunal judiciaire de Paris


@pytest.fixture
def professional(client, admin) -> dict:
    body = mandataire_body(departements=["75", "89", "22"], sites=[{"nom": "Bureau", "insee": "75056"}])
    response = client.post("/mandataires", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def vendor(make_vendor_access, professional) -> dict[str, str]:
    """The Authorization header of the vendor's software acting for the professional: an access token obtained
    through the real OAuth2 flow (registered by an admin, approved by the professional, code exchanged)."""
    return make_vendor_access(professional["id"]).headers
