"""Routes for professionals and their business software: availability, bulk measures, spreadsheet imports.

Every route here is rate-limited per token (429 with `Retry-After`); the bulk routes also check the request's
content type (415) and size (413) before reading its body.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from app.auth.constants import Role
from app.auth.principal import Principal
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.errors import DomainError, PayloadTooLarge, error_responses, size_text
from app.geo.dependencies import GazetteerDep, LocatorDep
from app.professionals import service
from app.professionals.ratelimit import limited
from app.professionals.schemas import (
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
from app.registry.models import Mandataire
from app.registry.presenters import mandataire_out, mesure_out
from app.registry.schemas import MesureOut
from app.responses import PreparedJSONResponse
from app.types import Id, IdPath


class UnsupportedMediaType(DomainError):
    status_code = 415
    default_code = "type_de_contenu_non_pris_en_charge"


@dataclass(frozen=True)
class BodyRule:
    media_type: str
    max_bytes_setting: str


# Route name -> what its body must be. Checked before the body is read, so an oversized upload costs nothing.
BODY_RULES = {
    "upsert_mesures_lot": BodyRule("application/json", "bulk_max_bytes"),
    "import_mesures": BodyRule("multipart/form-data", "import_max_bytes"),
}


class GuardedRoute(APIRoute):
    """Checks content type and size of the body before FastAPI reads it."""

    def get_route_handler(self):
        handler = super().get_route_handler()
        rule = BODY_RULES.get(self.name)

        async def guarded(request: Request):
            if rule is not None:
                request = await _read_within(request, rule)
            return await handler(request)

        return guarded


async def _read_within(request: Request, rule: BodyRule) -> Request:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != rule.media_type:
        raise UnsupportedMediaType(
            f"type de contenu {media or 'absent'} : cette route attend {rule.media_type}",
            loc=["header", "content-type"],
        )
    limit = getattr(request.app.state.settings, rule.max_bytes_setting)
    too_large = PayloadTooLarge(
        f"requête de plus de {size_text(limit)} : découpez l'envoi", loc=["header", "content-length"]
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    body, replayed = b"".join(chunks), False

    async def replay():
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await request.receive()

    return Request(request.scope, replay)


router = APIRouter(tags=["mandataires (espace professionnel)"], route_class=GuardedRoute)

Professional = Annotated[Principal, Depends(limited("mesures", Role.MANDATAIRE))]
SelfOrAdmin = Annotated[Principal, Depends(limited("mesures", Role.MANDATAIRE, Role.ADMIN))]
Importer = Annotated[Principal, Depends(limited("import", Role.MANDATAIRE, Role.ADMIN))]
LIMITS = error_responses(401, 403, 429)
MandataireParam = Annotated[
    Id | None, Query(description="Mandataire concerné : obligatoire pour un administrateur, sinon celui du jeton")
]


def disponibilite_out(mandataire: Mandataire, gazetteer) -> DisponibiliteOut:
    return DisponibiliteOut(
        **mandataire_out(mandataire, gazetteer).model_dump(), avertissements=service.avertissements(mandataire)
    )


@router.get("/mandataires/moi", response_model=DisponibiliteOut, responses=LIMITS)
def get_my_mandataire(principal: Professional, session: SessionDep, gazetteer: GazetteerDep) -> DisponibiliteOut:
    """The caller's own record (mandataire tokens), with the warnings about its declaration."""
    return disponibilite_out(service.get_own_mandataire(session, principal=principal), gazetteer)


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
    service.update_disponibilite(
        session, principal=principal, gazetteer=gazetteer, mandataire=mandataire, payload=payload
    )
    session.commit()
    return disponibilite_out(mandataire, gazetteer)


@router.post(
    "/mesures/lot",
    response_model=LotOut,
    responses={
        **LIMITS,
        **error_responses(413, 415),
        422: {"model": LotRejected, "description": "Lot invalide, ou lot strict dont une mesure est rejetée"},
    },
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
    owner = service.writable_mandataire(session, principal=principal, mandataire_id=mandataire)
    batch = service.Batch(session, gazetteer, locator, settings, owner)
    report = service.upsert_lot(batch, mesures=payload.mesures, strict=strict, dry_run=dry_run)
    if strict and report["rejected"]:
        session.rollback()
        detail = [
            {
                "type": motif["code"],
                "loc": ["body", "mesures", item["index"], *filter(None, [motif["champ"]])],
                "msg": motif["message"],
            }
            for item in report["resultats"]
            for motif in item["motifs"]
        ]
        return JSONResponse(status_code=422, content={"detail": detail, "rapport": report})
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
        **error_responses(413, 415),
        422: {"model": ImportRejected, "description": "Fichier illisible, ou lignes rejetées (rien n'est écrit)"},
    },
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
    owner = service.writable_mandataire(session, principal=principal, mandataire_id=mandataire)
    report = service.import_sheet(
        service.Batch(session, gazetteer, locator, settings, owner),
        filename=fichier.filename or "fichier",
        content=fichier.file.read(),
        content_type=fichier.content_type,
        dry_run=dry_run,
    )
    if report.erreurs:
        session.rollback()
        detail = [
            {
                "type": error.code,
                "loc": ["body", "fichier", error.ligne, *([error.colonne] if error.colonne else [])],
                "msg": error.message,
            }
            for error in report.erreurs
        ]
        return JSONResponse(status_code=422, content={"detail": detail, "rapport": report.model_dump(mode="json")})
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
    service.replace_mesure(
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
