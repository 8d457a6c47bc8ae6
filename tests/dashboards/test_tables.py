"""Coverage and reservation flows on data created through the API in the test transaction."""

from datetime import timedelta

import pytest
from geopy.distance import great_circle

from app.database import utcnow
from app.designation.models import Reservation
from app.designation.service import expire_and_remind
from tests.dashboards.support import answered_reservations
from tests.dashboards.test_exports import expected_rows, read_csv, read_xlsx
from tests.registry.factories import mandataire_body

LILLE_TJ = "17590111500709"
LILLE, MAUBEUGE = "59350", "59392"


@pytest.fixture
def lille_pro(client, admin):
    response = client.post("/mandataires", headers=admin, json=mandataire_body(sites=[{"nom": "B", "insee": LILLE}]))
    assert response.status_code == 201, response.text
    return response.json()


def coverage(client, headers, **params) -> dict:
    response = client.get("/tableaux-de-bord/couverture", headers=headers, params={"departement": "59", **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_coverage_lists_the_communes_out_of_reach(client, admin, lille_pro, gazetteer):
    table = coverage(client, admin, nature="curatelle_renforcee", distance_km=30)
    uncovered = {row["insee"]: row for row in table["lignes"]}
    site = gazetteer.communes[LILLE]
    # An independent great-circle computation (geopy) agrees, away from the 30 km boundary.
    for commune in (c for c in gazetteer.communes.values() if c.departement == "59"):
        km = great_circle((site.lat, site.lon), (commune.lat, commune.lon)).km
        if abs(km - 30) > 0.05:
            assert (commune.insee in uncovered) == (km > 30), commune.insee
        if commune.insee in uncovered:
            assert uncovered[commune.insee]["distance_km"] == pytest.approx(km, abs=0.06)
            assert uncovered[commune.insee]["population"] == commune.population
    assert LILLE not in uncovered and MAUBEUGE in uncovered
    populations = [row["population"] for row in table["lignes"]]
    assert populations == sorted(populations, reverse=True)
    assert table["totaux"]["population"] == sum(populations)
    assert table["filtres"] == {
        "territoire": ["59"],
        "departement": "59",
        "nature": "curatelle_renforcee",
        "distance_km": 30,
    }


def test_coverage_needs_an_available_professional_whose_title_covers_the_nature(client, admin, lille_pro):
    # No MJAGBF in the professional's title: nobody covers Lille.
    assert LILLE in {row["insee"] for row in coverage(client, admin, nature="mjagbf")["lignes"]}
    # Listed in Pas-de-Calais only, a professional with a site in Lille does not serve Nord.
    other = mandataire_body(departements=["62"], sites=[{"nom": "B", "insee": LILLE}], nom="Voisin")
    assert client.post("/mandataires", headers=admin, json=other).status_code == 201
    assert LILLE not in {row["insee"] for row in coverage(client, admin)["lignes"]}
    today = utcnow().date()
    absence = {"debut": str(today), "fin": str(today + timedelta(days=3)), "motif": "conges"}
    assert client.post(f"/mandataires/{lille_pro['id']}/absences", headers=admin, json=absence).status_code == 201
    rows = {row["insee"]: row for row in coverage(client, admin)["lignes"]}
    assert LILLE in rows and rows[LILLE]["distance_km"] is None
    # Préposés count only when asked for.
    assert coverage(client, admin, type="prepose")["filtres"]["type"] == "prepose"


DOUAI_TJ = "17590111500576"
DUNKERQUE = "59183"


def test_coverage_for_a_tribunal_counts_those_who_serve_it_in_every_format(client, admin, lille_pro):
    # Restricted to Douai, a professional in Maubeuge does not serve Lille; restricted to Lille, one in Dunkerque does.
    for tribunal, insee in ((DOUAI_TJ, MAUBEUGE), (LILLE_TJ, DUNKERQUE)):
        body = mandataire_body(nom=f"Restreint {insee}", sites=[{"nom": "B", "insee": insee}], tribunaux=[tribunal])
        assert client.post("/mandataires", headers=admin, json=body).status_code == 201
    params = {"tribunal": LILLE_TJ, "distance_km": 5}
    lille = {row["insee"] for row in coverage(client, admin, **params)["lignes"]}
    assert LILLE not in lille and DUNKERQUE not in lille and MAUBEUGE in lille
    nord = {row["insee"] for row in coverage(client, admin, distance_km=5)["lignes"]}
    assert MAUBEUGE not in nord and not nord & {LILLE, DUNKERQUE}
    douai = coverage(client, admin, tribunal=DOUAI_TJ, distance_km=5)
    assert DUNKERQUE in {row["insee"] for row in douai["lignes"]}
    assert not {row["insee"] for row in douai["lignes"]} & {LILLE, MAUBEUGE}  # Lille's: unrestricted, listed in 59
    assert douai["filtres"]["tribunal"] == DOUAI_TJ

    table = coverage(client, admin, **params)
    assert table["titre"] == "Communes sans professionnel disponible à moins de 5 km (Curatelle renforcée)"
    assert "« Curatelle renforcée »" in table["note"] and "curatelle_renforcee" not in table["note"]
    assert "qui peuvent servir le tribunal choisi" in table["note"]
    for suffix, read in ((".csv", read_csv), (".xlsx", read_xlsx)):
        exported = client.get(f"/tableaux-de-bord/couverture{suffix}", headers=admin, params=params)
        assert exported.status_code == 200, exported.text
        assert read(exported.content, table) == expected_rows(table)


@pytest.fixture
def judge(make_token):
    return make_token("magistrat", tribunal=LILLE_TJ)


def test_flux_counts_reservation_answers_and_the_median_delay(
    client, admin, judge, make_token, lille_pro, session, settings
):
    pro = make_token("mandataire", mandataire_id=lille_pro["id"])
    reservations = answered_reservations(client, judge=judge, pro=pro, mandataire_id=lille_pro["id"], serie="0000")
    today = utcnow().date()
    session.get(Reservation, reservations[2]).expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    assert expire_and_remind(session, settings=settings, now=utcnow())[0] == 1
    session.commit()

    table = client.get("/tableaux-de-bord/flux", headers=admin).json()
    month = table["lignes"][-1]
    assert month["mois"] == f"{today:%Y-%m}"
    assert (month["reservations_acceptees"], month["reservations_refusees"], month["reservations_expirees"]) == (
        1,
        1,
        1,
    )
    assert 0 <= month["delai_median_acceptation_jours"] < 0.1
    assert month["ouvertes_individuel"] == 1 and month["ouvertes"] == 1
    assert table["totaux"]["reservations_acceptees"] == 1
    # Filtered on another type, the professional's answers disappear.
    services = client.get("/tableaux-de-bord/flux", headers=admin, params={"type": "service"}).json()
    assert (
        services["totaux"]["reservations_acceptees"] == 0
        and services["totaux"]["delai_median_acceptation_jours"] is None
    )
