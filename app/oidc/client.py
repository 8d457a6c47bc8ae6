"""The relying party: talks to the provider with authlib's httpx client.

Nothing is fetched at start-up: the discovery document and the published keys are fetched at the first sign-in
and kept by the process (the keys again when a token names a key we do not have: the provider rotated them).
"""

import asyncio
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from joserfc.jwk import KeySet

from app.config import Settings
from app.oidc.checks import Identity, UnknownKey, allowed_algorithms, identity_of, verify_id_token, verify_userinfo
from app.oidc.exceptions import CodeRefused, InvalidIdToken, InvalidSignature, ProviderUnavailable

REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


@dataclass(frozen=True)
class PendingSignIn:
    """What a started sign-in must find again at the callback (kept in a signed cookie, app/oidc/attempt.py)."""

    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class SignedIn:
    identity: Identity
    # Kept for the provider's logout (id_token_hint).
    id_token: str


class RelyingParty:
    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        assert settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret
        self.issuer = settings.oidc_issuer
        self.client_id = settings.oidc_client_id
        self.provider_name = settings.oidc_provider_name
        self._secret = settings.oidc_client_secret.get_secret_value()
        self._scope = settings.oidc_scopes
        self._auth_method = settings.oidc_token_endpoint_auth_method
        self._timeout = settings.oidc_timeout_s
        self._transport = transport  # tests put a wrapper around the real provider's answers here
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._lock = asyncio.Lock()

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self._secret,
            token_endpoint_auth_method=self._auth_method,
            scope=self._scope,
            code_challenge_method="S256",
            timeout=self._timeout,
            transport=self._transport,
        )

    async def _get(self, url: str, **kwargs) -> httpx.Response:
        try:
            async with self._client() as client:
                response = await client.request("GET", url, withhold_token=True, **kwargs)
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise ProviderUnavailable() from error
        return response

    async def metadata(self) -> dict[str, Any]:
        async with self._lock:
            if self._metadata is None:
                response = await self._get(f"{self.issuer}/.well-known/openid-configuration")
                try:
                    metadata = response.json()
                except ValueError as error:
                    raise ProviderUnavailable() from error
                # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched from.
                if not isinstance(metadata, dict) or str(metadata.get("issuer", "")).rstrip("/") != self.issuer:
                    raise ProviderUnavailable()
                if any(not isinstance(metadata.get(name), str) for name in REQUIRED_ENDPOINTS):
                    raise ProviderUnavailable()
                self._metadata = metadata
            return self._metadata

    async def keys(self, *, refresh: bool = False) -> KeySet:
        metadata = await self.metadata()
        async with self._lock:
            if self._keys is None or refresh:
                response = await self._get(metadata["jwks_uri"])
                try:
                    self._keys = KeySet.import_key_set(response.json())
                except (ValueError, TypeError, KeyError) as error:
                    raise ProviderUnavailable() from error
            return self._keys

    async def begin(self, redirect_uri: str) -> tuple[str, PendingSignIn]:
        """The provider's authorization address for a new sign-in, and what the callback must match."""
        metadata = await self.metadata()
        pending = PendingSignIn(
            state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), code_verifier=secrets.token_urlsafe(48)
        )
        async with self._client() as client:
            url, _state = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=pending.state,
                code_verifier=pending.code_verifier,
                nonce=pending.nonce,
                redirect_uri=redirect_uri,
            )
        return url, pending

    async def finish(self, *, code: str, pending: PendingSignIn, redirect_uri: str) -> SignedIn:
        """Exchange the code (with the PKCE verifier), check the ID token and the userinfo answer."""
        metadata = await self.metadata()
        try:
            async with self._client() as client:
                token = await client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.code_verifier,
                    redirect_uri=redirect_uri,
                )
        except OAuthError as error:
            raise CodeRefused(
                "Le fournisseur d'identité a refusé de confirmer cette connexion : recommencez."
            ) from error
        except (httpx.HTTPError, ValueError) as error:  # ValueError: an answer that is not a JSON object
            raise ProviderUnavailable() from error
        if not isinstance(token.get("id_token"), str):
            raise InvalidIdToken("Le fournisseur d'identité n'a pas envoyé de jeton d'identité.")
        algorithms = allowed_algorithms(metadata.get("id_token_signing_alg_values_supported"))
        claims = await self._verified(
            lambda keys: verify_id_token(
                token["id_token"],
                keys=keys,
                algorithms=algorithms,
                issuer=metadata["issuer"],
                client_id=self.client_id,
                nonce=pending.nonce,
                access_token=token.get("access_token"),
            )
        )
        userinfo = None
        if metadata.get("userinfo_endpoint") and token.get("access_token"):
            userinfo = await self._userinfo(metadata, token["access_token"])
        return SignedIn(identity=identity_of(claims, userinfo), id_token=token["id_token"])

    async def _verified(self, check):
        try:
            return check(await self.keys())
        except UnknownKey:
            pass
        try:
            return check(await self.keys(refresh=True))
        except UnknownKey as error:
            raise InvalidSignature(
                "La réponse du fournisseur d'identité n'est pas signée par l'une de ses clés."
            ) from error

    async def _userinfo(self, metadata: dict[str, Any], access_token: str) -> dict[str, Any]:
        response = await self._get(metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {access_token}"})
        if response.headers.get("content-type", "").split(";")[0].strip() == "application/jwt":
            algorithms = allowed_algorithms(metadata.get("userinfo_signing_alg_values_supported"))
            return await self._verified(
                lambda keys: verify_userinfo(
                    response.text, keys=keys, algorithms=algorithms, issuer=metadata["issuer"], client_id=self.client_id
                )
            )
        try:
            userinfo = response.json()
        except ValueError as error:
            raise ProviderUnavailable() from error
        if not isinstance(userinfo, dict):
            raise ProviderUnavailable()
        return userinfo

    async def logout_url(self, *, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """RP-initiated logout at the provider (None when it publishes no end_session_endpoint, or is down: our
        own session is closed all the same)."""
        try:
            metadata = await self.metadata()
        except ProviderUnavailable:
            return None
        endpoint = metadata.get("end_session_endpoint")
        if not isinstance(endpoint, str):
            return None
        params = {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            # ProConnect requires one; the page it leads back to changes nothing, so nothing checks it.
            "state": secrets.token_urlsafe(32),
        }
        return add_params_to_uri(endpoint, params)
