"""Server-rendered pages (French, Jinja2, no JavaScript build step) and the map's simplified geometry.

Sign-in (`app/web/connexion.py`) opens a server-side web session whose cookie the pages then send with their
`fetch()` calls to the JSON API; `current_principal` accepts that cookie when there is no Bearer header (see
`app.auth.sessions` for the cookie's protections).

CSRF: the session cookie is SameSite=Lax, so a cross-site POST does not carry it; state-changing API calls are
JSON `fetch()` calls (a cross-site form cannot send `application/json`), and `current_principal` additionally
refuses a cookie-authenticated non-GET request without the `X-Requested-With: mjpm` header. The sign-in forms
themselves refuse a cross-origin `Origin`.
"""

import gzip
import hashlib
import json
import logging
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import shapely
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from shapely.geometry import mapping

from app.auth.constants import JUDGE_ROLES, JUDICIAL_ROLES, PROFESSIONAL_ROLES, STATE_AND_JUDGE_ROLES, STATE_ROLES, Role
from app.auth.dependencies import CSRF_HEADER, CSRF_VALUE, PagePrincipal
from app.auth.principal import Principal
from app.dashboards.dependencies import COMMON_FILTERS
from app.dashboards.tables import TABLES
from app.dependencies import SessionDep
from app.geo.dependencies import GazetteerDep
from app.geo.gazetteer import Gazetteer, TribunalEntry
from app.geo.models import Tribunal
from app.registry.constants import MandataireType, Nature
from app.web import labels

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
# Tolerance (degrees, about 1 km) and grid of the map's simplified outlines: about 200 kB, 60 kB gzipped.
MAP_TOLERANCE_DEG, MAP_GRID_DEG = 0.01, 0.001

COMMON_PAGE_FILTERS = frozenset({*COMMON_FILTERS, "debut", "fin"})
ROLE_LABELS = labels.ROLES
# The main menu: (path, label, roles that see it), in the order shown.
NAVIGATION = (
    ("/tableaux-de-bord", "Tableaux de bord", STATE_ROLES),
    ("/juge", "Désigner un mandataire", JUDGE_ROLES),
    ("/juge/reservations", "Réservations du tribunal", JUDGE_ROLES),
    ("/juge/statistiques", "Statistiques du tribunal", JUDGE_ROLES),
    ("/transferts-de-mesures", "Transferts de mesures", STATE_AND_JUDGE_ROLES),
    ("/planification-de-l-offre", "Planification de l'offre", STATE_ROLES),
    ("/espace-professionnel", "Mon espace professionnel", PROFESSIONAL_ROLES),
    ("/editeurs-autorises", "Logiciels métier", PROFESSIONAL_ROLES),
    ("/jetons-d-acces", "Jetons d'accès", frozenset(Role)),
)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}

DSFR_FIX = "run `source scripts/node.sh && ensure_node_modules` (scripts/run and scripts/test do it)"

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=WEB_DIR / "templates")


@lru_cache(maxsize=128)
def _static_version(name: str) -> str | None:
    path = STATIC_DIR / name
    if not path.is_file():
        # The DSFR's files are copied from the npm package by the scripts, not committed: without them the pages
        # still work, unstyled.
        logger.warning("static file %s is missing: the pages are served without it; %s", name, DSFR_FIX)
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    """URL of a static file with a content hash, so browsers never keep a stale script."""
    version = _static_version(name)
    return f"/static/{name}?v={version}" if version else f"/static/{name}"


templates.env.globals.update(static_url=static_url, csrf_header=CSRF_HEADER, csrf_value=CSRF_VALUE)


# --- who is asking --------------------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str | None:
    """Only a local path (no scheme, no host, no `//`) may be a redirect target after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _home(principal: Principal) -> str:
    return home_of(principal.role)


def home_of(role: Role) -> str:
    """The page a role lands on after sign-in."""
    if role in STATE_ROLES:
        return "/tableaux-de-bord"
    if role in JUDGE_ROLES:
        return "/juge"
    if role == Role.MANDATAIRE:
        return "/espace-professionnel"
    return "/docs"


def _render(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    # The demonstration notice: every environment but production, where the register is the real one.
    principal = context.get("principal")
    context = {
        "demonstration": request.app.state.settings.environment != "production",
        "role": ROLE_LABELS[principal.role] if principal is not None else None,  # the header's label of the caller
        "navigation": [
            {"href": href, "libelle": libelle, "actif": request.url.path == href}
            for href, libelle, roles in NAVIGATION
            if principal is not None and principal.role in roles
        ],
        **context,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _guard(request: Request, principal: Principal | None, roles: frozenset[Role], page: str) -> Response | None:
    """A redirect to the sign-in form without a valid token, a French 403 page for another role, else None."""
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/connexion?" + urlencode({"suivant": target}), status_code=303)
    if principal.role not in roles:
        allowed = ", ".join(sorted(ROLE_LABELS[r] for r in roles))
        return _render(
            request,
            "erreur.html",
            {
                "principal": principal,
                "titre": "Accès refusé",
                "message": f"La page « {page} » est réservée aux rôles suivants : {allowed}. "
                f"Votre jeton a le rôle « {ROLE_LABELS[principal.role]} ».",
                "accueil": _home(principal),
            },
            status_code=403,
        )
    return None


# --- dashboards overview --------------------------------------------------------------------------------------


def _date(value: str | None) -> str | None:
    try:
        return date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


def _filters(request: Request, gazetteer: Gazetteer) -> tuple[dict[str, str], list[str]]:
    """The known filters of the query string, checked against the reference data; unknown values are dropped."""
    query = request.query_params
    checks = {
        "region": lambda v: v if v in gazetteer.regions else None,
        "departement": lambda v: v if v in gazetteer.departements else None,
        "tribunal": lambda v: v if gazetteer.tribunal(v) else None,
        "type": lambda v: v if v in MandataireType.__members__.values() else None,
        "debut": _date,
        "fin": _date,
        "nature": lambda v: v if v in Nature.__members__.values() else None,
        "distance_km": lambda v: v if v.isdigit() and 1 <= int(v) <= 500 else None,
    }
    filters, ignored = {}, []
    for key, check in checks.items():
        value = (query.get(key) or "").strip()
        if not value:
            continue
        if (checked := check(value)) is None:
            ignored.append(key)
        else:
            filters[key] = checked
    return filters, ignored


def _in_scope(principal: Principal, departement: str) -> bool:
    return principal.departements is None or departement in principal.departements


def _tribunal_options(gazetteer: Gazetteer, keep) -> list[dict]:
    tribunaux = sorted(
        gazetteer.tribunaux.values(), key=lambda t: (t.departement, t.type != "tribunal_judiciaire", t.nom)
    )
    return [
        {"valeur": t.siret or t.code, "nom": t.nom, "departement": t.departement}
        for t in tribunaux
        if keep(t.departement)
    ]


@router.get("/tableaux-de-bord", response_class=HTMLResponse)
def dashboards_page(request: Request, principal: PagePrincipal, gazetteer: GazetteerDep) -> Response:
    if (refused := _guard(request, principal, STATE_ROLES, "Tableaux de bord")) is not None:
        return refused
    assert principal is not None
    filters, ignored = _filters(request, gazetteer)
    departements = [d for code, d in sorted(gazetteer.departements.items()) if _in_scope(principal, code)]
    regions = sorted(
        (gazetteer.regions[code] for code in {d.region for d in departements} if code in gazetteer.regions),
        key=lambda r: r.nom,
    )
    sections = []
    for table in TABLES.values():
        # The common filters go to every table, the others to the tables that take them (nature, distance...).
        kept = {k: v for k, v in filters.items() if k in COMMON_PAGE_FILTERS or k in table.parametres_noms}
        query = urlencode(kept)
        suffix = f"?{query}" if query else ""
        variantes = []
        for variante in table.variantes:
            variante_query = urlencode({**kept, **variante.parametres})
            variantes.append(
                {
                    "libelle": variante.libelle,
                    "csv": f"/tableaux-de-bord/{table.nom}.csv?{variante_query}",
                    "xlsx": f"/tableaux-de-bord/{table.nom}.xlsx?{variante_query}",
                }
            )
        sections.append(
            {
                "table": table,
                "requete": query,
                "csv": f"/tableaux-de-bord/{table.nom}.csv{suffix}",
                "xlsx": f"/tableaux-de-bord/{table.nom}.xlsx{suffix}",
                "variantes": variantes,
            }
        )
    carte = next(table for table in TABLES.values() if table.carte is not None)
    common = urlencode({k: v for k, v in filters.items() if k in COMMON_PAGE_FILTERS})
    return _render(
        request,
        "tableaux.html",
        {
            "principal": principal,
            "filtres": filters,
            "ignores": ignored,
            "regions": regions,
            "departements": departements,
            "tribunaux": _tribunal_options(gazetteer, lambda code: _in_scope(principal, code)),
            "types": labels.TYPES,
            "natures": labels.NATURES,
            "sections": sections,
            "etat_des_lieux": f"/tableaux-de-bord/etat-des-lieux.xlsx{'?' + common if common else ''}",
            "graphiques": [table for table in TABLES.values() if table.graphique is not None],
            "carte": carte,
            "libelles": labels.for_js(),
        },
    )


# --- judge's page ---------------------------------------------------------------------------------------------


@router.get("/transferts-de-mesures", response_class=HTMLResponse)
def transfers_page(request: Request, principal: PagePrincipal, gazetteer: GazetteerDep) -> Response:
    if (refused := _guard(request, principal, STATE_AND_JUDGE_ROLES, "Transferts de mesures")) is not None:
        return refused
    assert principal is not None
    return _render(
        request,
        "transferts.html",
        {
            "principal": principal,
            "peut_calculer": principal.role in STATE_ROLES,
            "peut_decider": principal.role in JUDGE_ROLES,
            "motifs": {code.value: nom for code, nom in labels.MOTIFS_TRANSFERT.items()},
            "libelles": labels.for_js(),
        },
    )


def _judge_context(principal: Principal, session: SessionDep, gazetteer: Gazetteer) -> dict:
    """What every judge's page shows: the caller's tribunal (a judge's own, or any for an administrator)."""
    own: TribunalEntry | None = None
    if principal.role in JUDICIAL_ROLES and principal.tribunal_id is not None:
        row = session.get(Tribunal, principal.tribunal_id)
        own = gazetteer.tribunal(row.siret or row.code) if row else None
    tribunaux = (
        [{"valeur": own.siret or own.code, "nom": own.nom, "departement": own.departement}]
        if own
        else _tribunal_options(gazetteer, lambda _code: True)
    )
    return {
        "principal": principal,
        "tribunaux": tribunaux,
        "tribunal_fixe": own is not None,
        "natures": labels.NATURES,
        "types": labels.TYPES,
        "statuts": labels.RESERVATION_STATUTS,
        "libelles": labels.for_js(),
    }


@router.get("/juge", response_class=HTMLResponse)
def judge_page(request: Request, principal: PagePrincipal, session: SessionDep, gazetteer: GazetteerDep) -> Response:
    if (refused := _guard(request, principal, JUDGE_ROLES, "Désignation d'un mandataire")) is not None:
        return refused
    assert principal is not None
    return _render(
        request,
        "juge.html",
        {
            **_judge_context(principal, session, gazetteer),
            "lieux_vie": labels.LIEUX_VIE,
            "specialites": labels.SPECIALITES,
            "familles": labels.FAMILLES,
        },
    )


@router.get("/juge/reservations", response_class=HTMLResponse)
def judge_reservations_page(
    request: Request, principal: PagePrincipal, session: SessionDep, gazetteer: GazetteerDep
) -> Response:
    if (refused := _guard(request, principal, JUDGE_ROLES, "Réservations du tribunal")) is not None:
        return refused
    assert principal is not None
    return _render(request, "juge_reservations.html", _judge_context(principal, session, gazetteer))


@router.get("/juge/statistiques", response_class=HTMLResponse)
def judge_statistics_page(
    request: Request, principal: PagePrincipal, session: SessionDep, gazetteer: GazetteerDep
) -> Response:
    if (refused := _guard(request, principal, JUDGE_ROLES, "Statistiques du tribunal")) is not None:
        return refused
    assert principal is not None
    return _render(request, "juge_statistiques.html", _judge_context(principal, session, gazetteer))


# --- map geometry ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _departements_geojson(gazetteer: Gazetteer) -> tuple[bytes, bytes]:
    """Simplified outlines of the 101 départements (plain and gzipped), built once per gazetteer."""
    features = []
    for code, departement in sorted(gazetteer.departements.items()):
        geometry = departement.geometry.simplify(MAP_TOLERANCE_DEG, preserve_topology=True)
        simplified = shapely.set_precision(geometry, MAP_GRID_DEG)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "nom": departement.nom, "region": departement.region},
                "geometry": mapping(simplified if not simplified.is_empty else geometry),
            }
        )
    body = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()
    return body, gzip.compress(body, compresslevel=9, mtime=0)


@router.get("/referentiel/departements.geojson")
def departements_geojson(request: Request, gazetteer: GazetteerDep) -> Response:
    """The départements' outlines, simplified for the maps of the pages (GeoJSON, WGS 84)."""
    body, compressed = _departements_geojson(gazetteer)
    headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(compressed, media_type="application/geo+json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(body, media_type="application/geo+json", headers=headers)


@router.get("/")
def home(principal: PagePrincipal) -> Response:
    """The page of the signed-in role, else the sign-in form."""
    return RedirectResponse(_home(principal) if principal else "/connexion", status_code=303)
