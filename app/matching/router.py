"""`POST /match`, `POST /match/explain` and the per-département weights."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from app.auth.constants import STATE_AND_JUDGE_ROLES
from app.auth.dependencies import Admins, Judges, require_roles
from app.auth.principal import Principal
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.errors import error_responses
from app.geo.constants import DEPARTEMENT_PATTERN
from app.geo.dependencies import GazetteerDep, LocatorDep
from app.geo.exceptions import UnknownDepartement
from app.matching import service
from app.matching.dependencies import IndexCacheDep
from app.matching.schemas import ExplainRequest, ExplainResponse, MatchRequest, MatchResponse, WeightsIn, WeightsOut
from app.responses import PreparedJSONResponse

router = APIRouter(prefix="/match", tags=["matching"])

Readers = Annotated[Principal, Depends(require_roles(*STATE_AND_JUDGE_ROLES))]
Departement = Annotated[str, Path(pattern=DEPARTEMENT_PATTERN)]


@router.post("", response_model=MatchResponse, responses=error_responses(401, 403, 422))
def match(
    payload: MatchRequest,
    principal: Judges,
    session: SessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    locator: LocatorDep,
    cache: IndexCacheDep,
) -> PreparedJSONResponse:
    """Ranked, explained shortlist of professionals for a new measure; the answer is stored (`match_id`)."""
    # Read and stored by statements that each commit on their own (`run_match(aside=True)`): on SQLite the write
    # lock is held by the record's INSERT alone.
    answer = service.run_match(
        session,
        cache=cache,
        settings=settings,
        principal=principal,
        gazetteer=gazetteer,
        locator=locator,
        payload=payload,
        aside=True,
    )
    # Its connection goes back to the pool here, in this thread: the session dependency then ends on the event loop
    # without another thread-pool trip.
    session.close()
    return PreparedJSONResponse(answer.encoded)  # the stored answer, sent as it was stored


@router.post("/explain", response_model=ExplainResponse, responses=error_responses(401, 403, 404, 422))
def explain(
    payload: ExplainRequest,
    principal: Judges,
    session: SessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    locator: LocatorDep,
    cache: IndexCacheDep,
) -> ExplainResponse:
    """Why one professional is, or is not, on the shortlist of this request, with the same components."""
    return service.explain_match(
        session,
        cache=cache,
        settings=settings,
        principal=principal,
        gazetteer=gazetteer,
        locator=locator,
        payload=payload,
    )


@router.get("/poids/{departement}", response_model=WeightsOut, responses=error_responses(401, 403, 422))
def get_weights(
    departement: Departement, principal: Readers, session: SessionDep, settings: SettingsDep, gazetteer: GazetteerDep
) -> WeightsOut:
    _known(departement, gazetteer)
    return service.get_weights(session, settings=settings, departement=departement)


@router.put("/poids/{departement}", response_model=WeightsOut, responses=error_responses(401, 403, 422))
def set_weights(
    departement: Departement, payload: WeightsIn, principal: Admins, session: WriteSessionDep, gazetteer: GazetteerDep
) -> WeightsOut:
    """Override the score weights for one département (administrators; a request can never set its own)."""
    _known(departement, gazetteer)
    weights = service.set_weights(session, principal=principal, departement=departement, payload=payload)
    session.commit()
    return weights


def _known(departement: str, gazetteer) -> None:
    if departement not in gazetteer.departements:
        raise UnknownDepartement(f"département inconnu : {departement}", loc=["path", "departement"])
