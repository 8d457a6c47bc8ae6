"""Checks of what the provider signs (ID token, userinfo) and the identity it carries: pure, no network.

authlib's claim classes (over joserfc) do the checking; what they leave to the caller is made explicit here:
the signature against the provider's published keys, with its advertised asymmetric algorithms only (never
`none` nor an HMAC keyed with a public key); `iss` equal to the discovered issuer and `aud` containing our client
id, both required (authlib checks them only when asked); `exp` required and in the future, `iat` present; the
`nonce` of this sign-in (required, then equal). Each failure has its own code.
"""

from dataclasses import dataclass
from typing import Any

from authlib.oauth2.claims import JWTClaims
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingKeyError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from app.oidc.exceptions import (
    AlgorithmRefused,
    EmailMissing,
    EmailNotVerified,
    IdTokenExpired,
    InvalidIdToken,
    InvalidNonce,
    InvalidSignature,
)

ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_S = 60  # clock difference tolerated between the provider and us


class UnknownKey(Exception):
    """The token names a key the provider's published set lacks: the set may have rotated (fetch it again)."""


def allowed_algorithms(advertised: list[str] | None) -> list[str]:
    algorithms = [a for a in advertised or ["RS256"] if a in ASYMMETRIC_ALGORITHMS]
    if not algorithms:
        raise AlgorithmRefused("Le fournisseur d'identité ne signe qu'avec des algorithmes refusés ici.")
    return algorithms


def _decode(value: str, keys: KeySet, algorithms: list[str]):
    try:
        return jwt.decode(value, keys, registry=JWSRegistry(algorithms=algorithms, strict_check_header=False))
    except (InvalidKeyIdError, MissingKeyError) as error:
        raise UnknownKey from error
    except BadSignatureError as error:
        raise InvalidSignature(
            "La réponse du fournisseur d'identité n'est pas signée par l'une de ses clés."
        ) from error
    except (JoseError, ValueError) as error:
        raise InvalidIdToken("La réponse du fournisseur d'identité est illisible.") from error


def _validate(claims: JWTClaims, *, nonce_expected: bool) -> None:
    try:
        claims.validate(leeway=LEEWAY_S)
    except ExpiredTokenError as error:
        raise IdTokenExpired("Le jeton d'identité du fournisseur a expiré : reconnectez-vous.") from error
    except ClaimError as error:
        if nonce_expected and error.claim == "nonce":
            raise InvalidNonce("Le jeton d'identité ne correspond pas à cette tentative de connexion.") from error
        raise InvalidIdToken(f"Le jeton d'identité du fournisseur est invalide (« {error.claim} »).") from error


def verify_id_token(
    value: str,
    *,
    keys: KeySet,
    algorithms: list[str],
    issuer: str,
    client_id: str,
    nonce: str,
    access_token: str | None = None,
) -> dict[str, Any]:
    """The ID token's claims once every check passed; raises ProviderAnswerRefused (or UnknownKey) otherwise."""
    token = _decode(value, keys, algorithms)
    options = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    params = {"nonce": nonce, "client_id": client_id, "access_token": access_token}
    claims = CodeIDToken(token.claims, token.header, options, params)
    _validate(claims, nonce_expected=True)
    return dict(claims)


def verify_userinfo(value: str, *, keys: KeySet, algorithms: list[str], issuer: str, client_id: str) -> dict[str, Any]:
    """A signed userinfo answer (ProConnect's `application/jwt`): signature, issuer and audience checked."""
    token = _decode(value, keys, algorithms)
    options = {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id}}
    claims = JWTClaims(token.claims, token.header, options)
    _validate(claims, nonce_expected=False)
    return dict(claims)


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: a verified e-mail and, for a professional, the SIRET it sends."""

    subject: str
    email: str
    siret: str | None
    given_name: str | None
    usual_name: str | None


def identity_of(id_claims: dict[str, Any], userinfo: dict[str, Any] | None) -> Identity:
    """The identity from the ID token and the userinfo answer (which must name the same subject)."""
    claims = dict(id_claims)
    if userinfo is not None:
        if userinfo.get("sub") != id_claims.get("sub"):
            raise InvalidIdToken("Les informations du fournisseur ne concernent pas la personne connectée.")
        claims.update({k: v for k, v in userinfo.items() if k not in ("iss", "aud", "exp", "iat", "nonce")})
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise EmailMissing("Le fournisseur d'identité n'a pas transmis votre adresse électronique.")
    # ProConnect's identity providers only send professional addresses they vouch for and omit the claim;
    # an explicit `false` is refused.
    if claims.get("email_verified") is False:
        raise EmailNotVerified("Votre adresse électronique n'est pas vérifiée par le fournisseur.")
    siret = claims.get("siret")
    siret = "".join(str(siret).split()) if siret else None
    return Identity(
        subject=str(claims["sub"]),
        email=email.strip().lower(),
        siret=siret,
        given_name=_text(claims.get("given_name")),
        usual_name=_text(claims.get("usual_name") or claims.get("family_name")),
    )


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
