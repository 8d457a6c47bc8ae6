"""POST /finess/import: the Ministry's FINESS extracts become the register's establishments (administrators)."""

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from app.auth.dependencies import Admins
from app.dependencies import SettingsDep, WriteSessionDep
from app.errors import error_responses
from app.finess.schemas import FinessImportOut, FinessImportRejected
from app.finess.service import Fichier, import_finess
from app.geo.dependencies import GazetteerDep

router = APIRouter(prefix="/finess", tags=["FINESS"])


def _fichier(upload: UploadFile | None) -> Fichier | None:
    return None if upload is None else Fichier(nom=upload.filename or "fichier", contenu=upload.file.read())


@router.post(
    "/import",
    response_model=FinessImportOut,
    responses={
        **error_responses(401, 403, 413),
        422: {"model": FinessImportRejected, "description": "Fichier illisible, ou lignes rejetées (rien n'est écrit)"},
    },
)
def import_extracts(
    etablissements: Annotated[
        UploadFile, File(description="« FINESS Extraction du Fichier des établissements » (etalab-cs1100507-…csv)")
    ],
    principal: Admins,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
    settings: SettingsDep,
    equipements: Annotated[
        UploadFile | None,
        File(description="« FINESS Extraction des équipements sociaux et médico-sociaux » (etalab-cs1100505-…csv)"),
    ] = None,
    entites_juridiques: Annotated[
        UploadFile | None, File(description="« FINESS Extraction des entités juridiques » (etalab-cs1100501-…csv)")
    ] = None,
    essai: Annotated[bool, Query(description="Valider et compter sans rien écrire")] = False,
) -> FinessImportOut:
    """Les extractions FINESS publiées sur data.gouv.fr, telles quelles : les établissements où vivent des majeurs
    protégés sont créés ou mis à jour par numéro FINESS (catégorie, commune, statut public, places
    d'hébergement permanent). Tout ou rien : avec une ligne rejetée, rien n'est écrit et le rapport nomme
    chaque ligne rejetée (fichier, ligne, motif)."""
    report = import_finess(
        session,
        gazetteer=gazetteer,
        seuil=settings.prepose_obligation_places,
        etablissements=Fichier(nom=etablissements.filename or "fichier", contenu=etablissements.file.read()),
        equipements=_fichier(equipements),
        entites_juridiques=_fichier(entites_juridiques),
        essai=essai,
    )
    session.commit()
    return report
