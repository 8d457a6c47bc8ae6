"""Routes for professionals and their business software: availability, bulk measures, spreadsheet imports.
Thin: parse, authorise by role, call the service, commit, present.

Every route here is rate-limited per token (429 with `Retry-After`); the bulk routes also check the request's
content type (415), and their body size (413) before it is read.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile

from app.auth.constants import PROFESSIONAL_OR_ADMIN_ROLES, PROFESSIONAL_ROLES, STATE_ROLES
from app.auth.principal import Principal
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.errors import error_responses
from app.geo.dependencies import GazetteerDep, LocatorDep
from app.professionals import availability, imports, lot, replacement
from app.professionals.batch import Batch, writable_mandataire
from app.professionals.carte import carte_mesures
from app.professionals.dependencies import media_type
from app.professionals.presenters import disponibilite_out
from app.professionals.ratelimit import limited
from app.professionals.schemas import (
    CarteMesures,
    DisponibiliteOut,
    DisponibiliteUpdate,
    ImportOut,
    ImportRejected,
    LotIn,
    LotOut,
    LotRejected,
    MesureReplace,
)
from app.registry import service as registry
from app.registry.presenters import mesure_out
from app.registry.schemas import MesureOut
from app.responses import PreparedJSONResponse
from app.types import Id, IdPath

router = APIRouter(tags=["mandataires (espace professionnel)"])

Professional = Annotated[Principal, Depends(limited("mesures", *PROFESSIONAL_ROLES))]
SelfOrAdmin = Annotated[Principal, Depends(limited("mesures", *PROFESSIONAL_OR_ADMIN_ROLES))]
Readers = Annotated[Principal, Depends(limited("mesures", *PROFESSIONAL_ROLES | STATE_ROLES))]
Importer = Annotated[Principal, Depends(limited("import", *PROFESSIONAL_OR_ADMIN_ROLES))]
LIMITS = error_responses(401, 403, 429)
MandataireParam = Annotated[
    Id | None, Query(description="Mandataire concerné : obligatoire pour un administrateur, sinon celui du jeton")
]


@router.get("/mandataires/moi", response_model=DisponibiliteOut, responses=LIMITS)
def get_my_mandataire(principal: Professional, session: SessionDep, gazetteer: GazetteerDep) -> DisponibiliteOut:
    """The caller's own record (mandataire tokens), with the warnings about its declaration."""
    return disponibilite_out(availability.get_own_mandataire(session, principal=principal), gazetteer)


@router.patch(
    "/mandataires/{mandataire_id}/disponibilite",
    response_model=DisponibiliteOut,
    responses={**LIMITS, **error_responses(404, 409, 422)},
)
def update_disponibilite(
    mandataire_id: IdPath,
    payload: DisponibiliteUpdate,
    principal: SelfOrAdmin,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
) -> DisponibiliteOut:
    """Declare availability: capacity, new measures switch, absences (add, change, remove; no overlap),
    radius, specialities, languages, antennes' capacities. A capacity above the regional norms is accepted with
    a warning. `version` is the one read (409 when stale)."""
    mandataire = registry.get_managed_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    availability.update_disponibilite(
        session, principal=principal, gazetteer=gazetteer, mandataire=mandataire, payload=payload
    )
    session.commit()
    return disponibilite_out(mandataire, gazetteer)


@router.get(
    "/mandataires/{mandataire_id}/carte", response_model=CarteMesures, responses={**LIMITS, **error_responses(404)}
)
def get_carte_mesures(
    mandataire_id: IdPath, principal: Readers, session: SessionDep, gazetteer: GazetteerDep
) -> CarteMesures:
    """Where the people of a professional's measures in progress or pending live: a count per commune (France)
    or municipality (Belgium) with its point, for a map. The professional, and agents and admins in scope."""
    mandataire = registry.get_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    return carte_mesures(session, gazetteer, mandataire)


@router.post(
    "/mesures/lot",
    response_model=LotOut,
    responses={
        **LIMITS,
        **error_responses(413, 415),
        422: {"model": LotRejected, "description": "Lot invalide, ou lot strict dont une mesure est rejetée"},
    },
    dependencies=[Depends(media_type("application/json"))],
)
def upsert_mesures_lot(
    payload: LotIn,
    principal: SelfOrAdmin,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
    locator: LocatorDep,
    settings: SettingsDep,
    mandataire: MandataireParam = None,
    strict: Annotated[bool, Query(description="Tout ou rien : une mesure rejetée et rien n'est écrit")] = False,
    dry_run: Annotated[
        bool, Query(description="Vérifier le lot et rapporter ce qu'il ferait, sans rien écrire")
    ] = False,
):
    """Up to 1 000 measures from business software, in e-MJPM's vendor API shape, upserted on (tribunal SIRET,
    numero_rg). Each gets its result: created, updated, unchanged (re-sending changes nothing) or rejected with
    reasons naming the field. Measures reserved by a judge and still pending are never touched; measures the
    batch does not mention are never removed. With `dry_run`, the same report and nothing written (the ids of
    measures it would create are null)."""
    owner = writable_mandataire(session, principal=principal, mandataire_id=mandataire)
    batch = Batch(session, gazetteer, locator, settings, owner, strict_numero_rg=payload.strictNumeroRG)
    report = lot.upsert_lot(batch, mesures=payload.mesures, strict=strict, dry_run=dry_run)
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return PreparedJSONResponse(report)


@router.post(
    "/mesures/import",
    response_model=ImportOut,
    responses={
        **LIMITS,
        **error_responses(409, 413, 415),
        422: {"model": ImportRejected, "description": "Fichier illisible, ou lignes rejetées (rien n'est écrit)"},
    },
    dependencies=[Depends(media_type("multipart/form-data"))],
)
def import_mesures(
    fichier: Annotated[UploadFile, File(description="CSV (UTF-8 ou Windows-1252) ou XLSX, colonnes du modèle e-MJPM")],
    principal: Importer,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
    locator: LocatorDep,
    settings: SettingsDep,
    mandataire: MandataireParam = None,
    dry_run: Annotated[bool, Query(description="Valider sans rien écrire")] = False,
):
    """A spreadsheet of measures with the columns of e-MJPM's template (`date_nomination, type, code_postal,
    ville, civilite, annee, numero_rg, numero_dossier, residence, tribunal_siret, antenne`), French labels
    accepted; a 4-digit postcode is Belgian. All or nothing: with any rejected line nothing is written and the
    report lists every rejected line (line number, column, reason)."""
    owner = writable_mandataire(session, principal=principal, mandataire_id=mandataire)
    report = imports.import_sheet(
        Batch(session, gazetteer, locator, settings, owner, by_hand=True),
        filename=fichier.filename or "fichier",
        content=fichier.file.read(),
        content_type=fichier.content_type,
        dry_run=dry_run,
    )
    session.commit()
    return report


@router.put("/mesures/{mesure_id}", response_model=MesureOut, responses={**LIMITS, **error_responses(404, 409, 422)})
def replace_mesure(
    mesure_id: IdPath,
    payload: MesureReplace,
    principal: SelfOrAdmin,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
    locator: LocatorDep,
    settings: SettingsDep,
) -> MesureOut:
    """Full replacement of a measure with the `version` read (409 when stale): an optional field left out is
    cleared. A measure reserved by a judge and still pending answers 409 `reservation_en_attente`."""
    mesure = registry.get_writable_mesure(session, principal=principal, mesure_id=mesure_id)
    replacement.replace_mesure(
        session,
        principal=principal,
        gazetteer=gazetteer,
        locator=locator,
        settings=settings,
        mesure=mesure,
        payload=payload,
    )
    session.commit()
    return mesure_out(mesure)
