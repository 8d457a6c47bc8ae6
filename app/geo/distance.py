"""Great-circle distances in kilometres: the one distance function of the service.

e-MJPM measured distances in Web Mercator metres (1.4-1.6 times too long in France); we use the haversine
formula on the mean Earth radius, vectorised with numpy so that one residence can be compared with every
professional's sites at once.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Mean Earth radius (IUGG), as geopy rounds it for its great_circle.
EARTH_RADIUS_KM = 6371.009


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64]:
    """Distance in km between points given in degrees; arguments broadcast like numpy arrays."""
    phi1, lam1, phi2, lam2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lon1, lat2, lon2))
    return _km(np.clip(_haversine_term(phi1, lam1, phi2, lam2), 0.0, 1.0))


def nearest_km(lat: ArrayLike, lon: ArrayLike, site_lat: ArrayLike, site_lon: ArrayLike) -> NDArray[np.float64]:
    """Distance in km from each point to the nearest site (inf without sites), points and sites in degrees.

    The same figures as the minimum of `haversine_km` over the sites, bit for bit: the distance grows with the
    haversine term, so the minimum is taken on that term (clipping and the conversion keep the order) and only the
    minima are turned into kilometres. The point × site matrix is bounded (about two million cells at a time)."""
    phi, lam = np.radians(np.asarray(lat, dtype=np.float64)), np.radians(np.asarray(lon, dtype=np.float64))
    site_phi = np.radians(np.asarray(site_lat, dtype=np.float64))
    site_lam = np.radians(np.asarray(site_lon, dtype=np.float64))
    nearest = np.full(len(phi), np.inf)
    if len(site_phi) == 0:
        return nearest
    step = max(1, 2_000_000 // len(site_phi))
    for start in range(0, len(phi), step):
        end = start + step
        term = _haversine_term(phi[start:end, None], lam[start:end, None], site_phi[None, :], site_lam[None, :])
        nearest[start:end] = _km(np.clip(term.min(axis=1), 0.0, 1.0))
    return nearest


def _haversine_term(phi1: NDArray, lam1: NDArray, phi2: NDArray, lam2: NDArray) -> NDArray[np.float64]:
    """The haversine term of two points in radians (rounding can leave it just outside [0, 1]: clip it)."""
    half_dphi = (phi2 - phi1) / 2.0
    half_dlam = (lam2 - lam1) / 2.0
    return np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlam) ** 2


def _km(term: NDArray[np.float64]) -> NDArray[np.float64]:
    """Kilometres of a clipped haversine term."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(term))
