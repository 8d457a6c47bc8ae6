"""Routes of the dashboards, generated from the declared tables: each in JSON, CSV and XLSX under
`/tableaux-de-bord/`, for agents (within their territory) and admins, and the index of the tables."""

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from app.dashboards import etat_des_lieux, service
from app.dashboards.dependencies import COMMON_FILTERS, Agents, PerimetreDep
from app.dashboards.exports import MEDIA_TYPES, Format, attachment, export_response, exported
from app.dashboards.schemas import IndexTableaux, Tableau
from app.dashboards.table import Table
from app.dashboards.tables import TABLES
from app.dependencies import SessionDep, SettingsDep
from app.errors import error_responses
from app.geo.dependencies import GazetteerDep
from app.responses import PreparedJSONResponse

PREFIX = "/tableaux-de-bord"
router = APIRouter(prefix=PREFIX, tags=["tableaux de bord"])
ERRORS = error_responses(401, 403, 422)


@router.get("/index.json", response_model=IndexTableaux, responses=error_responses(401, 403))
def dashboard_index(principal: Agents) -> IndexTableaux:
    """La liste des tableaux, avec leurs colonnes et leurs adresses JSON, CSV et XLSX."""
    return IndexTableaux(filtres_communs=[*COMMON_FILTERS, "debut", "fin"], tableaux=service.index(PREFIX))


@router.get(
    "/etat-des-lieux.xlsx",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPES["xlsx"]: {}}}, **ERRORS},
    summary="État des lieux du territoire (XLSX)",
)
def dashboard_etat_des_lieux_xlsx(
    perimetre: PerimetreDep, session: SessionDep, gazetteer: GazetteerDep, settings: SettingsDep
) -> Response:
    """Les tableaux de l'état des lieux d'un schéma régional, par département, en un classeur : stock et flux
    annuels, implantation des professionnels, charge et ETP, DPF, obligation de préposé, objectifs du schéma ; une
    première feuille dit le territoire, la date, les sources et le contenu de chaque feuille. Mêmes filtres
    communs et même périmètre que les tableaux (une région par `region`)."""
    today = perimetre.today
    _, content = exported(
        partial(etat_des_lieux.tableaux, session, gazetteer=gazetteer, perimetre=perimetre, settings=settings),
        partial(etat_des_lieux.to_workbook, territoire=etat_des_lieux.territoire(gazetteer, perimetre), today=today),
    )
    return attachment(content, "xlsx", etat_des_lieux.nom_fichier(gazetteer, perimetre, today))


def _dependency(table: Table) -> Callable[..., Callable[[], Tableau]]:
    """The table for the request, ready to compute: the common filters resolved against the territory, then the
    table's own. Computed by the route (an export computes it with the collector paused, `export_response`)."""

    # The table's own parameters first: the OpenAPI document lists them first, as it always did.
    def computed(
        parametres: Annotated[dict[str, Any], Depends(table.parametres)],
        perimetre: PerimetreDep,
        session: SessionDep,
        gazetteer: GazetteerDep,
    ) -> Callable[[], Tableau]:
        return partial(service.tableau, table, session, gazetteer=gazetteer, perimetre=perimetre, parametres=parametres)

    return computed


def _json_route(dependency: Callable[..., Callable[[], Tableau]]):
    def endpoint(compute: Annotated[Callable[[], Tableau], Depends(dependency)]) -> PreparedJSONResponse:
        # Validated once, when built (`service.tableau`), then encoded once by pydantic's Rust encoder: the response
        # model would dump, validate and encode again thousands of rows (a quarter of a national table's time).
        tableau = compute()
        return PreparedJSONResponse(tableau.__pydantic_serializer__.to_json(tableau))

    return endpoint


def _export_route(dependency: Callable[..., Callable[[], Tableau]], format: Format):
    def endpoint(compute: Annotated[Callable[[], Tableau], Depends(dependency)]) -> Response:
        return export_response(compute, format, today=date.today())

    return endpoint


for _table in TABLES.values():
    _dependency_of_table = _dependency(_table)
    _name = "dashboard_" + _table.nom.replace("-", "_")
    router.add_api_route(
        f"/{_table.nom}",
        _json_route(_dependency_of_table),
        methods=["GET"],
        response_model=Tableau,
        responses=ERRORS,
        name=_name,
        summary=_table.titre,
        description=_table.description,
    )
    for _format in ("csv", "xlsx"):
        router.add_api_route(
            f"/{_table.nom}.{_format}",
            _export_route(_dependency_of_table, _format),
            methods=["GET"],
            response_class=Response,
            responses={200: {"content": {MEDIA_TYPES[_format].split(";")[0]: {}}}, **ERRORS},
            name=f"{_name}_{_format}",
            summary=f"{_table.titre} ({_format.upper()})",
            description=f"{_table.description} Mêmes filtres que la version JSON.",
        )
