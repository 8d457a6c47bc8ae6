"""Reference endpoints: communes, territories, tribunals, Belgian municipalities, and locating a residence."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.errors import error_responses
from app.geo.constants import DEPARTEMENT_PATTERN
from app.geo.dependencies import GazetteerDep, LocatorDep
from app.geo.exceptions import CommuneNotFound
from app.geo.gazetteer import normalize_name
from app.geo.schemas import (
    BelgianMunicipalityOut,
    BelgianMunicipalityPage,
    CommuneOut,
    CommunePage,
    DepartementOut,
    Location,
    RegionOut,
    Residence,
    TribunalOut,
)
from app.types import Offset, Texte

router = APIRouter(prefix="/referentiel", tags=["référentiel"])

Limit = Annotated[int, Query(ge=1, le=100, description="Nombre maximal de résultats")]
DepartementCode = Annotated[str | None, Query(pattern=DEPARTEMENT_PATTERN, description="Code du département")]


@router.get("/communes", response_model=CommunePage)
def search_communes(
    gazetteer: GazetteerDep,
    q: Annotated[
        Texte | None,
        Query(min_length=1, max_length=100, description="Début du nom, sans tenir compte des accents ni de la casse"),
    ] = None,
    code_postal: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    departement: DepartementCode = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> CommunePage:
    if q is not None and normalize_name(q):
        candidates = [gazetteer.communes[insee] for insee in gazetteer.commune_names.prefix(q)]
    elif code_postal is not None:
        candidates = list(gazetteer.communes_by_postcode.get(code_postal, []))
    else:
        candidates = list(gazetteer.communes.values())
    if code_postal is not None:
        candidates = [c for c in candidates if code_postal in c.codes_postaux]
    if departement is not None:
        candidates = [c for c in candidates if c.departement == departement]
    wanted = normalize_name(q) if q else ""
    # Exact names first, then the most populated: "lille" gives Lille before Lillebonne.
    candidates.sort(key=lambda c: (normalize_name(c.nom) != wanted, -c.population, c.insee))
    page = candidates[offset : offset + limit]
    return CommunePage(
        total=len(candidates),
        items=[CommuneOut.model_validate(c) for c in page],
    )


@router.get("/communes/{insee}", response_model=CommuneOut, responses=error_responses(404))
def get_commune(insee: str, gazetteer: GazetteerDep) -> CommuneOut:
    commune = gazetteer.communes.get(insee)
    if commune is None:
        raise CommuneNotFound(f"commune introuvable : {insee}", loc=["path", "insee"])
    return CommuneOut.model_validate(commune)


@router.get("/departements", response_model=list[DepartementOut])
def list_departements(gazetteer: GazetteerDep) -> list[DepartementOut]:
    return [DepartementOut.model_validate(d) for d in sorted(gazetteer.departements.values(), key=lambda d: d.code)]


@router.get("/regions", response_model=list[RegionOut])
def list_regions(gazetteer: GazetteerDep) -> list[RegionOut]:
    return [RegionOut.model_validate(r) for r in sorted(gazetteer.regions.values(), key=lambda r: r.code)]


@router.get("/tribunaux", response_model=list[TribunalOut])
def list_tribunaux(gazetteer: GazetteerDep, departement: DepartementCode = None) -> list[TribunalOut]:
    tribunaux = sorted(gazetteer.tribunaux.values(), key=lambda t: (t.departement, t.nom))
    return [TribunalOut.model_validate(t) for t in tribunaux if departement is None or t.departement == departement]


@router.get("/belgique/communes", response_model=BelgianMunicipalityPage)
def search_belgian_municipalities(
    gazetteer: GazetteerDep,
    q: Annotated[
        Texte | None,
        Query(min_length=1, max_length=100, description="Début du nom français ou néerlandais, ou code postal"),
    ] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> BelgianMunicipalityPage:
    if q is None:
        found = list(gazetteer.belgian.values())
    elif q.isdigit():
        found = [m for m in gazetteer.belgian.values() if any(code.startswith(q) for code in m.codes_postaux)]
    else:
        found = [gazetteer.belgian[nis] for nis in gazetteer.belgian_names.prefix(q)]
    found.sort(key=lambda m: (m.nom_fr, m.nis))
    return BelgianMunicipalityPage(
        total=len(found),
        items=[BelgianMunicipalityOut.model_validate(m) for m in found[offset : offset + limit]],
    )


@router.post("/localiser", response_model=Location, responses=error_responses(422))
def locate_residence(residence: Residence, locator: LocatorDep) -> Location:
    """Resolve a residence (France or Belgium) to a point, a commune and a territory, with its precision."""
    return locator.locate(residence, loc=["body"])
