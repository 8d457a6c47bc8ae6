"""The professional's space (`/espace-professionnel`): profile, availability, reservations, measures, import, map
and, for a service, its antennes and its ETP per year. Server-rendered frames; the data comes from the JSON API
through `espace.js` (same-origin cookie, `X-Requested-With: mjpm` on writes), so the pages hold no rule of their
own.

Every page shows how many reservations await the professional's answer, counted here so that it is there before
any script runs; the script refreshes it after an answer.
"""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.constants import PROFESSIONAL_ROLES
from app.auth.dependencies import PagePrincipal
from app.dependencies import SessionDep
from app.designation.service import count_pending
from app.registry.constants import MandataireType
from app.registry.models import Mandataire
from app.web import labels
from app.web.router import _guard, _render

PREFIX = "/espace-professionnel"


@dataclass(frozen=True)
class Onglet:
    slug: str  # "" for the space's home
    titre: str
    # A service's page: what an individual professional or a préposé reads instead (a 404 naming the page's use).
    service_only: str = ""

    @property
    def url(self) -> str:
        return f"{PREFIX}/{self.slug}" if self.slug else PREFIX


ONGLETS = (
    Onglet("", "Mon profil"),
    Onglet("disponibilites", "Disponibilités et absences"),
    Onglet("reservations", "Réservations"),
    Onglet("mesures", "Mesures"),
    Onglet("import", "Importer un tableur"),
    Onglet("carte", "Carte des mesures"),
    Onglet(
        "service",
        "Antennes et membres",
        service_only="Cette page présente les antennes et les membres d'un service mandataire.",
    ),
    Onglet(
        "effectifs",
        "Effectifs (ETP) par année",
        service_only="Les services mandataires y déclarent leurs effectifs (ETP) de chaque année, dont les tableaux "
        "de bord de l'État tirent leurs mesures par ETP ; un mandataire individuel ou un préposé n'a rien à déclarer.",
    ),
)

router = APIRouter(include_in_schema=False)


def _page(request: Request, principal, session, onglet: Onglet) -> Response:
    if (refused := _guard(request, principal, PROFESSIONAL_ROLES, "Espace professionnel")) is not None:
        return refused
    assert principal is not None and principal.mandataire_id is not None
    mandataire = session.get(Mandataire, principal.mandataire_id)
    est_service = mandataire is not None and mandataire.type == MandataireType.SERVICE
    if onglet.service_only and not est_service:
        return _render(
            request,
            "erreur.html",
            {
                "principal": principal,
                "titre": "Page introuvable",
                "message": onglet.service_only,
                "accueil": PREFIX,
            },
            status_code=404,
        )
    return _render(
        request,
        f"espace/{onglet.slug or 'profil'}.html",
        {
            "principal": principal,
            "onglet": onglet,
            "onglets": [o for o in ONGLETS if est_service or not o.service_only],
            "nom": mandataire.nom if mandataire else "",
            "en_attente": count_pending(session, mandataire_id=principal.mandataire_id),
            "espace": {"page": onglet.slug or "profil", "mandataire": principal.mandataire_id},
            "natures": labels.NATURES,
            "motifs_absence": labels.MOTIFS_ABSENCE,
            "statuts_mesure": labels.MESURE_STATUTS,
            "specialites": labels.SPECIALITES,
            "libelles": labels.for_professional_js(),
        },
    )


def _register(onglet: Onglet) -> None:
    def page(request: Request, principal: PagePrincipal, session: SessionDep) -> Response:
        return _page(request, principal, session, onglet)

    page.__name__ = f"professional_{onglet.slug or 'home'}"
    router.add_api_route(onglet.url, page, methods=["GET"], response_class=HTMLResponse)


for _onglet in ONGLETS:
    _register(_onglet)
