"""Optional online geocoding of street addresses through the national address service (off by default).

The service answers GeoJSON (`features[].geometry.coordinates` = [lon, lat], `properties.citycode`,
`properties.score`). Any failure or weak answer falls back to the offline gazetteer: a residence is always
located, at worst with a coarser `precision`.
"""

import logging

import httpx

from app.geo.locate import GazetteerLocator, Loc
from app.geo.schemas import Location, Residence

logger = logging.getLogger(__name__)
# Below this score the service's best match is a guess, not the address asked for.
MIN_SCORE = 0.5


class AddressLocator:
    def __init__(self, offline: GazetteerLocator, client: httpx.Client, search_url: str) -> None:
        self.offline = offline
        self.client = client
        self.search_url = search_url

    def locate(self, residence: Residence, *, loc: Loc = ()) -> Location:
        if residence.pays != "FR" or residence.adresse is None:
            return self.offline.locate(residence, loc=loc)
        point = self._geocode(residence)
        if point is None:
            return self.offline.locate(residence, loc=loc)
        located = self.offline.locate_point(point[0], point[1], loc=loc, field="adresse")
        return located.model_copy(update={"precision": "adresse"})

    def _geocode(self, residence: Residence) -> tuple[float, float] | None:
        params: dict[str, str | int] = {"q": residence.adresse or "", "limit": 1}
        if residence.code_postal:
            params["postcode"] = residence.code_postal
        if residence.insee:
            params["citycode"] = residence.insee
        try:
            response = self.client.get(self.search_url, params=params)
            response.raise_for_status()
            features = response.json().get("features") or []
        except (httpx.HTTPError, ValueError) as error:
            logger.warning("geocoder unavailable, falling back to the gazetteer: %s", error)
            return None
        if not features or float(features[0].get("properties", {}).get("score", 0)) < MIN_SCORE:
            return None
        lon, lat = features[0]["geometry"]["coordinates"][:2]
        return float(lat), float(lon)
