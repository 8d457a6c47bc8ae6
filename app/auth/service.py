"""Request-time authentication: a bearer token, stored as its HMAC-SHA256 hash, resolved to a Principal.

Tokens are issued by `app.tokens` (the command line); this module reads them and imports no registry."""

import hashlib
import hmac

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.auth.constants import JUDICIAL_ROLES, Role
from app.auth.exceptions import NotAuthenticated
from app.auth.models import ApiToken
from app.auth.principal import Principal
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal


def hash_token(token: str, secret: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


# Built once: authentication runs on every request, so it is one Core query with the judge's tribunal joined.
_TOKEN = (
    select(
        ApiToken.id,
        ApiToken.role,
        ApiToken.revoked_at,
        ApiToken.tribunal_id,
        ApiToken.departement,
        ApiToken.region,
        ApiToken.mandataire_id,
        Tribunal.departement.label("tribunal_departement"),
    )
    .outerjoin(Tribunal, Tribunal.id == ApiToken.tribunal_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def authenticate(session: Session, *, secret: str, gazetteer: Gazetteer, token: str) -> Principal:
    row = session.connection().execute(_TOKEN, {"token_hash": hash_token(token, secret)}).first()
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated("jeton inconnu ou révoqué")
    role = Role(row.role)
    departements: frozenset[str] | None = None
    if row.departement:
        departements = frozenset({row.departement})
    elif row.region:
        departements = frozenset(code for code, d in gazetteer.departements.items() if d.region == row.region)
    elif role in JUDICIAL_ROLES:
        departements = frozenset({row.tribunal_departement}) if row.tribunal_departement else frozenset()
    elif role == Role.MANDATAIRE:
        departements = frozenset()
    return Principal(
        token_id=row.id,
        role=role,
        departements=departements,
        tribunal_id=row.tribunal_id,
        mandataire_id=row.mandataire_id,
    )
