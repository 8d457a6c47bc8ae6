"""Who may simulate (agents and admins, as for the dashboards) and on which territory: the filters resolved
against the caller's own, by the dashboards' one resolver (403 `hors_territoire` outside it)."""

from typing import Annotated

from fastapi import Depends, Query

from app.auth.dependencies import Agents
from app.dashboards.perimeter import Filtres, resolve_perimetre
from app.database import utcnow
from app.dependencies import SessionDep
from app.geo.constants import DEPARTEMENT_PATTERN
from app.geo.dependencies import GazetteerDep


def territoire(
    principal: Agents,
    session: SessionDep,
    gazetteer: GazetteerDep,
    region: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Code INSEE de la région simulée")] = None,
    departement: Annotated[
        str | None, Query(pattern=DEPARTEMENT_PATTERN, description="Code du département simulé")
    ] = None,
) -> frozenset[str]:
    """The départements simulated: those of the filter, by default the caller's whole territory."""
    perimetre = resolve_perimetre(
        session, gazetteer, principal, Filtres(region=region, departement=departement), now=utcnow()
    )
    return frozenset(perimetre.codes(gazetteer))


TerritoireDep = Annotated[frozenset[str], Depends(territoire)]
