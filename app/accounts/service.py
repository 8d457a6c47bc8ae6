"""Account management: who may manage whom (`Principal.can_manage_account`, pure), invitations through the outbox,
and a journal line for every change (`app.auth.accounts.record_access`).

An account another caller may not manage is not disclosed to them (404); creating or moving an account outside
what the caller may manage is refused (403 `hors_perimetre`). Disabling an account ends its sessions at once (and
every worker refuses them within TOKEN_CACHE_S), and its personal tokens stop working."""

from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.accounts.exceptions import AccountNotDisabled, AccountNotFound, AccountNotInvited, EmailTaken, OwnAccount
from app.accounts.schemas import CompteCreate, CompteUpdate, ScopeIn
from app.auth.accounts import new_invitation, record_access
from app.auth.constants import AccessAction, AccountState, Role
from app.auth.exceptions import OutsideScope
from app.auth.models import Account
from app.auth.principal import Principal
from app.auth.service import scope_departements
from app.auth.sessions import close_account_sessions
from app.config import Settings
from app.database import utcnow
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal
from app.notifications.constants import NotificationKind, Recipient
from app.notifications.service import enqueue
from app.registry.models import MandataireDepartement
from app.tokens.service import Scope, check_scope


def account_departements(session: Session, gazetteer: Gazetteer, account: Account) -> frozenset[str] | None:
    """The territory an account lies in, for the management rule: a professional's départements, an agent's
    territory (None: national), a judge's tribunal's département."""
    if account.role == Role.MANDATAIRE:
        rows = session.scalars(
            select(MandataireDepartement.departement).where(
                MandataireDepartement.mandataire_id == account.mandataire_id
            )
        )
        return frozenset(rows)
    tribunal = session.get(Tribunal, account.tribunal_id) if account.tribunal_id else None
    tribunal_departement = tribunal.departement if tribunal else None
    return scope_departements(
        gazetteer,
        role=Role(account.role),
        departement=account.departement,
        region=account.region,
        tribunal_departement=tribunal_departement,
    )


def _manageable(session: Session, gazetteer: Gazetteer, principal: Principal, account: Account) -> bool:
    return principal.can_manage_account(Role(account.role), account_departements(session, gazetteer, account))


def _visible(principal: Principal, gazetteer: Gazetteer) -> ColumnElement[bool] | None:
    """SQL filter of the accounts a caller may manage (None: all), the same rule as `can_manage_account`."""
    if principal.role == Role.ADMIN:
        return None
    if principal.role != Role.AGENT:
        return Account.id.is_(None)
    if principal.departements is None:
        return Account.role.in_([Role.MANDATAIRE.value, Role.AGENT.value])
    territory = principal.departements
    regions = [
        code
        for code in gazetteer.regions
        if (inside := {d for d, dep in gazetteer.departements.items() if dep.region == code}) and inside <= territory
    ]
    professionals = select(MandataireDepartement.mandataire_id).where(MandataireDepartement.departement.in_(territory))
    return or_(
        and_(Account.role == Role.MANDATAIRE.value, Account.mandataire_id.in_(professionals)),
        and_(Account.role == Role.AGENT.value, or_(Account.departement.in_(territory), Account.region.in_(regions))),
    )


def list_accounts(
    session: Session,
    *,
    principal: Principal,
    gazetteer: Gazetteer,
    role: Role | None,
    etat: AccountState | None,
    q: str | None,
    mandataire: int | None,
    limit: int,
    offset: int,
) -> tuple[int, list[Account]]:
    query = select(Account)
    if (visible := _visible(principal, gazetteer)) is not None:
        query = query.where(visible)
    if role is not None:
        query = query.where(Account.role == role.value)
    if etat is not None:
        query = query.where(Account.etat == etat.value)
    if mandataire is not None:
        query = query.where(Account.mandataire_id == mandataire)
    if q:
        pattern = q.strip().lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(
            or_(
                Account.email.like(pattern),
                func.lower(Account.nom).like(pattern),
                func.lower(Account.prenom).like(pattern),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(session.scalars(query.order_by(Account.nom, Account.prenom, Account.id).limit(limit).offset(offset)))
    return total, items


def get_account(session: Session, *, principal: Principal, gazetteer: Gazetteer, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None or not _manageable(session, gazetteer, principal, account):
        raise AccountNotFound(f"compte introuvable : {account_id}", loc=["path", "compte_id"])
    return account


def _checked_scope(
    session: Session, gazetteer: Gazetteer, principal: Principal, scope: ScopeIn, loc: list[str]
) -> Scope:
    checked = check_scope(
        session,
        gazetteer,
        role=scope.role,
        tribunal=scope.tribunal,
        departement=scope.departement,
        region=scope.region,
        mandataire_id=scope.mandataire,
    )
    probe = Account(
        role=scope.role.value,
        tribunal_id=checked.tribunal_id,
        departement=checked.departement,
        region=checked.region,
        mandataire_id=checked.mandataire_id,
    )
    if not _manageable(session, gazetteer, principal, probe):
        raise OutsideScope(
            "vous ne pouvez pas gérer un compte de ce rôle ou de ce périmètre : les agents gèrent les comptes des "
            "mandataires et des agents de leur territoire, les administrateurs tous les comptes",
        )
    return checked


def _email_free(session: Session, email: str, account_id: int | None = None) -> None:
    other = session.scalar(select(Account.id).where(Account.email == email))
    if other is not None and other != account_id:
        raise EmailTaken("un compte existe déjà pour cette adresse électronique", loc=["email"])


def _invite(session: Session, account: Account, *, settings: Settings, now: datetime) -> None:
    secret = new_invitation(account, days=settings.invitation_days, now=now)
    link = f"{str(settings.public_url).rstrip('/')}/invitation/{secret}"
    enqueue(
        session,
        kind=NotificationKind.INVITATION,
        recipient_email=account.email,
        subject="Votre accès à mjpm-match",
        body=(
            f"Bonjour {account.prenom} {account.nom},\n\n"
            "Un compte mjpm-match (désignation des mandataires judiciaires à la protection des majeurs) a été "
            f"ouvert pour vous. Pour l'activer, ouvrez ce lien, valable {settings.invitation_days} jours et une "
            f"seule fois :\n\n{link}\n\n"
            "Si vous n'attendiez pas ce message, ignorez-le.\n"
        ),
        payload={"destinataire": Recipient.COMPTE.value, "compte": account.id},
        settings=settings,
    )


def create_account(
    session: Session,
    *,
    principal: Principal,
    gazetteer: Gazetteer,
    settings: Settings,
    payload: CompteCreate,
    ip: str | None,
) -> Account:
    """A new account in the `invite` state, and its invitation e-mail in the outbox."""
    checked = _checked_scope(session, gazetteer, principal, payload, ["body"])
    _email_free(session, payload.email)
    now = utcnow()
    account = Account(
        email=payload.email,
        nom=payload.nom,
        prenom=payload.prenom,
        role=payload.role.value,
        tribunal_id=checked.tribunal_id,
        departement=checked.departement,
        region=checked.region,
        mandataire_id=checked.mandataire_id,
        siret=checked.siret,
        etat=AccountState.INVITE,
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    _invite(session, account, settings=settings, now=now)
    record_access(session, action=AccessAction.CREATION, actor=principal, account_id=account.id, ip=ip)
    record_access(session, action=AccessAction.INVITATION, actor=principal, account_id=account.id, ip=ip)
    return account


def update_account(
    session: Session,
    *,
    principal: Principal,
    gazetteer: Gazetteer,
    account_id: int,
    payload: CompteUpdate,
    ip: str | None,
) -> Account:
    account = get_account(session, principal=principal, gazetteer=gazetteer, account_id=account_id)
    changed = sorted(payload.model_fields_set)
    if payload.email is not None:
        _email_free(session, payload.email, account.id)
        account.email = payload.email
    if payload.nom is not None:
        account.nom = payload.nom
    if payload.prenom is not None:
        account.prenom = payload.prenom
    if payload.perimetre is not None:
        checked = _checked_scope(session, gazetteer, principal, payload.perimetre, ["body", "perimetre"])
        account.role = payload.perimetre.role.value
        account.tribunal_id = checked.tribunal_id
        account.departement = checked.departement
        account.region = checked.region
        account.mandataire_id = checked.mandataire_id
        account.siret = checked.siret
        close_account_sessions(session, account.id)  # new rights: sign in again
    account.updated_at = utcnow()
    # The journal names the fields changed, never their values.
    record_access(
        session,
        action=AccessAction.MODIFICATION,
        actor=principal,
        account_id=account.id,
        ip=ip,
        details={"champs": changed},
    )
    session.flush()
    return account


def disable_account(
    session: Session, *, principal: Principal, gazetteer: Gazetteer, account_id: int, ip: str | None
) -> Account:
    account = get_account(session, principal=principal, gazetteer=gazetteer, account_id=account_id)
    if account.id == principal.account_id:
        raise OwnAccount("vous ne pouvez pas désactiver votre propre compte")
    if account.etat != AccountState.DESACTIVE:
        account.etat = AccountState.DESACTIVE
        account.invitation_hash = None
        account.invitation_expires_at = None
        account.updated_at = utcnow()
        close_account_sessions(session, account.id)
        record_access(session, action=AccessAction.DESACTIVATION, actor=principal, account_id=account.id, ip=ip)
    session.flush()
    return account


def reopen_account(
    session: Session,
    *,
    principal: Principal,
    gazetteer: Gazetteer,
    settings: Settings,
    account_id: int,
    action: Literal[AccessAction.REACTIVATION, AccessAction.INVITATION],
    ip: str | None,
) -> Account:
    """The two ways back to an account. REACTIVATION: a disabled account comes back, active if the person had
    signed in before, else invited anew. INVITATION: a new invitation link (the previous one stops working) for an
    account still invited."""
    account = get_account(session, principal=principal, gazetteer=gazetteer, account_id=account_id)
    now = utcnow()
    if action == AccessAction.REACTIVATION:
        if account.etat != AccountState.DESACTIVE:
            raise AccountNotDisabled("ce compte n'est pas désactivé")
        record_access(session, action=AccessAction.REACTIVATION, actor=principal, account_id=account.id, ip=ip)
        account.etat = AccountState.INVITE if account.derniere_connexion_at is None else AccountState.ACTIF
        account.updated_at = now
    elif account.etat != AccountState.INVITE:
        raise AccountNotInvited("seul un compte invité reçoit une invitation")
    if account.etat == AccountState.INVITE:
        _invite(session, account, settings=settings, now=now)
        record_access(session, action=AccessAction.INVITATION, actor=principal, account_id=account.id, ip=ip)
    session.flush()
    return account


def members(session: Session, *, mandataire_id: int) -> list[Account]:
    """The accounts that act for a professional's record, by name."""
    return list(
        session.scalars(
            select(Account)
            .where(Account.mandataire_id == mandataire_id)
            .order_by(Account.nom, Account.prenom, Account.id)
        )
    )
