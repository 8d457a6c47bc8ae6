"""Exports of a list of measures (`GET /mesures.csv`, `GET /mesures.xlsx`): the rows `GET /mesures` pages
through, with the same filters and the same scope (a professional its own measures, a tribunal its own, an agent
its territory), written by the dashboards' one CSV/XLSX writer."""

from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.dependencies import CurrentPrincipal
from app.auth.principal import Principal
from app.dashboards.exceptions import ExportTooLarge
from app.dashboards.exports import MEDIA_TYPES, export_response
from app.dashboards.schemas import Colonne, Tableau
from app.database import utcnow
from app.dependencies import SessionDep
from app.errors import error_responses
from app.registry.constants import LIEU_VIE_LABELS, MESURE_STATUT_LABELS, NATURE_LABELS
from app.registry.dependencies import MesureFilters
from app.registry.models import Mesure, Site
from app.registry.service import mesures_query

EXPORT_MAX = 50_000  # rows of one export; a national export is a dashboard's job, not a list's
COLUMNS = [
    Colonne(cle=cle, libelle=libelle, type=type)
    for cle, libelle, type in (
        ("numero_rg", "Numéro RG", "texte"),
        ("numero_dossier", "Numéro de dossier", "texte"),
        ("tribunal", "Tribunal", "texte"),
        ("nature", "Nature", "texte"),
        ("lieu_vie", "Lieu de vie", "texte"),
        ("statut", "État", "texte"),
        ("pays", "Pays", "texte"),
        ("code_postal", "Code postal", "texte"),
        ("commune", "Commune", "texte"),
        ("departement", "Département", "texte"),
        ("antenne", "Antenne", "texte"),
        ("annee_naissance", "Année de naissance", "entier"),
        ("date_nomination", "Date de nomination", "date"),
        ("date_fin_mesure", "Date de fin", "date"),
    )
]
router = APIRouter(tags=["registre"])
ERRORS = error_responses(401, 404, 422)
FORMATS: dict[str, dict[str, Any]] = {fmt: {"content": {media: {}}} for fmt, media in MEDIA_TYPES.items()}


@router.get("/mesures.csv", responses={**ERRORS, 200: FORMATS["csv"]}, response_class=Response)
def export_mesures_csv(principal: CurrentPrincipal, session: SessionDep, filters: MesureFilters) -> Response:
    """The measures `GET /mesures` lists with the same filters, all of them, for French Excel (at most 50 000)."""
    return _export(session, principal, filters, "csv")


@router.get("/mesures.xlsx", responses={**ERRORS, 200: FORMATS["xlsx"]}, response_class=Response)
def export_mesures_xlsx(principal: CurrentPrincipal, session: SessionDep, filters: MesureFilters) -> Response:
    """The measures `GET /mesures` lists with the same filters, all of them, as a workbook (at most 50 000)."""
    return _export(session, principal, filters, "xlsx")


def _export(session: Session, principal: Principal, filters: dict, format: Literal["csv", "xlsx"]) -> Response:
    return export_response(partial(_tableau, session, principal, filters), format, today=utcnow().date())


def _tableau(session: Session, principal: Principal, filters: dict) -> Tableau:
    query = mesures_query(principal, **filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if total > EXPORT_MAX:
        raise ExportTooLarge(
            f"{total} mesures correspondent à ces filtres ; un export en contient au plus {EXPORT_MAX} : "
            "précisez les filtres",
            loc=["query"],
        )
    named = select(Site.id, Site.nom).where(Site.id.in_(query.with_only_columns(Mesure.site_id)))
    sites = {site_id: nom for site_id, nom in session.execute(named)}
    lignes = [
        {
            "numero_rg": m.numero_rg,
            "numero_dossier": m.numero_dossier,
            "tribunal": m.tribunal.nom,
            "nature": NATURE_LABELS.get(m.nature, m.nature),
            "lieu_vie": LIEU_VIE_LABELS.get(m.lieu_vie, m.lieu_vie),
            "statut": MESURE_STATUT_LABELS.get(m.statut, m.statut),
            "pays": "Belgique" if m.pays == "BE" else "France",
            "code_postal": m.code_postal,
            "commune": m.commune,
            "departement": m.departement,
            "antenne": sites.get(m.site_id),
            "annee_naissance": m.annee_naissance,
            "date_nomination": m.date_nomination,
            "date_fin_mesure": m.date_fin_mesure,
        }
        for m in session.scalars(query.order_by(Mesure.id))
    ]
    shown = {k: v for k, v in filters.items() if v is not None and k != "tribunal_id"}
    return Tableau(
        nom="mesures",
        titre="Mesures",
        note=f"{total} mesure(s) ; filtres de la liste des mesures.",
        filtres={k: str(v) for k, v in shown.items()},
        colonnes=COLUMNS,
        lignes=lignes,
        totaux=None,
    )
