"""Request-time authentication: a bearer token, stored as its HMAC-SHA256 hash, resolved to a Principal.

Tokens are issued by `app.tokens` (the command line, `POST /jetons`); this module reads them and imports no
registry. Web sessions are resolved by `app.auth.sessions` with the same scope rule (`scope_departements`)."""

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from app.auth.constants import JUDICIAL_ROLES, Access, AccountState, Role
from app.auth.exceptions import InvalidToken, TokenExpired
from app.auth.models import Account, ApiToken
from app.auth.principal import Principal
from app.database import utcnow
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal


def hash_token(token: str, secret: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def scope_departements(
    gazetteer: Gazetteer,
    *,
    role: Role,
    departement: str | None,
    region: str | None,
    tribunal_departement: str | None,
) -> frozenset[str] | None:
    """The départements a role and scope cover (None: the whole country), for tokens and accounts alike."""
    if departement:
        return frozenset({departement})
    if region:
        return frozenset(code for code, d in gazetteer.departements.items() if d.region == region)
    if role in JUDICIAL_ROLES:
        return frozenset({tribunal_departement}) if tribunal_departement else frozenset()
    if role == Role.MANDATAIRE:
        return frozenset()
    return None


def scoped_principal(
    gazetteer: Gazetteer,
    row: Row,
    *,
    token_id: int | None,
    account_id: int | None,
    expires_at: datetime | None,
    read_only: bool = False,
) -> Principal:
    """The caller a token's or a session's row names: its role, the territory its scope covers, its tribunal and
    its professional (the row's `role`, `departement`, `region`, `tribunal_departement`, `tribunal_id`,
    `mandataire_id`)."""
    role = Role(row.role)
    return Principal(
        token_id=token_id,
        role=role,
        departements=scope_departements(
            gazetteer,
            role=role,
            departement=row.departement,
            region=row.region,
            tribunal_departement=row.tribunal_departement,
        ),
        tribunal_id=row.tribunal_id,
        mandataire_id=row.mandataire_id,
        account_id=account_id,
        read_only=read_only,
        expires_at=expires_at,
    )


# Built once: authentication runs on every request, so it is one Core query with the judge's tribunal joined
# and the personal token's account (a disabled account's tokens stop working).
_TOKEN = (
    select(
        ApiToken.id,
        ApiToken.role,
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.acces,
        ApiToken.compte_id,
        ApiToken.tribunal_id,
        ApiToken.departement,
        ApiToken.region,
        ApiToken.mandataire_id,
        Tribunal.departement.label("tribunal_departement"),
        Account.etat.label("compte_etat"),
    )
    .outerjoin(Tribunal, Tribunal.id == ApiToken.tribunal_id)
    .outerjoin(Account, Account.id == ApiToken.compte_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def token_expired() -> InvalidToken:
    return TokenExpired("jeton expiré : demandez-en un nouveau à votre administrateur")


def authenticate(session: Session, *, secret: str, gazetteer: Gazetteer, token: str) -> Principal:
    row = session.connection().execute(_TOKEN, {"token_hash": hash_token(token, secret)}).first()
    if row is None or row.revoked_at is not None:
        raise InvalidToken("jeton inconnu ou révoqué")
    if row.compte_id is not None and row.compte_etat != AccountState.ACTIF:  # disabled (or missing)
        raise InvalidToken("jeton d'un compte désactivé")
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise token_expired()
    return scoped_principal(
        gazetteer,
        row,
        token_id=row.id,
        account_id=row.compte_id,
        read_only=row.acces == Access.LECTURE,
        expires_at=row.expires_at,
    )
