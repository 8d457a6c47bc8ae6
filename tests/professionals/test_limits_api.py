"""Rate limiting per token (429 + Retry-After), request size limits (413), batch size, content types (415)."""

import pytest

from tests.professionals.conftest import LILLE, error
from tests.professionals.test_lot_api import send, vendor


@pytest.fixture
def tight(client_with):
    """A client of an app with small limits: 3 requests per minute, 1 import per minute, bodies of 4 KB."""
    return client_with(bulk_rate_per_minute=3, import_rate_per_minute=1, bulk_max_bytes=4096, import_max_bytes=4096)


def test_requests_past_the_rate_get_429_with_retry_after_per_token(tight, itself, make_token, professional):
    for _ in range(3):
        assert tight.get("/mandataires/moi", headers=itself).status_code == 200
    response = send(tight, itself, [vendor("24/00001")])
    # The minute may turn between two calls: a new window, whose allowance of 3 runs out within 3 more calls.
    for number in range(2, 5):
        if response.status_code == 429:
            break
        response = send(tight, itself, [vendor(f"24/0000{number}")])
    assert response.status_code == 429
    assert error(response)["type"] == "trop_de_requetes"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    other_token = make_token("mandataire", mandataire_id=professional["id"])
    assert tight.get("/mandataires/moi", headers=other_token).status_code == 200


def test_imports_have_their_own_smaller_allowance(tight, itself):
    files = {"fichier": ("a.csv", b"numero_rg\n", "text/csv")}
    assert tight.post("/mesures/import", files=files, headers=itself).status_code == 422  # missing columns
    response = tight.post("/mesures/import", files=files, headers=itself)
    if response.status_code == 422:  # the minute turned between the two calls: a new window, one more try
        response = tight.post("/mesures/import", files=files, headers=itself)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert tight.get("/mandataires/moi", headers=itself).status_code == 200


def test_a_body_over_the_limit_is_413_before_it_is_read(tight, itself):
    response = send(tight, itself, [vendor(f"24/{n:05d}") for n in range(40)])
    assert response.status_code == 413 and error(response)["type"] == "requete_trop_volumineuse"
    big = {"fichier": ("gros.csv", b"x" * 5000, "text/csv")}
    assert tight.post("/mesures/import", files=big, headers=itself).status_code == 413


def test_a_batch_of_more_than_1000_measures_is_refused(client, itself):
    response = send(client, itself, [vendor(f"24/{n:05d}") for n in range(1001)])
    assert response.status_code == 422
    assert error(response)["type"] == "lot_trop_grand" and "1000" in error(response)["msg"]
    empty = send(client, itself, [])  # as e-MJPM: nothing to do, nothing refused
    assert empty.status_code == 200 and (empty.json()["total"], empty.json()["applique"]) == (0, True)


def test_wrong_content_types_are_415(client, itself):
    response = client.post("/mesures/lot", content=b"numero_rg\n", headers={**itself, "Content-Type": "text/csv"})
    assert response.status_code == 415 and error(response)["type"] == "type_de_contenu_non_pris_en_charge"
    response = client.post("/mesures/import", json={"mesures": []}, headers=itself)
    assert response.status_code == 415


def test_a_batch_of_exactly_1000_is_accepted(client, itself):
    response = send(client, itself, [vendor(f"24/{n:05d}", tribunal_siret=LILLE) for n in range(1000)])
    assert response.status_code == 200 and response.json()["created"] == 1000
