"""Routes of the vendors' OAuth2 server (e-MJPM's paths: `/api/oauth/authorize`, `/api/oauth/token`, plus RFC 7009
`/api/oauth/revoke`), of their registration by administrators (`/editeurs`), and of the professionals' approvals
(`/autorisations-editeurs`). Thin: parse, authorise by role, call the service or the OAuth2 server, commit."""

import json
from datetime import datetime
from typing import Annotated

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InsecureTransportError
from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app.auth.dependencies import CSRF_HEADER, CSRF_VALUE, Admins, Professionals
from app.config import Settings
from app.database import utcnow
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.errors import error_responses
from app.registry.schemas import Page
from app.types import Id, IdPath, Offset
from app.vendors import service
from app.vendors.models import Editeur
from app.vendors.oauth import DESCRIPTIONS, Incoming, Owner, VendorServer, ascii_text, invalid_request, secure_uri
from app.vendors.schemas import AppelOut, AutorisationOut, EditeurCreate, EditeurOut, EditeurSecret, EditeurUpdate

router = APIRouter()

Limit = Annotated[int, Query(ge=1, le=200)]
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _form_body(*fields: tuple[str, bool, str]) -> dict:
    """OpenAPI request body of a form-encoded OAuth2 endpoint (read by authlib, not by FastAPI)."""
    properties = {name: {"type": "string", "description": text} for name, _, text in fields}
    schema = {"type": "object", "properties": properties, "required": [n for n, required, _ in fields if required]}
    return {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}}


async def incoming(request: Request, settings: Settings, *, json_body: bool = False) -> Incoming:
    """The request's query and form parameters (and a JSON object's, where e-MJPM accepted JSON), for authlib."""
    items = list(request.query_params.multi_items())
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        form = await request.form()
        items += [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
    elif json_body and content_type == "application/json":
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = None
        if isinstance(body, dict):
            items += [(k, str(v)) for k, v in body.items() if isinstance(v, str | int) and not isinstance(v, bool)]
    uri = secure_uri(str(request.url), settings.environment)
    return Incoming(request.method, uri, request.headers, items)  # type: ignore[arg-type]


def oauth_endpoint(work):
    """Run an OAuth2 exchange in the thread pool and commit what it wrote, also when it answers an error (a
    replayed code revokes the tokens issued for it)."""

    async def run(request: Request, session: Session, settings: Settings, **kwargs) -> Response:
        try:
            oauth_request = await incoming(request, settings, json_body=kwargs.pop("json_body", False))
        except InsecureTransportError as error:
            body = {"error": error.error, "error_description": ascii_text(DESCRIPTIONS[error.error])}
            return JSONResponse(body, status_code=400)

        def exchange() -> Response:
            server = VendorServer(session, settings, utcnow())
            try:
                response = work(server, oauth_request, **kwargs)
            except ValueError:  # authlib's errors refuse to quote non-ASCII input
                session.rollback()
                return invalid_request()
            session.commit()
            return response

        return await run_in_threadpool(exchange)

    return run


def _authorize(server: VendorServer, request: Incoming, owner: Owner) -> Response:
    try:
        grant = server.get_consent_grant(request, end_user=owner)
    except OAuth2Error as error:
        return server.handle_error_response(request, error)
    return server.create_authorization_response(request, grant_user=owner, grant=grant)


_run_authorize = oauth_endpoint(_authorize)
_run_token = oauth_endpoint(lambda server, request: server.create_token_response(request))
_run_revoke = oauth_endpoint(lambda server, request: server.create_endpoint_response("revocation", request))


@router.post(
    "/api/oauth/authorize",
    tags=["éditeurs (OAuth2)"],
    status_code=status.HTTP_302_FOUND,
    responses={
        302: {"description": "Retour vers l'éditeur : `redirect_uri?code=...&state=...` (ou `error=...`)"},
        200: {"description": 'Pour les pages du service (en-tête X-Requested-With) : `{"redirect_uri": ...}`'},
        400: {"description": "Éditeur inconnu ou adresse de retour non enregistrée (`error`, `error_description`)"},
        **error_responses(401, 403),
    },
    openapi_extra=_form_body(
        ("response_type", True, "code"),
        ("client_id", True, "Identifiant de l'éditeur"),
        ("redirect_uri", False, "Une des adresses de retour enregistrées (la première par défaut)"),
        ("state", False, "Valeur opaque rendue à l'éditeur"),
        ("code_challenge", False, "PKCE (RFC 7636), facultatif"),
        ("code_challenge_method", False, "S256 ou plain"),
    ),
)
async def oauth_authorize(
    request: Request, principal: Professionals, session: WriteSessionDep, settings: SettingsDep
) -> Response:
    """The signed-in professional approves a vendor (the page `/application/authorization` sends it, as e-MJPM's
    does): an authorization code valid VENDOR_CODE_S, sent back to the vendor's registered address. Form or JSON."""
    assert principal.mandataire_id is not None  # a mandataire token always names its record
    response = await _run_authorize(request, session, settings, owner=Owner(principal.mandataire_id), json_body=True)
    location = response.headers.get("location")
    if location and request.headers.get(CSRF_HEADER) == CSRF_VALUE:
        # The page calls this with fetch(), which cannot read a redirect to another site: it gets the address.
        return JSONResponse({"redirect_uri": location}, headers={"Cache-Control": "no-store"})
    return response


@router.post(
    "/api/oauth/token",
    tags=["éditeurs (OAuth2)"],
    responses={
        200: {"description": '`{access_token, token_type: "Bearer", expires_in, refresh_token}`'},
        400: {"description": "Erreur OAuth2 (`error`, `error_description`), RFC 6749 §5.2"},
        401: {"description": "Authentification de l'éditeur refusée (HTTP Basic)"},
    },
    openapi_extra=_form_body(
        ("grant_type", True, "authorization_code ou refresh_token"),
        ("code", False, "Code reçu (authorization_code)"),
        ("redirect_uri", False, "La même adresse qu'à l'autorisation"),
        ("refresh_token", False, "Jeton de rafraîchissement (refresh_token)"),
        ("client_id", False, "Identifiant de l'éditeur (ou HTTP Basic)"),
        ("client_secret", False, "Secret de l'éditeur (ou HTTP Basic)"),
        ("code_verifier", False, "PKCE, si un code_challenge a été envoyé"),
    ),
)
async def oauth_token(request: Request, session: WriteSessionDep, settings: SettingsDep) -> Response:
    """Exchange an authorization code, or a refresh token, for an access token (24 h) and a new refresh token."""
    return await _run_token(request, session, settings)


@router.post(
    "/api/oauth/revoke",
    tags=["éditeurs (OAuth2)"],
    responses={
        200: {"description": "`{}`, que le jeton ait existé ou non (RFC 7009)"},
        400: {"description": "Erreur OAuth2 (`error`, `error_description`), RFC 6749 §5.2"},
        401: {"description": "Authentification de l'éditeur refusée (HTTP Basic)"},
    },
    openapi_extra=_form_body(
        ("token", True, "Jeton d'accès ou de rafraîchissement"),
        ("token_type_hint", False, "access_token ou refresh_token"),
        ("client_id", False, "Identifiant de l'éditeur (ou HTTP Basic)"),
        ("client_secret", False, "Secret de l'éditeur (ou HTTP Basic)"),
    ),
)
async def oauth_revoke(request: Request, session: WriteSessionDep, settings: SettingsDep) -> Response:
    """A vendor revokes one of its tokens (RFC 7009)."""
    return await _run_revoke(request, session, settings)


# --- administrators -----------------------------------------------------------------------------------------


def editeur_out(editeur: Editeur) -> EditeurOut:
    return EditeurOut(
        id=editeur.id,
        client_id=str(editeur.id),
        nom=editeur.nom,
        redirect_uris=editeur.redirect_uris,
        actif=editeur.actif,
        created_at=editeur.created_at,
        updated_at=editeur.updated_at,
        version=editeur.version,
    )


@router.get("/editeurs", tags=["éditeurs"], response_model=Page[EditeurOut], responses=error_responses(401, 403))
def list_editeurs(_: Admins, session: SessionDep, limit: Limit = 50, offset: Offset = 0) -> Page[EditeurOut]:
    total, items = service.list_editeurs(session, limit=limit, offset=offset)
    return Page(total=total, items=[editeur_out(e) for e in items])


@router.post(
    "/editeurs",
    tags=["éditeurs"],
    status_code=status.HTTP_201_CREATED,
    response_model=EditeurSecret,
    responses=error_responses(401, 403, 409),
)
def create_editeur(_: Admins, payload: EditeurCreate, session: WriteSessionDep, settings: SettingsDep) -> EditeurSecret:
    """Register a vendor: its client id, and its client secret shown this once (only its hash is kept)."""
    editeur, secret = service.create_editeur(
        session, secret_key=settings.token_secret.get_secret_value(), payload=payload
    )
    session.commit()
    return EditeurSecret(**editeur_out(editeur).model_dump(), client_secret=secret)


@router.get(
    "/editeurs/{editeur_id}", tags=["éditeurs"], response_model=EditeurOut, responses=error_responses(401, 403, 404)
)
def get_editeur(_: Admins, editeur_id: IdPath, session: SessionDep) -> EditeurOut:
    return editeur_out(service.get_editeur(session, editeur_id))


@router.patch(
    "/editeurs/{editeur_id}",
    tags=["éditeurs"],
    response_model=EditeurOut,
    responses=error_responses(401, 403, 404, 409),
)
def update_editeur(_: Admins, editeur_id: IdPath, payload: EditeurUpdate, session: WriteSessionDep) -> EditeurOut:
    """Rename, change the redirect addresses, disable (`actif: false`: its tokens are revoked) or enable a vendor."""
    editeur = service.update_editeur(
        session, editeur=service.get_editeur(session, editeur_id), payload=payload, now=utcnow()
    )
    session.commit()
    return editeur_out(editeur)


@router.post(
    "/editeurs/{editeur_id}/secret",
    tags=["éditeurs"],
    response_model=EditeurSecret,
    responses=error_responses(401, 403, 404),
)
def renew_editeur_secret(
    _: Admins, editeur_id: IdPath, session: WriteSessionDep, settings: SettingsDep
) -> EditeurSecret:
    """A new client secret, shown this once; the former one stops working at once."""
    editeur = service.get_editeur(session, editeur_id)
    secret = service.renew_secret(session, secret_key=settings.token_secret.get_secret_value(), editeur=editeur)
    session.commit()
    return EditeurSecret(**editeur_out(editeur).model_dump(), client_secret=secret)


@router.get(
    "/editeurs/{editeur_id}/appels",
    tags=["éditeurs"],
    response_model=Page[AppelOut],
    responses=error_responses(401, 403, 404),
)
def list_editeur_appels(
    _: Admins,
    editeur_id: IdPath,
    session: SessionDep,
    mandataire: Annotated[Id | None, Query(description="Les appels faits pour ce mandataire")] = None,
    statut: Annotated[int | None, Query(ge=100, le=599, description="Code HTTP de la réponse")] = None,
    depuis: Annotated[datetime | None, Query(description="Appels depuis cette date et heure (ISO 8601)")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AppelOut]:
    """A vendor's calls, the latest first: route template, method, status, duration, professional; no payload."""
    service.get_editeur(session, editeur_id)
    total, rows = service.list_appels(
        session,
        editeur_id=editeur_id,
        mandataire_id=mandataire,
        statut=statut,
        depuis=depuis,
        limit=limit,
        offset=offset,
    )
    return Page(total=total, items=[AppelOut.model_validate(row) for row in rows])


# --- professionals ------------------------------------------------------------------------------------------


@router.get(
    "/autorisations-editeurs",
    tags=["éditeurs"],
    response_model=list[AutorisationOut],
    responses=error_responses(401, 403),
)
def list_autorisations(principal: Professionals, session: SessionDep) -> list[AutorisationOut]:
    """The vendors the caller (a professional) has approved and whose access is still valid."""
    assert principal.mandataire_id is not None
    return service.list_autorisations(session, mandataire_id=principal.mandataire_id, now=utcnow())


@router.delete(
    "/autorisations-editeurs/{editeur_id}",
    tags=["éditeurs"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404),
)
def revoke_autorisation(principal: Professionals, editeur_id: IdPath, session: WriteSessionDep) -> Response:
    """Withdraw a vendor's access: its access and refresh tokens for the caller are revoked at once."""
    assert principal.mandataire_id is not None
    service.revoke_autorisation(session, mandataire_id=principal.mandataire_id, editeur_id=editeur_id, now=utcnow())
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
