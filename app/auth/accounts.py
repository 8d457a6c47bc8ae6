"""Who may sign in, and the access journal. Pure lookups on the `compte` table: no registry (account management,
which checks scopes against the registry and sends invitations, is `app.accounts`).

Interface for the sign-in flows (OpenID Connect, the development sign-in, invitation links):

- `account_for_sign_in(session, *, email, siret=None) -> Account`: the account a verified e-mail (and, for a
  professional, the provider's SIRET claim) names, or `SignInRefused` (403) whose French message says whom to ask:
  `compte_inconnu` (no account for that e-mail or SIRET), `compte_desactive`, `siret_different` (the claim
  contradicts the professional's registered SIRET). An invited account becomes active on its first sign-in.
  The white list: a professional's account (role mandataire) carries the SIRET of their record, and a person whose
  provider sends that SIRET is let in even under another e-mail, when exactly one such account exists.
- `record_sign_in(session, *, account_id, email, ip, outcome, reason=None, provider=None)`: one journal line per
  sign-in attempt, `outcome` "reussie" or "refusee" (`reason`: the refusal's code). Write it in the same
  transaction as the session, or, for a refusal, in a transaction of its own that is committed.
- `record_access(...)`: any other journal line (account changes, tokens, sign-out).

The journal (`journal_acces`) keeps the e-mail tried and the address; logs never do. It is purged with the audit
(AUDIT_RETENTION_DAYS)."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.auth.constants import AccessAction, AccountState, Role
from app.auth.exceptions import DisabledAccount, InvalidInvitation, InvitationExpired, SiretMismatch, UnknownAccount
from app.auth.models import AccessEvent, Account
from app.auth.principal import Principal
from app.database import rowcount, utcnow

# Whom a refused person should ask, in every refusal message.
ASK = (
    "Demandez à votre administrateur, à l'agent de la DDETS ou de la DREETS de votre territoire (mandataires) ou "
    "au greffe de votre tribunal (magistrats, greffiers) de vous inviter."
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _asking(message: str) -> str:
    return f"{message} {ASK}"


def account_for_sign_in(session: Session, *, email: str, siret: str | None = None) -> Account:
    email = normalise_email(email)
    account = session.scalar(select(Account).where(Account.email == email))
    if account is None and siret:
        matches = list(
            session.scalars(
                select(Account).where(Account.siret == siret, Account.role == Role.MANDATAIRE.value).limit(2)
            )
        )
        account = matches[0] if len(matches) == 1 else None
    if account is None:
        raise UnknownAccount(_asking("Aucun compte mjpm-match ne correspond à cette adresse électronique."))
    if account.etat == AccountState.DESACTIVE:
        raise DisabledAccount(_asking("Votre compte mjpm-match est désactivé."))
    if account.role == Role.MANDATAIRE and siret and account.siret and siret != account.siret:
        raise SiretMismatch(_asking("Le SIRET transmis ne correspond pas à celui de votre dossier de mandataire."))
    if account.etat == AccountState.INVITE:
        activate(account)
    return account


def activate(account: Account, now: datetime | None = None) -> None:
    """An invited account becomes active; its invitation link no longer works."""
    account.etat = AccountState.ACTIF
    account.invitation_hash = None
    account.invitation_expires_at = None
    account.updated_at = now or utcnow()


def hash_invitation(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_invitation(account: Account, *, days: int, now: datetime | None = None) -> str:
    """Give an account a fresh invitation (the previous link stops working); returns the secret of its link."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    account.invitation_hash = hash_invitation(secret)
    account.invitation_expires_at = now + timedelta(days=days)
    account.updated_at = now
    return secret


def accept_invitation(session: Session, secret: str, now: datetime | None = None) -> Account:
    """The account an invitation link names, made active; the link works once and until its expiry."""
    now = now or utcnow()
    account = session.scalar(select(Account).where(Account.invitation_hash == hash_invitation(secret)))
    if account is None or account.etat != AccountState.INVITE:
        raise InvalidInvitation(_asking("Ce lien d'invitation n'est pas valable ou a déjà servi."))
    if account.invitation_expires_at is None or account.invitation_expires_at <= now:
        raise InvitationExpired(_asking("Ce lien d'invitation a expiré."))
    activate(account, now)
    return account


def record_access(
    session: Session,
    *,
    action: AccessAction,
    actor: Principal | None = None,
    account_id: int | None = None,
    token_id: int | None = None,
    email: str | None = None,
    ip: str | None = None,
    details: dict | None = None,
) -> AccessEvent:
    """Add a journal line to the caller's transaction (`actor` None: the person themself or the system)."""
    event = AccessEvent(
        action=action.value,
        compte_id=account_id,
        jeton_id=token_id,
        acteur_compte_id=actor.account_id if actor else None,
        acteur_jeton_id=actor.token_id if actor else None,
        email=normalise_email(email) if email else None,
        ip=ip,
        details=details or {},
    )
    session.add(event)
    return event


def record_sign_in(
    session: Session,
    *,
    account_id: int | None,
    email: str | None,
    ip: str | None,
    outcome: Literal["reussie", "refusee"],
    reason: str | None = None,
    provider: str | None = None,
) -> AccessEvent:
    details = {key: value for key, value in (("motif", reason), ("fournisseur", provider)) if value}
    action = AccessAction.CONNEXION if outcome == "reussie" else AccessAction.CONNEXION_REFUSEE
    return record_access(session, action=action, account_id=account_id, email=email, ip=ip, details=details)


def purge_journal(session: Session, *, now: datetime, retention_days: int) -> int:
    """Delete the journal lines older than the audit's retention period; returns how many."""
    cutoff = now - timedelta(days=retention_days)
    return rowcount(session.execute(delete(AccessEvent).where(AccessEvent.created_at < cutoff)))
