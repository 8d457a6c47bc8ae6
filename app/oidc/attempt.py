"""A started sign-in, kept until the callback in a short-lived cookie signed with the service's secret.

The cookie holds the `state`, the `nonce`, the PKCE verifier and the page to return to; its signature (HMAC-SHA256
under a key derived from TOKEN_SECRET) and expiry are checked by joserfc. It is SameSite=Lax: the provider sends
the browser back to the callback from another site, and a Strict cookie would not come along.
"""

import hashlib
import hmac
import time

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

from app.oidc.client import PendingSignIn
from app.oidc.exceptions import expired_attempt

ATTEMPT_COOKIE = "mjpm_oidc_tentative"
ATTEMPT_MAX_AGE_S = 600  # ten minutes to sign in at the provider


def _key(secret: str) -> OctKey:
    return OctKey.import_key(hmac.new(secret.encode(), b"mjpm oidc sign-in attempt", hashlib.sha256).digest())


def seal(pending: PendingSignIn, next_page: str, *, secret: str) -> str:
    claims = {
        "state": pending.state,
        "nonce": pending.nonce,
        "verifier": pending.code_verifier,
        "suivant": next_page,
        "exp": int(time.time()) + ATTEMPT_MAX_AGE_S,
    }
    return jwt.encode({"alg": "HS256"}, claims, _key(secret))


def unseal(value: str | None, *, secret: str) -> tuple[PendingSignIn, str]:
    """The pending sign-in and the page to return to; raises ProviderAnswerRefused (etat_invalide) for a missing,
    altered or expired cookie."""
    if not value:
        raise expired_attempt()
    try:
        token = jwt.decode(value, _key(secret), algorithms=["HS256"])
        JWTClaimsRegistry(exp={"essential": True}).validate(token.claims)
        claims = token.claims
        pending = PendingSignIn(state=claims["state"], nonce=claims["nonce"], code_verifier=claims["verifier"])
        return pending, str(claims.get("suivant") or "")
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise expired_attempt() from error
