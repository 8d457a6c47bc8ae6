"""Bearer tokens created by an administrator (CLI), stored as HMAC-SHA256 hashes (`app.auth` checks them)."""

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.constants import JUDICIAL_ROLES, Role
from app.auth.models import ApiToken
from app.auth.service import hash_token
from app.database import utcnow
from app.errors import InvalidInput
from app.geo.gazetteer import Gazetteer
from app.geo.tribunals import resolve_tribunal
from app.registry.models import Mandataire

TOKEN_PREFIX = "mjpm_"


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
