"""The dashboards' request dependencies: who may read them, the common filters resolved against the territory,
and the `par` parameter several tables share."""

from typing import Annotated, Any

from fastapi import Depends, Query

from app.auth.dependencies import Agents
from app.dashboards.folding import Par
from app.dashboards.perimeter import Filtres, Perimetre, resolve_perimetre
from app.database import utcnow
from app.dependencies import SessionDep
from app.geo.constants import DEPARTEMENT_PATTERN
from app.geo.dependencies import GazetteerDep
from app.registry.constants import MandataireType
from app.types import DateISO, Texte

COMMON_FILTERS = ["region", "departement", "tribunal", "type"]


def perimetre(
    principal: Agents,
    session: SessionDep,
    gazetteer: GazetteerDep,
    region: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Code INSEE de la région")] = None,
    departement: Annotated[str | None, Query(pattern=DEPARTEMENT_PATTERN, description="Code du département")] = None,
    tribunal: Annotated[
        Texte | None, Query(min_length=3, max_length=20, description="SIRET ou code du tribunal")
    ] = None,
    type: Annotated[MandataireType | None, Query(description="Type de professionnel")] = None,
    debut: Annotated[DateISO | None, Query(description="Début de la période (tableaux de flux)")] = None,
    fin: Annotated[DateISO | None, Query(description="Fin de la période, incluse (tableaux de flux)")] = None,
) -> Perimetre:
    filtres = Filtres(region=region, departement=departement, tribunal=tribunal, type=type, debut=debut, fin=fin)
    return resolve_perimetre(session, gazetteer, principal, filtres, now=utcnow())


PerimetreDep = Annotated[Perimetre, Depends(perimetre)]


def par_territoire(
    par: Annotated[Par, Query(description="Regrouper par département ou par région")] = "departement",
) -> dict[str, Any]:
    return {"par": par}
