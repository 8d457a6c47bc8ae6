"""e-MJPM's vendor API ("API éditeurs") at its paths, verbs, payloads, status codes and answers: a vendor's
client written for e-MJPM works by changing its base URL. Thin: check the content type, call the service,
commit, answer. Refusals answer e-MJPM's `{"errors": [...]}` (its messages), and write nothing."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.editors import service
from app.editors.dependencies import EditorCaller
from app.editors.exceptions import EditorRefusal, refusal
from app.editors.presenters import antenne_out, tribunal_out
from app.editors.service import Context
from app.errors import error_responses
from app.geo.dependencies import GazetteerDep, LocatorDep
from app.types import IdPath

router = APIRouter(prefix="/api/editors", tags=["API éditeurs (compatible e-MJPM)"])

REFUSED = {
    422: {"description": 'Refusé : `{"errors": [{"msg", "param", "value", "location"}]}`, comme e-MJPM'},
    **error_responses(401, 403, 429),
}
WITH_BODY = {**REFUSED, 400: {"description": "Corps qui n'est pas du JSON (`Content-Type`), comme e-MJPM"}}
NOT_FOUND = {**REFUSED, 404: {"description": 'Mesure inconnue de ce mandataire : `{"errors": [...]}`'}}
Payload = Annotated[Any, Body(description="Une mesure au format de l'API éditeurs d'e-MJPM")]


async def json_body(request: Request) -> None:
    """e-MJPM's content-type check: 400 in its shape."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise EditorRefusal([refusal("The content-type must be 'application/json'")], status_code=400)


def read_context(
    caller: EditorCaller, session: SessionDep, gazetteer: GazetteerDep, locator: LocatorDep, settings: SettingsDep
) -> Context:
    return Context(session, gazetteer, locator, settings, caller)


def write_context(
    caller: EditorCaller, session: WriteSessionDep, gazetteer: GazetteerDep, locator: LocatorDep, settings: SettingsDep
) -> Context:
    return Context(session, gazetteer, locator, settings, caller)


# The professional called for, with the session and reference data (the write session for a route that writes).
ReadContext = Annotated[Context, Depends(read_context)]
WriteContext = Annotated[Context, Depends(write_context)]


@router.get("/mesures", responses=REFUSED)
def editor_list_mesures(
    ctx: ReadContext,
    status: Annotated[str | None, Query(description="en_attente, en_cours ou eteinte")] = None,
) -> JSONResponse:
    """The professional's measures (`{"mesures": [...]}`), of one `status` if given."""
    return JSONResponse({"mesures": service.listing(ctx, status)})


@router.post("/mesures", status_code=201, responses=WITH_BODY, dependencies=[Depends(json_body)])
def editor_create_mesure(body: Payload, ctx: WriteContext) -> JSONResponse:
    """One measure (201 with it, as stored). Its current state is the latest of `etats`; `strictNumeroRG` asks
    for an RG number of exactly 8 uppercase letters or digits."""
    answer = service.create(ctx, body)
    ctx.session.commit()
    return JSONResponse(answer, status_code=201)


@router.post("/mesures/batch", status_code=201, responses=WITH_BODY, dependencies=[Depends(json_body)])
def editor_batch_mesures(
    body: Annotated[Any, Body(description='`{"mesures": [...], "strictNumeroRG": false}`, au plus 1 000')],
    ctx: WriteContext,
) -> JSONResponse:
    """Up to 1 000 measures in one transaction (all or nothing), upserted on (tribunal, RG number), the same
    engine as `POST /mesures/lot`; 201 with `{"mesures": [...]}`. An empty batch answers an empty list."""
    answer = service.batch(ctx, body)
    ctx.session.commit()
    return JSONResponse({"mesures": answer}, status_code=201)


@router.get("/mesures/{mesure_id}", responses=NOT_FOUND)
def editor_get_mesure(mesure_id: IdPath, ctx: ReadContext) -> JSONResponse:
    return JSONResponse(service.get(ctx, mesure_id))


@router.put("/mesures/{mesure_id}", status_code=201, responses=WITH_BODY, dependencies=[Depends(json_body)])
def editor_update_mesure(mesure_id: IdPath, body: Payload, ctx: WriteContext) -> JSONResponse:
    """The measure restated (201 with it, as e-MJPM answers)."""
    answer = service.update(ctx, mesure_id, body)
    ctx.session.commit()
    return JSONResponse(answer, status_code=201)


@router.delete("/mesures/{mesure_id}", responses=REFUSED)
def editor_delete_mesure(mesure_id: IdPath, ctx: WriteContext) -> JSONResponse:
    """`{"affected_rows": 1}`, or 0 when the professional has no such measure."""
    count = service.delete_one(ctx, mesure_id)
    ctx.session.commit()
    return JSONResponse({"affected_rows": count})


@router.delete("/mesures", responses=REFUSED)
def editor_delete_mesures(ctx: WriteContext) -> JSONResponse:
    """Every measure of the professional (but those a judge reserved and still awaiting its answer)."""
    count = service.delete_all(ctx)
    ctx.session.commit()
    return JSONResponse({"affected_rows": count})


@router.get("/tribunaux", responses=REFUSED)
def editor_list_tribunaux(caller: EditorCaller, gazetteer: GazetteerDep) -> JSONResponse:
    """Every tribunal with a SIRET (`{"tribunaux": [...]}`): the `tribunal_siret` a measure names."""
    entries = sorted((t for t in gazetteer.tribunaux.values() if t.siret), key=lambda t: t.nom)
    return JSONResponse({"tribunaux": [tribunal_out(gazetteer, entry) for entry in entries]})


@router.get("/service-antennes", responses=REFUSED)
def editor_list_antennes(ctx: ReadContext) -> JSONResponse:
    """The professional's antennes (`{"antennes": [...]}`): the `antenne_id` a measure names."""
    return JSONResponse({"antennes": [antenne_out(ctx.gazetteer, site) for site in ctx.mandataire.sites]})
