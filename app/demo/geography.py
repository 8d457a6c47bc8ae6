"""The territory a demo register covers: its départements' communes by population, each commune's tribunal
(the nearest seat of its département), neighbouring départements and the Belgian municipalities.

Pure: no random draw, so the territory is the same for every seed.
"""

from dataclasses import dataclass

import numpy as np

from app.demo.draws import Picker
from app.demo.tunables import NEIGHBOUR_KM, TOWN_POPULATION, ScaleTargets
from app.geo.distance import haversine_km
from app.geo.gazetteer import BelgianMunicipality, Commune, Gazetteer


@dataclass(frozen=True, slots=True)
class DepartementData:
    code: str
    nom: str
    region: str | None
    communes: list[Commune]
    lats: np.ndarray
    lons: np.ndarray
    populations: np.ndarray
    tribunals: np.ndarray  # tribunal id of each commune (the nearest seat of its département)
    picker: Picker  # communes by population
    towns: Picker  # communes of 3 000 inhabitants or more, by population (service offices, hospitals)
    centroid: tuple[float, float]


@dataclass(frozen=True, slots=True)
class Geography:
    tribunals_by_departement: dict[str, list[tuple[int, float, float]]]  # (id, lat, lon) by département
    departements: dict[str, DepartementData]
    commune_tribunal: dict[str, int]  # tribunal id by INSEE code
    neighbours: dict[str, list[str]]  # départements whose centroid is near, nearest first
    belgian: list[BelgianMunicipality]
    belgian_lats: np.ndarray
    belgian_lons: np.ndarray


def build_geography(gazetteer: Gazetteer, targets: ScaleTargets, tribunals: list[tuple[int, str, str]]) -> Geography:
    """`tribunals` are the rows (id, code, département) of the tribunal table."""
    tribunals_by_departement: dict[str, list[tuple[int, float, float]]] = {}
    for tribunal_id, code, departement in sorted(tribunals, key=lambda t: t[1]):
        entry = gazetteer.tribunaux.get(code)
        if entry is not None:
            tribunals_by_departement.setdefault(departement, []).append((tribunal_id, entry.lat, entry.lon))

    codes = sorted(
        code
        for code, territory in gazetteer.departements.items()
        if targets.region is None or territory.region == targets.region
    )
    communes_by_departement: dict[str, list[Commune]] = {code: [] for code in codes}
    for insee in sorted(gazetteer.communes):
        commune = gazetteer.communes[insee]
        if commune.departement in communes_by_departement:
            communes_by_departement[commune.departement].append(commune)
    departements: dict[str, DepartementData] = {}
    for code in codes:
        communes = communes_by_departement[code]
        seats_here = tribunals_by_departement.get(code)
        if not communes:
            continue
        if not seats_here:
            raise ValueError(f"aucun tribunal en base pour le département {code} : lancez d'abord `mjpm db upgrade`")
        lats = np.array([c.lat for c in communes])
        lons = np.array([c.lon for c in communes])
        populations = np.array([float(c.population) for c in communes])
        seats = np.array([(lat, lon) for _, lat, lon in seats_here])
        distances = haversine_km(lats[:, None], lons[:, None], seats[None, :, 0], seats[None, :, 1])
        tribunal_ids = np.array([t[0] for t in seats_here])[distances.argmin(axis=1)]
        territory = gazetteer.departements[code]
        centroid = territory.geometry.centroid
        departements[code] = DepartementData(
            code=code,
            nom=territory.nom,
            region=territory.region,
            communes=communes,
            lats=lats,
            lons=lons,
            populations=populations,
            tribunals=tribunal_ids,
            picker=Picker(communes, populations),
            towns=Picker(communes, np.where(populations >= TOWN_POPULATION, populations, 0.0))
            if (populations >= TOWN_POPULATION).any()
            else Picker(communes, populations),
            centroid=(centroid.y, centroid.x),
        )
    commune_tribunal = {
        c.insee: int(t) for d in departements.values() for c, t in zip(d.communes, d.tribunals, strict=True)
    }
    neighbours: dict[str, list[str]] = {}
    for code, data in departements.items():
        near = []
        for other, other_data in departements.items():
            if other != code:
                km = float(haversine_km(*data.centroid, *other_data.centroid))
                if km <= NEIGHBOUR_KM:
                    near.append((km, other))
        neighbours[code] = [other for _, other in sorted(near)]
    belgian = [gazetteer.belgian[nis] for nis in sorted(gazetteer.belgian)]
    return Geography(
        tribunals_by_departement=tribunals_by_departement,
        departements=departements,
        commune_tribunal=commune_tribunal,
        neighbours=neighbours,
        belgian=belgian,
        belgian_lats=np.array([m.lat for m in belgian]),
        belgian_lons=np.array([m.lon for m in belgian]),
    )
