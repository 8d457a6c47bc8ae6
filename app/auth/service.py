"""Bearer tokens: created by an administrator (CLI), stored as HMAC-SHA256 hashes, resolved to a Principal."""

import hashlib
import hmac
import secrets

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.auth.constants import JUDICIAL_ROLES, Role
from app.auth.exceptions import NotAuthenticated
from app.auth.models import ApiToken
from app.auth.principal import Principal
from app.database import utcnow
from app.errors import InvalidInput
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal
from app.geo.tribunals import resolve_tribunal
from app.registry.models import Mandataire

TOKEN_PREFIX = "mjpm_"


def hash_token(token: str, secret: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def create_token(
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
) -> str:
    """Store a new token for a role and its scope; returns the token, which is shown once and never stored."""
    tribunal_id = None
    if role in JUDICIAL_ROLES:
        tribunal_id = resolve_tribunal(session, gazetteer, tribunal or "", ["tribunal"]).id
    elif tribunal is not None:
        raise InvalidInput("seuls magistrat et greffier ont un tribunal", loc=["tribunal"])
    if role == Role.AGENT:
        if departement is not None and departement not in gazetteer.departements:
            raise InvalidInput(f"département inconnu : {departement}", code="departement_inconnu", loc=["departement"])
        if region is not None and region not in gazetteer.regions:
            raise InvalidInput(f"région inconnue : {region}", code="region_inconnue", loc=["region"])
        if departement and region:
            raise InvalidInput(
                "un agent a pour territoire un département, une région, ou la France entière", loc=["region"]
            )
    elif departement is not None or region is not None:
        raise InvalidInput("seul un agent a un territoire", loc=["departement" if departement else "region"])
    if role == Role.MANDATAIRE:
        if mandataire_id is None or session.get(Mandataire, mandataire_id) is None:
            raise InvalidInput(f"mandataire inconnu : {mandataire_id}", code="mandataire_inconnu", loc=["mandataire"])
    elif mandataire_id is not None:
        raise InvalidInput("seul le rôle mandataire est rattaché à un mandataire", loc=["mandataire"])

    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=hash_token(token, secret),
            role=role.value,
            nom=nom,
            tribunal_id=tribunal_id,
            departement=departement,
            region=region,
            mandataire_id=mandataire_id,
        )
    )
    session.flush()
    return token


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Revoke a token (idempotent: an already revoked token keeps its first revocation date)."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise InvalidInput(f"jeton inconnu : {token_id}", code="jeton_inconnu", loc=["id"])
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


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
