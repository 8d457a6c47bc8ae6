"""The professionals' pages about vendors' software: e-MJPM's approval page `/application/authorization` (where a
vendor sends the professional, with `client_id`, `redirect_uri` and `state`) and `/editeurs-autorises`, the vendors
they approved, each with « Retirer l'accès ». The request is checked by authlib before anything is shown: an
unknown vendor or an address it did not register gets an error page, never a redirect. The approval itself is
`POST /api/oauth/authorize`, sent by `editeurs.js` (same-origin cookie, `X-Requested-With: mjpm`)."""

from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.constants import PROFESSIONAL_ROLES
from app.auth.dependencies import PagePrincipal
from app.auth.principal import Principal
from app.database import utcnow
from app.dependencies import SessionDep, SettingsDep
from app.vendors.oauth import DESCRIPTIONS, Incoming, Owner, VendorServer, secure_uri
from app.vendors.service import list_autorisations
from app.web.router import _guard, _render

# What the approval form sends on, as the vendor gave it (e-MJPM's page sends the same fields).
FORWARDED = ("client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method")

router = APIRouter(include_in_schema=False)


def _error(request: Request, principal: Principal, message: str) -> Response:
    return _render(
        request,
        "erreur.html",
        {
            "principal": principal,
            "titre": "Demande d'accès invalide",
            "message": message,
            "accueil": "/editeurs-autorises",
        },
        status_code=400,
    )


@router.get("/application/authorization", response_class=HTMLResponse)
def approval_page(request: Request, principal: PagePrincipal, session: SessionDep, settings: SettingsDep) -> Response:
    if (refused := _guard(request, principal, PROFESSIONAL_ROLES, "Autoriser un logiciel métier")) is not None:
        return refused
    assert principal is not None and principal.mandataire_id is not None
    items = list(request.query_params.multi_items())
    if "response_type" not in request.query_params:
        items.append(("response_type", "code"))  # e-MJPM's page adds it; vendors' links often leave it out
    oauth_request = Incoming("GET", secure_uri(str(request.url), settings.environment), request.headers, items)  # type: ignore[arg-type]
    server = VendorServer(session, settings, utcnow())
    owner = Owner(principal.mandataire_id)
    try:
        grant = server.get_consent_grant(oauth_request, end_user=owner)
    except ValueError:  # authlib's errors refuse to quote non-ASCII input
        return _error(
            request, principal, f"Aucun logiciel ne correspond à cette demande : {DESCRIPTIONS['invalid_request']}."
        )
    except OAuth2Error as error:
        return _error(
            request,
            principal,
            f"Aucun logiciel ne correspond à cette demande : {DESCRIPTIONS.get(error.error, error.error)}.",
        )
    refusal = server.create_authorization_response(oauth_request, grant_user=None, grant=grant)
    fields = {name: oauth_request.payload.data[name] for name in FORWARDED if oauth_request.payload.data.get(name)}
    fields["redirect_uri"] = grant.redirect_uri
    return _render(
        request,
        "autorisation_editeur.html",
        {
            "principal": principal,
            "nom": grant.client.editeur.nom,
            "champs": {"response_type": "code", **fields},
            "refus": refusal.headers["location"],
        },
    )


@router.get("/editeurs-autorises", response_class=HTMLResponse)
def approved_vendors_page(request: Request, principal: PagePrincipal, session: SessionDep) -> Response:
    if (refused := _guard(request, principal, PROFESSIONAL_ROLES, "Logiciels métier autorisés")) is not None:
        return refused
    assert principal is not None and principal.mandataire_id is not None
    return _render(
        request,
        "editeurs_autorises.html",
        {
            "principal": principal,
            "autorisations": list_autorisations(session, mandataire_id=principal.mandataire_id, now=utcnow()),
        },
    )
