"""Routes of the dashboards: each table in JSON, CSV and XLSX under `/tableaux-de-bord/`, for agents (within
their territory) and admins. Thin: parse the filters, resolve them against the territory, call the service."""

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.auth.constants import Role
from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.dashboards import service
from app.dashboards.exports import MEDIA_TYPES, Format, export_response
from app.dashboards.schemas import IndexTableaux, Tableau
from app.dashboards.service import Filtres, Par, ParFraicheur, Perimetre
from app.database import utcnow
from app.dependencies import SessionDep
from app.errors import error_responses
from app.geo.dependencies import GazetteerDep
from app.registry.constants import MandataireType, Nature

PREFIX = "/tableaux-de-bord"
router = APIRouter(prefix=PREFIX, tags=["tableaux de bord"])

Agents = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.AGENT))]
ERRORS = error_responses(401, 403, 422)
COMMON_FILTERS = ["region", "departement", "tribunal", "type"]


def perimetre(
    principal: Agents,
    session: SessionDep,
    gazetteer: GazetteerDep,
    region: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Code INSEE de la région")] = None,
    departement: Annotated[
        str | None, Query(pattern=r"^(\d{2}|2[AB]|97[1-6])$", description="Code du département")
    ] = None,
    tribunal: Annotated[str | None, Query(min_length=3, max_length=20, description="SIRET ou code du tribunal")] = None,
    type: Annotated[MandataireType | None, Query(description="Type de professionnel")] = None,
    debut: Annotated[date | None, Query(description="Début de la période (tableaux de flux)")] = None,
    fin: Annotated[date | None, Query(description="Fin de la période, incluse (tableaux de flux)")] = None,
) -> Perimetre:
    filtres = Filtres(region=region, departement=departement, tribunal=tribunal, type=type, debut=debut, fin=fin)
    return service.resolve_perimetre(session, gazetteer, principal, filtres, now=utcnow())


PerimetreDep = Annotated[Perimetre, Depends(perimetre)]
ParQuery = Annotated[Par, Query(description="Regrouper par département ou par région")]


# --- one dependency per table: the filters in, the table out ---------------------------------------------


def charge_table(perimetre: PerimetreDep, session: SessionDep, gazetteer: GazetteerDep, par: ParQuery = "departement"):
    return service.charge(session, gazetteer=gazetteer, perimetre=perimetre, par=par)


def tension_table(perimetre: PerimetreDep, session: SessionDep, gazetteer: GazetteerDep, par: ParQuery = "departement"):
    return service.tension(session, gazetteer=gazetteer, perimetre=perimetre, par=par)


def couverture_table(
    perimetre: PerimetreDep,
    session: SessionDep,
    gazetteer: GazetteerDep,
    nature: Annotated[Nature, Query(description="Nature de la mesure")] = Nature.CURATELLE_RENFORCEE,
    distance_km: Annotated[float, Query(gt=0, le=300, description="Distance à vol d'oiseau, en km")] = 60,
):
    return service.couverture(session, gazetteer=gazetteer, perimetre=perimetre, nature=nature, distance_km=distance_km)


def histogramme_table(perimetre: PerimetreDep, session: SessionDep):
    return service.histogramme_individuels(session, perimetre=perimetre)


def flux_table(perimetre: PerimetreDep, session: SessionDep):
    return service.flux(session, perimetre=perimetre)


def belgique_table(perimetre: PerimetreDep, session: SessionDep, gazetteer: GazetteerDep):
    return service.belgique(session, gazetteer=gazetteer, perimetre=perimetre)


def fraicheur_table(
    perimetre: PerimetreDep,
    session: SessionDep,
    gazetteer: GazetteerDep,
    par: Annotated[
        ParFraicheur, Query(description="Par département, par région, ou la liste des professionnels")
    ] = "departement",
):
    return service.fraicheur(session, gazetteer=gazetteer, perimetre=perimetre, par=par)


def preposes_table(perimetre: PerimetreDep, session: SessionDep, gazetteer: GazetteerDep):
    return service.preposes(session, gazetteer=gazetteer, perimetre=perimetre)


TABLE_DEPENDENCIES: dict[str, Callable[..., Tableau]] = {
    "charge": charge_table,
    "tension": tension_table,
    "couverture": couverture_table,
    "histogramme-individuels": histogramme_table,
    "flux": flux_table,
    "belgique": belgique_table,
    "fraicheur": fraicheur_table,
    "preposes": preposes_table,
}


@router.get("/index.json", response_model=IndexTableaux, responses=error_responses(401, 403))
def dashboard_index(principal: Agents) -> IndexTableaux:
    """La liste des tableaux, avec leurs adresses JSON, CSV et XLSX."""
    return IndexTableaux(filtres_communs=[*COMMON_FILTERS, "debut", "fin"], tableaux=service.index(PREFIX))


def _json_route(dependency: Callable[..., Tableau]):
    def endpoint(tableau: Annotated[Tableau, Depends(dependency)]) -> Tableau:
        return tableau

    return endpoint


def _export_route(dependency: Callable[..., Tableau], format: Format):
    def endpoint(tableau: Annotated[Tableau, Depends(dependency)]) -> Response:
        return export_response(tableau, format, today=date.today())

    return endpoint


for _nom, _dependency in TABLE_DEPENDENCIES.items():
    _spec = service.TABLES[_nom]
    _name = "dashboard_" + _nom.replace("-", "_")
    router.add_api_route(
        f"/{_nom}",
        _json_route(_dependency),
        methods=["GET"],
        response_model=Tableau,
        responses=ERRORS,
        name=_name,
        summary=_spec.titre,
        description=_spec.description,
    )
    for _format in ("csv", "xlsx"):
        router.add_api_route(
            f"/{_nom}.{_format}",
            _export_route(_dependency, _format),
            methods=["GET"],
            response_class=Response,
            responses={200: {"content": {MEDIA_TYPES[_format].split(";")[0]: {}}}, **ERRORS},
            name=f"{_name}_{_format}",
            summary=f"{_spec.titre} ({_format.upper()})",
            description=f"{_spec.description} Mêmes filtres que la version JSON.",
        )
