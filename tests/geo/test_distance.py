import numpy as np
from geopy.distance import geodesic, great_circle
from hypothesis import given
from hypothesis import strategies as st

from app.geo.distance import haversine_km, nearest_km

latitudes = st.floats(min_value=-89, max_value=89, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)


@given(latitudes, longitudes, latitudes, longitudes)
def test_haversine_agrees_with_geopy_great_circle(lat1, lon1, lat2, lon2):
    expected = great_circle((lat1, lon1), (lat2, lon2)).km
    assert abs(float(haversine_km(lat1, lon1, lat2, lon2)) - expected) < 1e-6


def test_haversine_is_close_to_the_ellipsoid_in_france():
    # Lille -> Marseille: the sphere is within 0.5 % of the WGS84 geodesic.
    lille, marseille = (50.6319, 3.0575), (43.2965, 5.3698)
    assert (
        abs(float(haversine_km(*lille, *marseille)) - geodesic(lille, marseille).km)
        < 0.005 * geodesic(lille, marseille).km
    )


def test_haversine_is_vectorised_over_many_points():
    lats = np.array([50.6319, 48.8566, 43.2965])
    lons = np.array([3.0575, 2.3522, 5.3698])
    distances = haversine_km(48.8566, 2.3522, lats, lons)
    assert distances.shape == (3,)
    assert distances[1] == 0
    for lat, lon, distance in zip(lats, lons, distances, strict=True):
        assert abs(distance - great_circle((48.8566, 2.3522), (lat, lon)).km) < 1e-6


def test_nearest_site_is_the_minimum_of_the_distances_bit_for_bit():
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(41, 51, 500), rng.uniform(-5, 9, 500)
    site_lat, site_lon = rng.uniform(41, 51, 37), rng.uniform(-5, 9, 37)
    expected = haversine_km(lat[:, None], lon[:, None], site_lat[None, :], site_lon[None, :]).min(axis=1)
    assert np.array_equal(nearest_km(lat, lon, site_lat, site_lon), expected)
    # A point on a site is at 0 km; without any site every point is out of reach.
    assert nearest_km(site_lat[:1], site_lon[:1], site_lat, site_lon)[0] == 0.0
    assert np.isinf(nearest_km(lat, lon, np.zeros(0), np.zeros(0))).all()
