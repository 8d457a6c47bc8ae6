"""/metrics: request counts and latencies per route template, index rebuilds, business figures read at scrape time,
and the optional METRICS_TOKEN."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from app.config import Settings
from app.database import utcnow
from app.designation.models import Reservation
from app.main import create_app
from app.matching.repository import registry_version
from tests.registry.factories import mandataire_body
from tests.support import app_client

LILLE_TJ = "17590111500709"


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_and_timed_per_route_template(client, admin):
    before_post = scrape(client)
    created = client.post("/mandataires", headers=admin, json=mandataire_body()).json()
    before = scrape(client)
    # Writes too (they go through the transaction retries, which run the app on a copy of the request's scope).
    posted = {"method": "POST", "route": "/mandataires", "status": "201"}
    counted = "mjpm_http_requests_total"
    assert value(before, counted, **posted) - value(before_post, counted, **posted) == 1
    for _ in range(3):
        assert client.get(f"/mandataires/{created['id']}?q=prive-8271", headers=admin).status_code == 200
    assert client.get("/nulle-part/42").status_code == 404
    assert client.request("BREW", "/nulle-part").status_code == 404
    after = scrape(client)

    route = {"method": "GET", "route": "/mandataires/{mandataire_id}"}
    assert value(after, counted, **route, status="200") - value(before, counted, **route, status="200") == 3
    timed = "mjpm_http_request_duration_seconds_count"
    assert value(after, timed, **route) - value(before, timed, **route) == 3
    unmatched = {"method": "GET", "route": "<aucune route>", "status": "404"}
    assert value(after, counted, **unmatched) - value(before, counted, **unmatched) == 1
    invented = unmatched | {"method": "AUTRE"}
    assert value(after, counted, **invented) - value(before, counted, **invented) == 1
    # Raw paths and query strings never become labels (unbounded series, possibly personal data).
    routes = {dict(labels)["route"] for _, labels in after if "route" in dict(labels)}
    assert "/mandataires/{mandataire_id}" in routes
    assert not any(
        "prive-8271" in route or "nulle-part" in route or route.endswith(f"/{created['id']}") for route in routes
    )


def test_business_figures_are_read_at_scrape_time(client, admin, make_token, session):
    judge = make_token("magistrat", tribunal=LILLE_TJ)
    pro = client.post(
        "/mandataires",
        headers=admin,
        json=mandataire_body(natures=["tutelle"], email="pro@example.org", sites=[{"nom": "B", "insee": "59350"}]),
    ).json()
    rebuilds_before = value(scrape(client), "mjpm_match_index_rebuilds_total")
    match = client.post(
        "/match",
        headers=judge,
        json={"tribunal": LILLE_TJ, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"},
    ).json()
    before = scrape(client)
    assert value(before, "mjpm_match_index_rebuilds_total") == rebuilds_before + 1  # the registry had changed
    reservation = client.post(
        "/reservations",
        headers=judge,
        json={
            "match_id": match["match_id"],
            "mandataire": pro["id"],
            "numero_rg": "25/00042",
            "famille": {"statut": "aucun_proche_disponible"},
        },
    )
    assert reservation.status_code == 201, reservation.text
    after = scrape(client)

    assert value(after, "mjpm_reservations_pending") == value(before, "mjpm_reservations_pending") + 1
    assert value(after, "mjpm_reservations_expiring_7d") == value(before, "mjpm_reservations_expiring_7d")
    assert value(after, "mjpm_notifications_pending") > value(before, "mjpm_notifications_pending")
    assert value(after, "mjpm_notification_oldest_pending_age_seconds") >= 0
    assert value(after, "mjpm_registry_version") == registry_version(session)
    assert value(after, "mjpm_database_up") == 1

    session.execute(
        update(Reservation)
        .where(Reservation.id == reservation.json()["id"])
        .values(expires_at=utcnow() + timedelta(days=3))
    )
    session.commit()
    soon = scrape(client)
    assert value(soon, "mjpm_reservations_expiring_7d") == value(before, "mjpm_reservations_expiring_7d") + 1


def test_metrics_answer_while_the_database_is_down():
    """An outage is when metrics matter most: the request and process metrics still come, the business figures
    do not (they are unknown, not zero), and `mjpm_database_up` says why."""
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    with TestClient(create_app(Settings(database_url=unreachable, environment="test"))) as client:
        assert client.get("/healthz").status_code == 200
        samples = scrape(client)
    assert value(samples, "mjpm_database_up") == 0
    assert value(samples, "mjpm_http_requests_total", method="GET", route="/healthz", status="200") >= 1
    assert not any(name == "mjpm_reservations_pending" for name, _ in samples)


@pytest.fixture
def guarded_client(database_url, session_factory):
    settings = Settings(database_url=database_url, environment="test", metrics_token="s3cret-metrics")
    with app_client(settings, session_factory) as client:
        yield client


def test_metrics_token_when_set(guarded_client):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-metrics"}):
        response = guarded_client.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"][0]["type"] == "non_authentifie"
    assert ("mjpm_reservations_pending", ()) in scrape(guarded_client, Authorization="Bearer s3cret-metrics")
