from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from app.accounts import service
from app.accounts.schemas import CompteCreate, CompteOut, ComptePage, CompteUpdate, MembreOut
from app.auth.constants import PROFESSIONAL_OR_ADMIN_ROLES, AccessAction, AccountState, Role
from app.auth.dependencies import Agents, require_roles
from app.auth.models import Account
from app.auth.principal import Principal
from app.auth.sessions import client_ip
from app.config import Settings
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.errors import error_responses
from app.geo.dependencies import GazetteerDep
from app.geo.gazetteer import Gazetteer
from app.registry.service import get_mandataire
from app.types import Id, IdPath, Offset, Texte

router = APIRouter(prefix="/comptes", tags=["comptes"])
# A professional reads who acts for its record (a service, its staff); admins too.
members_router = APIRouter(tags=["comptes"])

# Admins manage every account, agents the professionals' and agents' accounts of their territory.
Limit = Annotated[int, Query(ge=1, le=200)]


def compte_out(account: Account) -> CompteOut:
    return CompteOut(
        id=account.id,
        email=account.email,
        nom=account.nom,
        prenom=account.prenom,
        role=Role(account.role),
        tribunal=account.tribunal_id,
        departement=account.departement,
        region=account.region,
        mandataire=account.mandataire_id,
        siret=account.siret,
        etat=AccountState(account.etat),
        invitation_expire_le=account.invitation_expires_at,
        created_at=account.created_at,
        updated_at=account.updated_at,
        derniere_connexion_at=account.derniere_connexion_at,
    )


@router.get("", response_model=ComptePage, responses=error_responses(401, 403))
def list_comptes(
    principal: Agents,
    session: SessionDep,
    gazetteer: GazetteerDep,
    role: Role | None = None,
    etat: AccountState | None = None,
    q: Annotated[Texte | None, Query(max_length=100, description="Début de l'adresse, du nom ou du prénom")] = None,
    mandataire: Annotated[Id | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ComptePage:
    """The accounts the caller manages (admins: all; agents: professionals and agents of their territory)."""
    total, items = service.list_accounts(
        session,
        principal=principal,
        gazetteer=gazetteer,
        role=role,
        etat=etat,
        q=q,
        mandataire=mandataire,
        limit=limit,
        offset=offset,
    )
    return ComptePage(total=total, items=[compte_out(a) for a in items])


@router.post("", status_code=201, response_model=CompteOut, responses=error_responses(401, 403, 409))
def create_compte(
    payload: CompteCreate,
    request: Request,
    principal: Agents,
    session: WriteSessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
) -> CompteOut:
    """Create an account (state `invite`) and send its invitation: an e-mail through the outbox with a link valid
    INVITATION_DAYS days, once."""
    account = service.create_account(
        session, principal=principal, gazetteer=gazetteer, settings=settings, payload=payload, ip=client_ip(request)
    )
    session.commit()
    return compte_out(account)


@router.get("/{compte_id}", response_model=CompteOut, responses=error_responses(401, 403, 404))
def get_compte(compte_id: IdPath, principal: Agents, session: SessionDep, gazetteer: GazetteerDep) -> CompteOut:
    return compte_out(service.get_account(session, principal=principal, gazetteer=gazetteer, account_id=compte_id))


@router.patch("/{compte_id}", response_model=CompteOut, responses=error_responses(401, 403, 404, 409))
def update_compte(
    compte_id: IdPath,
    payload: CompteUpdate,
    request: Request,
    principal: Agents,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
) -> CompteOut:
    """Change names, e-mail, or the role and scope (`perimetre`, checked like a creation; the sessions end)."""
    account = service.update_account(
        session, principal=principal, gazetteer=gazetteer, account_id=compte_id, payload=payload, ip=client_ip(request)
    )
    session.commit()
    return compte_out(account)


@router.post("/{compte_id}/desactivation", response_model=CompteOut, responses=error_responses(401, 403, 404, 409))
def disable_compte(
    compte_id: IdPath, request: Request, principal: Agents, session: WriteSessionDep, gazetteer: GazetteerDep
) -> CompteOut:
    """Disable an account: its sessions end, its tokens and invitation stop working (idempotent)."""
    account = service.disable_account(
        session, principal=principal, gazetteer=gazetteer, account_id=compte_id, ip=client_ip(request)
    )
    session.commit()
    return compte_out(account)


@router.post("/{compte_id}/reactivation", response_model=CompteOut, responses=error_responses(401, 403, 404, 409))
def enable_compte(
    compte_id: IdPath,
    request: Request,
    principal: Agents,
    session: WriteSessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
) -> CompteOut:
    """Re-enable a disabled account: active again if the person had signed in, else invited anew."""
    return _reopen(AccessAction.REACTIVATION, compte_id, request, principal, session, settings, gazetteer)


@router.post("/{compte_id}/invitation", response_model=CompteOut, responses=error_responses(401, 403, 404, 409))
def resend_invitation(
    compte_id: IdPath,
    request: Request,
    principal: Agents,
    session: WriteSessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
) -> CompteOut:
    """Send a new invitation (the previous link stops working) to an account still invited."""
    return _reopen(AccessAction.INVITATION, compte_id, request, principal, session, settings, gazetteer)


def _reopen(
    action: Literal[AccessAction.REACTIVATION, AccessAction.INVITATION],
    compte_id: int,
    request: Request,
    principal: Principal,
    session: Session,
    settings: Settings,
    gazetteer: Gazetteer,
) -> CompteOut:
    """The one path of both ways back to an account (`service.reopen_account`)."""
    account = service.reopen_account(
        session,
        principal=principal,
        gazetteer=gazetteer,
        settings=settings,
        account_id=compte_id,
        action=action,
        ip=client_ip(request),
    )
    session.commit()
    return compte_out(account)


@members_router.get(
    "/mandataires/{mandataire_id}/comptes", response_model=list[MembreOut], responses=error_responses(401, 403, 404)
)
def list_membres(
    mandataire_id: IdPath,
    principal: Annotated[Principal, Depends(require_roles(*PROFESSIONAL_OR_ADMIN_ROLES))],
    session: SessionDep,
) -> list[MembreOut]:
    """The people whose accounts act for this professional's record (for a service, its staff), by name: the
    professional itself and administrators; another professional's record answers 404."""
    get_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    return [
        MembreOut(
            id=a.id,
            prenom=a.prenom,
            nom=a.nom,
            email=a.email,
            etat=AccountState(a.etat),
            derniere_connexion_at=a.derniere_connexion_at,
        )
        for a in service.members(session, mandataire_id=mandataire_id)
    ]
