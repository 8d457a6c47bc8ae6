"""`/planification/`: simulations of the offer for agents (within their territory) and admins. Nothing is
written: the simulation runs in memory over a snapshot of the registry."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.database import utcnow
from app.dependencies import SessionDep, SettingsDep
from app.errors import error_responses
from app.geo.dependencies import GazetteerDep
from app.planning import exports, flows, service
from app.planning.dependencies import TerritoireDep
from app.planning.schemas import (
    ComparaisonIn,
    ComparaisonOut,
    ImplantationsIn,
    ImplantationsOut,
    SimulationIn,
    SimulationOut,
)

router = APIRouter(prefix="/planification", tags=["planification"])
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "png": "image/png"}


@router.post(
    "/simulations",
    response_model=SimulationOut,
    responses={200: {"content": {"text/csv": {}, "image/png": {}}}, **error_responses(401, 403, 422)},
)
def simulate(
    parametres: SimulationIn,
    territoire: TerritoireDep,
    session: SessionDep,
    gazetteer: GazetteerDep,
    settings: SettingsDep,
    format: Annotated[
        Literal["json", "csv", "png"], Query(description="json ; csv : le tableau ; png : son graphique")
    ] = "json",
):
    """Simule les désignations des prochaines années sur le territoire (par défaut, tout celui de l'appelant) :
    arrivées tirées de la population des communes et de la répartition observée l'an passé, clôtures au taux
    observé, chaque arrivée désignée par chaque stratégie. Le registre n'est pas modifié."""
    simulation = service.run_simulation(
        session, gazetteer=gazetteer, settings=settings, departements=territoire, parametres=parametres, now=utcnow()
    )
    if format == "csv":
        return Response(exports.csv_bytes(simulation), media_type=MEDIA_TYPES["csv"])
    if format == "png":
        return Response(exports.png_bytes(simulation), media_type=MEDIA_TYPES["png"])
    return simulation


@router.post("/implantations", response_model=ImplantationsOut, responses=error_responses(401, 403, 422))
def propose_placements(
    parametres: ImplantationsIn,
    territoire: TerritoireDep,
    session: SessionDep,
    gazetteer: GazetteerDep,
    settings: SettingsDep,
) -> dict:
    """Propose les communes où `nombre` nouveaux professionnels de `capacite` places réduiraient le plus les
    arrivées d'un an sans place libre à moins de `norme_km` (dans la meilleure répartition des places libres),
    puis la distance moyenne, et simule leur effet (offre actuelle et scénario, mêmes arrivées). Le registre
    n'est pas modifié."""
    return flows.propose(
        session, gazetteer=gazetteer, settings=settings, departements=territoire, parametres=parametres, now=utcnow()
    )


@router.post("/scenarios/comparaison", response_model=ComparaisonOut, responses=error_responses(401, 403, 422))
def compare_scenario(
    parametres: ComparaisonIn,
    territoire: TerritoireDep,
    session: SessionDep,
    gazetteer: GazetteerDep,
    settings: SettingsDep,
) -> dict:
    """Simule l'offre actuelle et celle du scénario (professionnels ajoutés dans des communes, retirés ou
    plafonnés ; autre croissance) sur les mêmes arrivées, côte à côte. Le registre n'est pas modifié."""
    return flows.compare(
        session, gazetteer=gazetteer, settings=settings, departements=territoire, parametres=parametres, now=utcnow()
    )
