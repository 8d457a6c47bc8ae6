"""Routes of the registry. Thin: parse, authorise by role, call the service, commit, present."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.auth.constants import PROFESSIONAL_OR_ADMIN_ROLES, PROFESSIONAL_ROLES, STATE_ROLES
from app.auth.dependencies import Agents, CurrentPrincipal, require_roles
from app.auth.principal import Principal
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.errors import error_responses
from app.geo.constants import DEPARTEMENT_PATTERN
from app.geo.dependencies import GazetteerDep, LocatorDep
from app.geo.tribunals import resolve_tribunal
from app.registry import service
from app.registry.constants import MandataireStatut, MandataireType, Specialite
from app.registry.dependencies import MesureFilters
from app.registry.models import Etablissement
from app.registry.presenters import mandataire_out, mesure_out, site_out
from app.registry.schemas import (
    AbsenceIn,
    AbsenceOut,
    EtablissementIn,
    EtablissementOut,
    EtablissementPatch,
    EtpIn,
    EtpOut,
    MandataireCreate,
    MandataireOut,
    MandataireUpdate,
    MesureCreate,
    MesureOut,
    MesureUpdate,
    Page,
    SiteIn,
    SiteOut,
    SitePatch,
)
from app.types import IdPath, Offset, Texte

router = APIRouter(tags=["registre"])

Limit = Annotated[int, Query(ge=1, le=200)]
ManagersAndSelf = Annotated[Principal, Depends(require_roles(*STATE_ROLES | PROFESSIONAL_ROLES))]
MeasureWriters = Annotated[Principal, Depends(require_roles(*PROFESSIONAL_OR_ADMIN_ROLES))]
READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


# --- professionals ---------------------------------------------------------------------------------


@router.post("/mandataires", status_code=status.HTTP_201_CREATED, response_model=MandataireOut, responses=WRITE_ERRORS)
def create_mandataire(
    payload: MandataireCreate, principal: Agents, session: WriteSessionDep, gazetteer: GazetteerDep
) -> MandataireOut:
    mandataire = service.create_mandataire(session, principal=principal, gazetteer=gazetteer, payload=payload)
    session.commit()
    return mandataire_out(mandataire, gazetteer)


@router.get("/mandataires", response_model=Page[MandataireOut], responses=error_responses(401, 422))
def list_mandataires(
    principal: CurrentPrincipal,
    session: SessionDep,
    gazetteer: GazetteerDep,
    type: MandataireType | None = None,
    departement: Annotated[str | None, Query(pattern=DEPARTEMENT_PATTERN)] = None,
    tribunal: Annotated[
        Texte | None, Query(description="SIRET ou code : les mandataires qui peuvent servir ce tribunal")
    ] = None,
    specialite: Specialite | None = None,
    statut: MandataireStatut | None = None,
    disponible: Annotated[
        bool | None, Query(description="Actif, accepte de nouvelles mesures, places libres, non absent")
    ] = None,
    q: Annotated[
        Texte | None, Query(min_length=2, max_length=100, description="Recherche dans le nom (dans votre périmètre)")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[MandataireOut]:
    tribunal_id = resolve_tribunal(session, gazetteer, tribunal, ["query", "tribunal"]).id if tribunal else None
    total, items = service.list_mandataires(
        session,
        principal=principal,
        limit=limit,
        offset=offset,
        today=date.today(),
        type=type,
        departement=departement,
        tribunal_id=tribunal_id,
        specialite=specialite,
        statut=statut,
        disponible=disponible,
        q=q,
    )
    return Page[MandataireOut](total=total, items=[mandataire_out(m, gazetteer) for m in items])


@router.get("/mandataires/{mandataire_id}", response_model=MandataireOut, responses=READ_ERRORS)
def get_mandataire(
    mandataire_id: IdPath, principal: CurrentPrincipal, session: SessionDep, gazetteer: GazetteerDep
) -> MandataireOut:
    return mandataire_out(service.get_mandataire(session, principal=principal, mandataire_id=mandataire_id), gazetteer)


@router.patch("/mandataires/{mandataire_id}", response_model=MandataireOut, responses=WRITE_ERRORS)
def update_mandataire(
    mandataire_id: IdPath,
    payload: MandataireUpdate,
    principal: ManagersAndSelf,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
) -> MandataireOut:
    mandataire = service.get_managed_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    service.update_mandataire(session, principal=principal, gazetteer=gazetteer, mandataire=mandataire, payload=payload)
    session.commit()
    return mandataire_out(mandataire, gazetteer)


@router.get("/mandataires/{mandataire_id}/etp", response_model=list[EtpOut], responses=READ_ERRORS)
def get_etp(mandataire_id: IdPath, principal: ManagersAndSelf, session: SessionDep) -> list[EtpOut]:
    """The full-time equivalents (ETP) a professional (a service, chiefly) declared, year by year: the
    professional itself, agents of its territory, admins."""
    mandataire = service.get_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    return [EtpOut.model_validate(row) for row in service.etp_of(session, mandataire=mandataire)]


@router.put("/mandataires/{mandataire_id}/etp/{annee}", response_model=EtpOut, responses=WRITE_ERRORS)
def put_etp(
    mandataire_id: IdPath,
    annee: Annotated[int, Path(ge=2000, le=2100, description="Année")],
    payload: EtpIn,
    principal: ManagersAndSelf,
    session: WriteSessionDep,
) -> EtpOut:
    """Declare or correct a professional's ETP for a year (for a service, the denominator of its measures per ETP
    in the dashboards): the professional itself, agents of its territory, admins."""
    mandataire = service.get_managed_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    declared = service.set_etp(session, mandataire=mandataire, annee=annee, etp=payload.etp)
    session.commit()
    return EtpOut.model_validate(declared)


@router.post("/mandataires/{mandataire_id}/sites", status_code=201, response_model=SiteOut, responses=WRITE_ERRORS)
def add_site(
    mandataire_id: IdPath,
    payload: SiteIn,
    principal: ManagersAndSelf,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
) -> SiteOut:
    mandataire = service.get_managed_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    site = service.add_site(session, gazetteer=gazetteer, mandataire=mandataire, payload=payload)
    session.commit()
    return site_out(site, gazetteer)


@router.patch("/mandataires/{mandataire_id}/sites/{site_id}", response_model=SiteOut, responses=WRITE_ERRORS)
def update_site(
    mandataire_id: IdPath,
    site_id: IdPath,
    payload: SitePatch,
    principal: ManagersAndSelf,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
) -> SiteOut:
    mandataire = service.get_managed_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    site = service.update_site(session, gazetteer=gazetteer, mandataire=mandataire, site_id=site_id, payload=payload)
    session.commit()
    return site_out(site, gazetteer)


@router.delete("/mandataires/{mandataire_id}/sites/{site_id}", status_code=204, responses=WRITE_ERRORS)
def delete_site(
    mandataire_id: IdPath, site_id: IdPath, principal: ManagersAndSelf, session: WriteSessionDep
) -> Response:
    mandataire = service.get_managed_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    service.delete_site(session, mandataire=mandataire, site_id=site_id)
    session.commit()
    return Response(status_code=204)


@router.post(
    "/mandataires/{mandataire_id}/absences", status_code=201, response_model=AbsenceOut, responses=WRITE_ERRORS
)
def add_absence(
    mandataire_id: IdPath, payload: AbsenceIn, principal: ManagersAndSelf, session: WriteSessionDep
) -> AbsenceOut:
    mandataire = service.get_managed_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    absence = service.add_absence(session, mandataire=mandataire, payload=payload)
    session.commit()
    return AbsenceOut(
        id=absence.id, debut=absence.debut, fin=absence.fin, motif=absence.motif, remplacant=absence.remplacant_id
    )


@router.delete("/mandataires/{mandataire_id}/absences/{absence_id}", status_code=204, responses=WRITE_ERRORS)
def delete_absence(
    mandataire_id: IdPath, absence_id: IdPath, principal: ManagersAndSelf, session: WriteSessionDep
) -> Response:
    mandataire = service.get_managed_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    service.delete_absence(session, mandataire=mandataire, absence_id=absence_id)
    session.commit()
    return Response(status_code=204)


# --- establishments --------------------------------------------------------------------------------


@router.post("/etablissements", status_code=201, response_model=EtablissementOut, responses=WRITE_ERRORS)
def create_etablissement(
    payload: EtablissementIn, principal: Agents, session: WriteSessionDep, gazetteer: GazetteerDep
) -> Etablissement:
    etablissement = service.create_etablissement(session, principal=principal, gazetteer=gazetteer, payload=payload)
    session.commit()
    return etablissement


@router.get("/etablissements", response_model=Page[EtablissementOut], responses=error_responses(401, 422))
def list_etablissements(
    principal: CurrentPrincipal,
    session: SessionDep,
    departement: Annotated[str | None, Query(pattern=DEPARTEMENT_PATTERN)] = None,
    q: Annotated[Texte | None, Query(min_length=2, max_length=100)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[EtablissementOut]:
    total, items = service.list_etablissements(session, departement=departement, q=q, limit=limit, offset=offset)
    return Page[EtablissementOut](total=total, items=[EtablissementOut.model_validate(e) for e in items])


@router.get("/etablissements/{etablissement_id}", response_model=EtablissementOut, responses=READ_ERRORS)
def get_etablissement(etablissement_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> Etablissement:
    return service.get_etablissement(session, etablissement_id=etablissement_id)


@router.patch("/etablissements/{etablissement_id}", response_model=EtablissementOut, responses=WRITE_ERRORS)
def update_etablissement(
    etablissement_id: IdPath,
    payload: EtablissementPatch,
    principal: Agents,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
) -> Etablissement:
    etablissement = service.get_etablissement(session, etablissement_id=etablissement_id)
    service.update_etablissement(
        session, principal=principal, gazetteer=gazetteer, etablissement=etablissement, payload=payload
    )
    session.commit()
    return etablissement


# --- measures --------------------------------------------------------------------------------------


@router.post("/mesures", status_code=201, response_model=MesureOut, responses=WRITE_ERRORS)
def create_mesure(
    payload: MesureCreate,
    principal: MeasureWriters,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
    locator: LocatorDep,
    settings: SettingsDep,
) -> MesureOut:
    mesure = service.create_mesure(
        session, principal=principal, gazetteer=gazetteer, locator=locator, settings=settings, payload=payload
    )
    session.commit()
    return mesure_out(mesure)


@router.get("/mesures", response_model=Page[MesureOut], responses=error_responses(401, 422))
def list_mesures(
    principal: CurrentPrincipal, session: SessionDep, filters: MesureFilters, limit: Limit = 50, offset: Offset = 0
) -> Page[MesureOut]:
    total, items = service.list_mesures(session, principal=principal, limit=limit, offset=offset, **filters)
    return Page[MesureOut](total=total, items=[mesure_out(m) for m in items])


@router.get("/mesures/{mesure_id}", response_model=MesureOut, responses=READ_ERRORS)
def get_mesure(mesure_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> MesureOut:
    return mesure_out(service.get_mesure(session, principal=principal, mesure_id=mesure_id))


@router.patch("/mesures/{mesure_id}", response_model=MesureOut, responses=WRITE_ERRORS)
def update_mesure(
    mesure_id: IdPath,
    payload: MesureUpdate,
    principal: MeasureWriters,
    session: WriteSessionDep,
    locator: LocatorDep,
    settings: SettingsDep,
) -> MesureOut:
    mesure = service.get_writable_mesure(session, principal=principal, mesure_id=mesure_id)
    service.update_mesure(
        session, principal=principal, locator=locator, settings=settings, mesure=mesure, payload=payload
    )
    session.commit()
    return mesure_out(mesure)


@router.delete("/mesures/{mesure_id}", status_code=204, responses=WRITE_ERRORS)
def delete_mesure(mesure_id: IdPath, principal: MeasureWriters, session: WriteSessionDep) -> Response:
    service.delete_mesure(
        session, mesure=service.get_writable_mesure(session, principal=principal, mesure_id=mesure_id)
    )
    session.commit()
    return Response(status_code=204)
