"""The regional schéma's targets (agents within their territory, admins): record, list, read, delete. Actual
against target is the dashboards' `objectifs` table."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.auth.dependencies import Agents
from app.auth.exceptions import OutsideTerritory
from app.database import utcnow
from app.dependencies import SessionDep, WriteSessionDep
from app.errors import error_responses
from app.geo.constants import DEPARTEMENT_PATTERN
from app.geo.dependencies import GazetteerDep
from app.targets import service
from app.targets.constants import Indicateur
from app.targets.schemas import ObjectifIn, ObjectifOut
from app.types import IdPath

router = APIRouter(prefix="/schema/objectifs", tags=["schéma régional"])


@router.post("", status_code=201, response_model=ObjectifOut, responses=error_responses(401, 403, 409, 422))
def create_objectif(
    payload: ObjectifIn, principal: Agents, session: WriteSessionDep, gazetteer: GazetteerDep
) -> ObjectifOut:
    """Un objectif du schéma pour un département du territoire de l'agent : l'indicateur (mandataires individuels,
    services, préposés, mesures en cours), la cible, l'échéance, et le point de départ de la trajectoire (par
    défaut aujourd'hui et la valeur du registre). Un seul objectif par département, indicateur et échéance (409)."""
    objectif = service.create_objectif(
        session, principal=principal, gazetteer=gazetteer, payload=payload, today=utcnow().date()
    )
    session.commit()
    return ObjectifOut.model_validate(objectif)


@router.get("", response_model=list[ObjectifOut], responses=error_responses(401, 403, 422))
def list_objectifs(
    principal: Agents,
    session: SessionDep,
    departement: Annotated[str | None, Query(pattern=DEPARTEMENT_PATTERN, description="Code du département")] = None,
    indicateur: Annotated[Indicateur | None, Query(description="Indicateur")] = None,
) -> list[ObjectifOut]:
    """Les objectifs du territoire de l'agent (de toute la France pour un administrateur)."""
    departements = principal.departements
    if departement is not None:
        if not principal.covers_departements({departement}):
            raise OutsideTerritory(f"le département {departement} est hors de votre territoire")
        departements = frozenset({departement})
    objectifs = service.list_objectifs(session, departements=departements, indicateur=indicateur)
    return [ObjectifOut.model_validate(o) for o in objectifs]


@router.get("/{objectif_id}", response_model=ObjectifOut, responses=error_responses(401, 403, 404, 422))
def get_objectif(objectif_id: IdPath, principal: Agents, session: SessionDep) -> ObjectifOut:
    return ObjectifOut.model_validate(service.get_objectif(session, principal=principal, objectif_id=objectif_id))


@router.delete("/{objectif_id}", status_code=204, responses=error_responses(401, 403, 404, 422))
def delete_objectif(objectif_id: IdPath, principal: Agents, session: WriteSessionDep) -> Response:
    service.delete_objectif(session, principal=principal, objectif_id=objectif_id)
    session.commit()
    return Response(status_code=204)
