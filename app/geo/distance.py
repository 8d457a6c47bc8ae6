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
    half_dphi = (phi2 - phi1) / 2.0
    half_dlam = (lam2 - lam1) / 2.0
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlam) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
