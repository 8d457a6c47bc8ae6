"""In-memory gazetteer loaded from the committed reference files in `app/geo/data/`.

Pure Python (no FastAPI, no SQLAlchemy): the files are built by `scripts/build_geodata.py`, each read once per
process on its first use (the application reads them all at start-up); lookups are dictionary hits, prefix
searches use a sorted key list, point-in-territory uses a shapely STRtree over the simplified département polygons.
"""

import bisect
import csv
import gzip
import io
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from app.geo.distance import haversine_km

DATA_DIR = Path(__file__).resolve().parent / "data"
# Points this close outside a simplified département outline (coast, border) still belong to it.
BORDER_TOLERANCE_KM = 8.0


def normalize_name(text: str) -> str:
    """Accent-, case- and punctuation-insensitive key: 'Saint-Étienne' -> 'saint etienne'."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    cleaned = "".join(c if c.isalnum() else " " for c in ascii_text)
    return " ".join(cleaned.split())


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    nom: str
    departement: str
    region: str
    codes_postaux: tuple[str, ...]
    population: int
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class BelgianMunicipality:
    nis: str
    nom_fr: str
    nom_nl: str
    codes_postaux: tuple[str, ...]
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Territory:
    code: str
    nom: str
    geometry: BaseGeometry
    region: str | None = None


@dataclass(frozen=True, slots=True)
class TribunalEntry:
    code: str
    siret: str | None
    nom: str
    type: str
    insee: str
    commune: str
    departement: str
    lat: float
    lon: float
    adresse: str
    email: str | None


@dataclass
class NameIndex:
    """Sorted (normalised name, key) pairs answering prefix queries by bisection."""

    entries: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def build(cls, names: dict[str, list[str]]) -> "NameIndex":
        return cls(sorted((normalize_name(name), key) for key, aliases in names.items() for name in aliases))

    def prefix(self, query: str) -> list[str]:
        needle = normalize_name(query)
        start = bisect.bisect_left(self.entries, (needle, ""))
        keys: dict[str, None] = {}
        for name, key in self.entries[start:]:
            if not name.startswith(needle):
                break
            keys[key] = None
        return list(keys)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _read_territories(path: Path) -> dict[str, Territory]:
    with gzip.open(path, "rb") as handle:
        collection = json.load(io.TextIOWrapper(handle, encoding="utf-8"))
    territories = {}
    for feature in collection["features"]:
        props = feature["properties"]
        territories[props["code"]] = Territory(
            code=props["code"], nom=props["nom"], region=props.get("region"), geometry=shape(feature["geometry"])
        )
    return territories


Place = TypeVar("Place", Commune, BelgianMunicipality)


def _codes(value: str) -> tuple[str, ...]:
    return tuple(code for code in value.split("|") if code)


def _by_postcode(places: Iterable[Place]) -> dict[str, list[Place]]:
    by_postcode: dict[str, list[Place]] = {}
    for place in places:
        for code in place.codes_postaux:
            by_postcode.setdefault(code, []).append(place)
    return by_postcode


def _points(
    places: Mapping[str, Commune] | Mapping[str, BelgianMunicipality],
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Keys, latitudes and longitudes side by side, for the vectorised nearest-place search."""
    return list(places), np.array([p.lat for p in places.values()]), np.array([p.lon for p in places.values()])


class Gazetteer:
    """The reference files of `data_dir`, each read on its first use: `mjpm db upgrade` reads the tribunal list
    alone, `mjpm token create` neither the 35 000 communes nor their name index. The application reads everything
    at start (`read_all`), so that no request pays for it."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.data_dir = data_dir

    def read_all(self) -> "Gazetteer":
        """Read every file and build every index now; returns the gazetteer."""
        for name in _PARTS:
            getattr(self, name)
        return self

    @cached_property
    def communes(self) -> dict[str, Commune]:
        return {
            row["insee"]: Commune(
                insee=row["insee"],
                nom=row["nom"],
                departement=row["departement"],
                region=row["region"],
                codes_postaux=_codes(row["codes_postaux"]),
                population=int(row["population"] or 0),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for row in _read_csv(self.data_dir / "communes.csv.gz")
        }

    @cached_property
    def belgian(self) -> dict[str, BelgianMunicipality]:
        return {
            row["nis"]: BelgianMunicipality(
                nis=row["nis"],
                nom_fr=row["nom_fr"],
                nom_nl=row["nom_nl"],
                codes_postaux=_codes(row["codes_postaux"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for row in _read_csv(self.data_dir / "belgique_communes.csv.gz")
        }

    @cached_property
    def tribunaux(self) -> dict[str, TribunalEntry]:
        return {
            row["code"]: TribunalEntry(
                code=row["code"],
                siret=row["siret"] or None,
                nom=row["nom"],
                type=row["type"],
                insee=row["insee"],
                commune=row["commune"],
                departement=row["departement"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                adresse=row["adresse"],
                email=row["email"] or None,
            )
            for row in _read_csv(self.data_dir / "tribunaux.csv.gz")
        }

    @cached_property
    def departements(self) -> dict[str, Territory]:
        return _read_territories(self.data_dir / "departements.geojson.gz")

    @cached_property
    def regions(self) -> dict[str, Territory]:
        return _read_territories(self.data_dir / "regions.geojson.gz")

    @cached_property
    def tribunaux_by_siret(self) -> dict[str, TribunalEntry]:
        return {t.siret: t for t in self.tribunaux.values() if t.siret}

    @cached_property
    def communes_by_postcode(self) -> dict[str, list[Commune]]:
        return _by_postcode(self.communes.values())

    @cached_property
    def belgian_by_postcode(self) -> dict[str, list[BelgianMunicipality]]:
        return _by_postcode(self.belgian.values())

    @cached_property
    def commune_names(self) -> NameIndex:
        return NameIndex.build({c.insee: [c.nom] for c in self.communes.values()})

    @cached_property
    def belgian_names(self) -> NameIndex:
        return NameIndex.build({m.nis: [m.nom_fr, m.nom_nl] for m in self.belgian.values()})

    @cached_property
    def _commune_points(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        return _points(self.communes)

    @cached_property
    def _belgian_points(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        return _points(self.belgian)

    @cached_property
    def _departement_tree(self) -> tuple[list[str], shapely.STRtree]:
        return list(self.departements), shapely.STRtree([d.geometry for d in self.departements.values()])

    def departement_at(self, lat: float, lon: float) -> Territory | None:
        """The département containing the point, or the one whose outline is within the border tolerance."""
        point = shapely.Point(lon, lat)
        codes, tree = self._departement_tree
        hits = tree.query(point, predicate="intersects")
        if len(hits):
            return self.departements[codes[int(min(hits))]]
        nearest = tree.nearest(point)
        if nearest is None:
            return None
        departement = self.departements[codes[int(nearest)]]
        border = nearest_points(departement.geometry, point)[0]
        if float(haversine_km(lat, lon, border.y, border.x)) <= BORDER_TOLERANCE_KM:
            return departement
        return None

    def nearest_commune(self, lat: float, lon: float) -> tuple[Commune, float]:
        keys, lats, lons = self._commune_points
        distances = haversine_km(lat, lon, lats, lons)
        index = int(np.argmin(distances))
        return self.communes[keys[index]], float(distances[index])

    def nearest_belgian_municipality(self, lat: float, lon: float) -> tuple[BelgianMunicipality, float]:
        keys, lats, lons = self._belgian_points
        distances = haversine_km(lat, lon, lats, lons)
        index = int(np.argmin(distances))
        return self.belgian[keys[index]], float(distances[index])

    def tribunal(self, key: str) -> TribunalEntry | None:
        """A tribunal by its SIRET (the stable key) or by its Ministry code."""
        return self.tribunaux_by_siret.get(key) or self.tribunaux.get(key)


# Every part, in the order `read_all` builds them.
_PARTS = [name for name, value in vars(Gazetteer).items() if isinstance(value, cached_property)]


@lru_cache(maxsize=4)
def load_gazetteer(data_dir: Path = DATA_DIR) -> Gazetteer:
    """One per process: the files are read-only reference data, each read once, on first use."""
    return Gazetteer(data_dir)
