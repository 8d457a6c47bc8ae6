"""Bearer tokens created by an administrator (CLI), by an admin or a signed-in person (`POST /jetons`), stored as
HMAC-SHA256 hashes (`app.auth` checks them). The scope check (`check_scope`) also serves people's accounts."""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.auth.accounts import record_access
from app.auth.constants import JUDICIAL_ROLES, Access, AccessAction, Role
from app.auth.exceptions import Forbidden, OutsideScope
from app.auth.models import Account, ApiToken
from app.auth.principal import Principal
from app.auth.service import hash_token
from app.config import DEFAULT_TOKEN_EXPIRY_DAYS
from app.database import utcnow
from app.errors import InvalidInput
from app.geo.exceptions import UnknownDepartement, UnknownRegion
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal
from app.geo.tribunals import resolve_tribunal
from app.registry.exceptions import UnknownMandataire
from app.registry.models import Mandataire
from app.tokens.exceptions import ExpiryOutOfBounds, ExpiryPassed, TokenNotFound, UnknownToken

TOKEN_PREFIX = "mjpm_"


@dataclass(frozen=True)
class Scope:
    """A role's scope, checked against the reference data and the registry."""

    tribunal_id: int | None = None
    departement: str | None = None
    region: str | None = None
    mandataire_id: int | None = None
    # The professional's SIRET, for a mandataire's scope (the white list of accounts).
    siret: str | None = None


def check_scope(
    session: Session,
    gazetteer: Gazetteer,
    *,
    role: Role,
    tribunal: str | None = None,
    departement: str | None = None,
    region: str | None = None,
    mandataire_id: int | None = None,
) -> Scope:
    """The scope a role may have: magistrat and greffier a tribunal, an agent a département, a région or neither
    (national), a mandataire their record, an admin nothing; anything else is refused naming the field."""
    tribunal_id = None
    if role in JUDICIAL_ROLES:
        tribunal_id = resolve_tribunal(session, gazetteer, tribunal or "", ["tribunal"]).id
    elif tribunal is not None:
        raise InvalidInput("seuls magistrat et greffier ont un tribunal", loc=["tribunal"])
    if role == Role.AGENT:
        if departement is not None and departement not in gazetteer.departements:
            raise UnknownDepartement(f"département inconnu : {departement}", loc=["departement"])
        if region is not None and region not in gazetteer.regions:
            raise UnknownRegion(f"région inconnue : {region}", loc=["region"])
        if departement and region:
            raise InvalidInput(
                "un agent a pour territoire un département, une région, ou la France entière", loc=["region"]
            )
    elif departement is not None or region is not None:
        raise InvalidInput("seul un agent a un territoire", loc=["departement" if departement else "region"])
    siret = None
    if role == Role.MANDATAIRE:
        mandataire = session.get(Mandataire, mandataire_id) if mandataire_id is not None else None
        if mandataire is None:
            raise UnknownMandataire(f"mandataire inconnu : {mandataire_id}", loc=["mandataire"])
        siret = mandataire.siret
    elif mandataire_id is not None:
        raise InvalidInput("seul le rôle mandataire est rattaché à un mandataire", loc=["mandataire"])
    return Scope(tribunal_id, departement, region, mandataire_id, siret)


def issue_token(
    session: Session,
    *,
    secret: str,
    gazetteer: Gazetteer,
    role: Role,
    nom: str | None = None,
    tribunal: str | None = None,
    departement: str | None = None,
    region: str | None = None,
    mandataire_id: int | None = None,
    expires_at: datetime | None = None,
    acces: Access = Access.ECRITURE,
    compte_id: int | None = None,
) -> tuple[str, ApiToken]:
    """Store a new token for a role and its scope; returns the token, which is shown once and never stored (only
    its hash), and the stored row. It expires at `expires_at` (default: DEFAULT_TOKEN_EXPIRY_DAYS from now)."""
    scope = check_scope(
        session,
        gazetteer,
        role=role,
        tribunal=tribunal,
        departement=departement,
        region=region,
        mandataire_id=mandataire_id,
    )
    now = utcnow()
    if expires_at is not None and expires_at <= now:
        raise ExpiryPassed("la date d'expiration doit être dans le futur", loc=["expire_le"])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=hash_token(token, secret),
        role=role.value,
        nom=nom,
        tribunal_id=scope.tribunal_id,
        departement=scope.departement,
        region=scope.region,
        mandataire_id=scope.mandataire_id,
        created_at=now,
        expires_at=expires_at or now + timedelta(days=DEFAULT_TOKEN_EXPIRY_DAYS),
        acces=acces.value,
        compte_id=compte_id,
    )
    session.add(row)
    session.flush()
    return token, row


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Revoke a token (idempotent: an already revoked token keeps its first revocation date)."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise UnknownToken(f"jeton inconnu : {token_id}", loc=["id"])
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def token_state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoque"
    if token.expires_at is not None and token.expires_at <= now:
        return "expire"
    return "actif"


def list_token_page(
    session: Session, *, compte: int | None, actifs: bool, limit: int, offset: int
) -> tuple[int, list[ApiToken]]:
    query = select(ApiToken)
    if compte is not None:
        query = query.where(ApiToken.compte_id == compte)
    if actifs:
        now = utcnow()
        query = query.where(
            ApiToken.revoked_at.is_(None), or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return total, list(session.scalars(query.order_by(ApiToken.id.desc()).limit(limit).offset(offset)))


def revoke_for(session: Session, *, principal: Principal, token_id: int, ip: str | None) -> ApiToken:
    """An admin revokes a token (404 when unknown); the access journal keeps who and when."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise TokenNotFound(f"jeton introuvable : {token_id}", loc=["path", "jeton_id"])
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_access(session, action=AccessAction.JETON_REVOQUE, actor=principal, token_id=token.id, ip=ip)
    session.flush()
    return token


def create_personal_token(
    session: Session,
    *,
    principal: Principal,
    secret: str,
    gazetteer: Gazetteer,
    max_days: int,
    nom: str,
    acces: Access,
    expire_le: date | None,
    departement: str | None,
    ip: str | None,
) -> tuple[str, ApiToken]:
    """A token for the signed-in person, never beyond their own role and scope: their account's, or for an agent
    one département of their territory. Only a person signed in to a web session may make one (a token cannot)."""
    if principal.account_id is None or principal.token_id is not None:
        raise Forbidden("seule une personne connectée (session) crée un jeton personnel")
    account = session.get(Account, principal.account_id)
    if account is None:
        raise Forbidden("compte introuvable")
    today = utcnow().date()
    if expire_le is not None and not today < expire_le <= today + timedelta(days=max_days):
        raise ExpiryOutOfBounds(
            f"la date d'expiration doit être entre demain et dans {max_days} jours",
            loc=["body", "expire_le"],
        )
    scope = {"departement": account.departement, "region": account.region}
    if departement is not None:
        if principal.role != Role.AGENT or not principal.covers_all({departement}):
            raise OutsideScope(
                "un jeton personnel ne dépasse pas votre périmètre : seul un agent peut le limiter à un département "
                "de son territoire",
            )
        scope = {"departement": departement, "region": None}
    tribunal = None
    if account.tribunal_id is not None:
        own = session.get(Tribunal, account.tribunal_id)
        tribunal = (own.siret or own.code) if own else None
    token, row = issue_token(
        session,
        secret=secret,
        gazetteer=gazetteer,
        role=Role(account.role),
        nom=nom,
        tribunal=tribunal,
        mandataire_id=account.mandataire_id,
        expires_at=datetime.combine(expire_le, time.max, tzinfo=UTC) if expire_le else None,
        acces=acces,
        compte_id=account.id,
        **scope,
    )
    record_access(
        session, action=AccessAction.JETON_CREE, actor=principal, account_id=account.id, token_id=row.id, ip=ip
    )
    return token, row
