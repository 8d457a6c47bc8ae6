"""Locating a residence: the one resolver that turns a `Residence` into a point, a commune and a territory.

`GazetteerLocator` works offline from the committed reference files; `AddressLocator` adds street-level
precision through an online geocoder when one is configured, and falls back to the gazetteer otherwise.
Errors name the offending field of the residence (`loc` is prefixed by where the residence sits in the request).
"""

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from app.geo.exceptions import (
    GeocodingUnavailable,
    OutsideCoverage,
    UnknownCodePostal,
    UnknownCommune,
    UnknownInsee,
    UnknownNis,
)
from app.geo.gazetteer import BelgianMunicipality, Commune, Gazetteer, normalize_name
from app.geo.schemas import BelgianMunicipalityRef, CommuneRef, Location, Residence, TerritoryRef

Loc = Sequence[str | int]
# A point in the Belgian reference grid must be this close to a municipality's point to count as Belgian.
BELGIAN_POINT_TOLERANCE_KM = 12.0


class Locator(Protocol):
    def locate(self, residence: Residence, *, loc: Loc = ()) -> Location: ...


class GazetteerLocator:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def locate(self, residence: Residence, *, loc: Loc = ()) -> Location:
        if residence.pays == "BE":
            return self._locate_belgian(residence, loc)
        if residence.insee is not None:
            commune = self.gazetteer.communes.get(residence.insee)
            if commune is None:
                raise UnknownInsee(f"code INSEE inconnu : {residence.insee}", loc=[*loc, "insee"])
            return self._french(commune.lat, commune.lon, "commune", commune)
        if residence.code_postal is not None:
            return self._locate_french_postcode(residence.code_postal, residence.commune, loc)
        if residence.lat is not None and residence.lon is not None:
            return self.locate_point(residence.lat, residence.lon, loc=loc)
        raise GeocodingUnavailable(
            "la géolocalisation d'adresse n'est pas activée : donnez insee ou code_postal", loc=[*loc, "adresse"]
        )

    def locate_point(self, lat: float, lon: float, *, loc: Loc = (), field: str = "lat") -> Location:
        departement = self.gazetteer.departement_at(lat, lon)
        if departement is not None:
            commune, _ = self.gazetteer.nearest_commune(lat, lon)
            return self._french(lat, lon, "point", commune, departement_code=departement.code)
        municipality, distance = self.gazetteer.nearest_belgian_municipality(lat, lon)
        if distance <= BELGIAN_POINT_TOLERANCE_KM:
            return self._belgian(lat, lon, "point", municipality)
        raise OutsideCoverage("ce point n'est ni en France (métropole, DROM) ni en Belgique", loc=[*loc, field])

    def _locate_french_postcode(self, code_postal: str, name: str | None, loc: Loc) -> Location:
        communes = self.gazetteer.communes_by_postcode.get(code_postal)
        if not communes:
            raise UnknownCodePostal(f"code postal inconnu : {code_postal}", loc=[*loc, "code_postal"])
        if name is not None:
            wanted = normalize_name(name)
            communes = [c for c in communes if normalize_name(c.nom) == wanted]
            if not communes:
                raise UnknownCommune(
                    f"aucune commune « {name} » pour le code postal {code_postal}", loc=[*loc, "commune"]
                )
        if len(communes) == 1:
            return self._french(communes[0].lat, communes[0].lon, "commune", communes[0])
        lat, lon = weighted_centre(communes)
        main = max(communes, key=lambda c: (c.population, c.insee))
        departement = self.gazetteer.departement_at(lat, lon)
        return self._french(
            lat, lon, "code_postal", None, departement_code=departement.code if departement else main.departement
        )

    def _locate_belgian(self, residence: Residence, loc: Loc) -> Location:
        if residence.nis is not None:
            municipality = self.gazetteer.belgian.get(residence.nis)
            if municipality is None:
                raise UnknownNis(f"code NIS inconnu : {residence.nis}", loc=[*loc, "nis"])
            return self._belgian(municipality.lat, municipality.lon, "commune", municipality)
        assert residence.code_postal is not None
        municipalities = self.gazetteer.belgian_by_postcode.get(residence.code_postal)
        if not municipalities:
            raise UnknownCodePostal(
                f"code postal belge inconnu : {residence.code_postal}",
                loc=[*loc, "code_postal"],
            )
        municipality = min(municipalities, key=lambda m: m.nis)
        return self._belgian(municipality.lat, municipality.lon, "commune", municipality)

    def _french(
        self, lat: float, lon: float, precision: str, commune: Commune | None, *, departement_code: str | None = None
    ) -> Location:
        departement = self.gazetteer.departements[departement_code or commune.departement]  # type: ignore[union-attr]
        region = self.gazetteer.regions.get(departement.region or "")
        return Location(
            pays="FR",
            lat=round(lat, 5),
            lon=round(lon, 5),
            precision=precision,
            commune=CommuneRef(insee=commune.insee, nom=commune.nom) if commune else None,
            departement=TerritoryRef(code=departement.code, nom=departement.nom),
            region=TerritoryRef(code=region.code, nom=region.nom) if region else None,
        )

    @staticmethod
    def _belgian(lat: float, lon: float, precision: str, municipality: BelgianMunicipality) -> Location:
        return Location(
            pays="BE",
            lat=round(lat, 5),
            lon=round(lon, 5),
            precision=precision,
            commune_belge=BelgianMunicipalityRef(
                nis=municipality.nis, nom_fr=municipality.nom_fr, nom_nl=municipality.nom_nl
            ),
        )


def weighted_centre(communes: Sequence[Commune]) -> tuple[float, float]:
    """Population-weighted centre of communes sharing a postcode (plain mean when no population is known)."""
    weights = np.array([c.population for c in communes], dtype=np.float64)
    if weights.sum() <= 0:
        weights = np.ones(len(communes))
    lat = float(np.average([c.lat for c in communes], weights=weights))
    lon = float(np.average([c.lon for c in communes], weights=weights))
    return lat, lon
