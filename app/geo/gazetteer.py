"""In-memory gazetteer loaded from the committed reference files in `app/geo/data/`.

Pure Python (no FastAPI, no SQLAlchemy): the files are built by `scripts/build_geodata.py` and loaded once
at start-up; lookups are dictionary hits, prefix searches use a sorted key list, point-in-territory uses a
shapely STRtree over the simplified département polygons.
"""

import bisect
import csv
import gzip
import io
import json
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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


def _codes(value: str) -> tuple[str, ...]:
    return tuple(code for code in value.split("|") if code)


class Gazetteer:
    def __init__(
        self,
        communes: list[Commune],
        departements: dict[str, Territory],
        regions: dict[str, Territory],
        belgian: list[BelgianMunicipality],
        tribunaux: list[TribunalEntry],
    ) -> None:
        self.communes = {c.insee: c for c in communes}
        self.departements = departements
        self.regions = regions
        self.belgian = {m.nis: m for m in belgian}
        self.tribunaux = {t.code: t for t in tribunaux}
        self.tribunaux_by_siret = {t.siret: t for t in tribunaux if t.siret}

        self.communes_by_postcode: dict[str, list[Commune]] = {}
        for commune in communes:
            for code in commune.codes_postaux:
                self.communes_by_postcode.setdefault(code, []).append(commune)
        self.belgian_by_postcode: dict[str, list[BelgianMunicipality]] = {}
        for municipality in belgian:
            for code in municipality.codes_postaux:
                self.belgian_by_postcode.setdefault(code, []).append(municipality)

        self.commune_names = NameIndex.build({c.insee: [c.nom] for c in communes})
        self.belgian_names = NameIndex.build({m.nis: [m.nom_fr, m.nom_nl] for m in belgian})

        self._commune_keys = list(self.communes)
        self._commune_lats = np.array([c.lat for c in communes])
        self._commune_lons = np.array([c.lon for c in communes])
        self._belgian_keys = list(self.belgian)
        self._belgian_lats = np.array([m.lat for m in belgian])
        self._belgian_lons = np.array([m.lon for m in belgian])
        self._departement_codes = list(departements)
        self._departement_tree = shapely.STRtree([d.geometry for d in departements.values()])

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> "Gazetteer":
        communes = [
            Commune(
                insee=row["insee"],
                nom=row["nom"],
                departement=row["departement"],
                region=row["region"],
                codes_postaux=_codes(row["codes_postaux"]),
                population=int(row["population"] or 0),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for row in _read_csv(data_dir / "communes.csv.gz")
        ]
        belgian = [
            BelgianMunicipality(
                nis=row["nis"],
                nom_fr=row["nom_fr"],
                nom_nl=row["nom_nl"],
                codes_postaux=_codes(row["codes_postaux"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for row in _read_csv(data_dir / "belgique_communes.csv.gz")
        ]
        tribunaux = [
            TribunalEntry(
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
            for row in _read_csv(data_dir / "tribunaux.csv.gz")
        ]
        return cls(
            communes=communes,
            departements=_read_territories(data_dir / "departements.geojson.gz"),
            regions=_read_territories(data_dir / "regions.geojson.gz"),
            belgian=belgian,
            tribunaux=tribunaux,
        )

    def departement_at(self, lat: float, lon: float) -> Territory | None:
        """The département containing the point, or the one whose outline is within the border tolerance."""
        point = shapely.Point(lon, lat)
        hits = self._departement_tree.query(point, predicate="intersects")
        if len(hits):
            return self.departements[self._departement_codes[int(min(hits))]]
        nearest = self._departement_tree.nearest(point)
        if nearest is None:
            return None
        departement = self.departements[self._departement_codes[int(nearest)]]
        border = nearest_points(departement.geometry, point)[0]
        if float(haversine_km(lat, lon, border.y, border.x)) <= BORDER_TOLERANCE_KM:
            return departement
        return None

    def nearest_commune(self, lat: float, lon: float) -> tuple[Commune, float]:
        distances = haversine_km(lat, lon, self._commune_lats, self._commune_lons)
        index = int(np.argmin(distances))
        return self.communes[self._commune_keys[index]], float(distances[index])

    def nearest_belgian_municipality(self, lat: float, lon: float) -> tuple[BelgianMunicipality, float]:
        distances = haversine_km(lat, lon, self._belgian_lats, self._belgian_lons)
        index = int(np.argmin(distances))
        return self.belgian[self._belgian_keys[index]], float(distances[index])

    def tribunal(self, key: str) -> TribunalEntry | None:
        """A tribunal by its SIRET (the stable key) or by its Ministry code."""
        return self.tribunaux_by_siret.get(key) or self.tribunaux.get(key)


@lru_cache(maxsize=4)
def load_gazetteer(data_dir: Path = DATA_DIR) -> Gazetteer:
    """Loaded once per process: the files are read-only reference data."""
    return Gazetteer.load(data_dir)
