"""Locating a residence: every accepted form, and 422 naming the field for everything else."""

import pytest

from app.geo.distance import haversine_km


def locate(client, residence):
    return client.post("/referentiel/localiser", json=residence)


def test_insee_gives_the_commune(client):
    body = locate(client, {"insee": "59350"}).json()
    assert body["precision"] == "commune"
    assert body["commune"] == {"insee": "59350", "nom": "Lille"}
    assert body["departement"]["code"] == "59" and body["region"]["code"] == "32"


def test_shared_postcode_gives_the_population_weighted_centre(client, gazetteer):
    communes = gazetteer.communes_by_postcode["01400"]
    assert len(communes) > 1
    body = locate(client, {"code_postal": "01400"}).json()
    assert body["precision"] == "code_postal"
    assert body["commune"] is None
    total = sum(c.population for c in communes)
    expected_lat = sum(c.lat * c.population for c in communes) / total
    expected_lon = sum(c.lon * c.population for c in communes) / total
    assert float(haversine_km(body["lat"], body["lon"], expected_lat, expected_lon)) < 0.01
    assert body["departement"]["code"] == "01"


def test_shared_postcode_with_a_commune_name(client, gazetteer):
    commune = max(gazetteer.communes_by_postcode["01400"], key=lambda c: c.population)
    body = locate(client, {"code_postal": "01400", "commune": commune.nom.upper()}).json()
    assert body["precision"] == "commune"
    assert body["commune"]["insee"] == commune.insee


def test_a_point_gives_its_departement(client):
    body = locate(client, {"lat": 50.63, "lon": 3.06}).json()
    assert body["precision"] == "point"
    assert body["departement"]["code"] == "59"
    assert body["commune"]["insee"] == "59350"


@pytest.mark.parametrize("residence", [{"pays": "BE", "code_postal": "7500"}, {"pays": "BE", "nis": "57081"}])
def test_belgian_residence(client, residence):
    body = locate(client, residence).json()
    assert body["pays"] == "BE"
    assert body["commune_belge"]["nis"] == "57081"
    assert body["departement"] is None


def test_a_point_in_belgium_is_belgian(client):
    assert locate(client, {"lat": 50.6056, "lon": 3.3883}).json()["commune_belge"]["nis"] == "57081"


@pytest.mark.parametrize(
    ("residence", "field", "code"),
    [
        ({"insee": "99999"}, "insee", "insee_inconnu"),
        ({"code_postal": "00000"}, "code_postal", "code_postal_inconnu"),
        ({"code_postal": "01400", "commune": "Atlantis"}, "commune", "commune_inconnue"),
        ({"pays": "BE", "code_postal": "9999"}, "code_postal", "code_postal_inconnu"),
        ({"pays": "BE", "nis": "99999"}, "nis", "nis_inconnu"),
        ({"lat": 40.0, "lon": -30.0}, "lat", "hors_zone_couverte"),
        ({"lat": 52.52, "lon": 13.40}, "lat", "hors_zone_couverte"),
        ({"adresse": "10 rue de la Paix"}, "adresse", "geocodage_indisponible"),
    ],
)
def test_unknown_places_are_422_naming_the_field(client, residence, field, code):
    response = locate(client, residence)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert error["type"] == code
    assert error["msg"]


@pytest.mark.parametrize(
    ("residence", "named"),
    [
        ({"insee": "5935"}, "insee"),
        ({"code_postal": "59OOO"}, "code_postal"),
        ({"lat": 95, "lon": 3}, "lat"),
        ({"lat": 50.6}, "lon"),
        ({"insee": "59350", "code_postal": "59000"}, "insee"),
        ({"pays": "BE", "code_postal": "59000"}, "code_postal"),
        ({"pays": "BE"}, "code_postal"),
        ({"nis": "57081"}, "nis"),
        ({"commune": "Lille"}, "commune"),
        ({"pays": "DE", "insee": "59350"}, "pays"),
        ({"insee": "59350", "rue": "x"}, "rue"),
    ],
)
def test_malformed_residences_are_422_naming_the_field(client, residence, named):
    response = locate(client, residence)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(named in error["loc"] or named in error["msg"] for error in detail), detail
