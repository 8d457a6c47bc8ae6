"""The relying party (app/oidc) against the real provider: the whole code flow, then each check of the provider's
answer failing on its own. The failures alter the provider's real token answer on its way back (TokenAnswer):
re-signed with the provider's own key when only one claim must be wrong, with another key for a forgery."""

import asyncio
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc.jwk import RSAKey

from app.config import Settings
from app.errors import DomainError
from app.oidc.client import RelyingParty
from tests.oidc_provider import TokenAnswer

BASE = "http://mjpm.test"
CALLBACK = f"{BASE}/connexion/oidc/retour"


@pytest.fixture(scope="module")
def client_settings(oidc_provider) -> Settings:
    client_id, secret = oidc_provider.register(BASE)
    return Settings(
        environment="test", oidc_issuer=oidc_provider.issuer, oidc_client_id=client_id, oidc_client_secret=secret
    )


def sign_in(oidc_provider, settings: Settings, login: str, alter=None):
    """The whole flow for `login`; returns what `finish` returns (or raises)."""
    party = RelyingParty(settings, transport=TokenAnswer(alter))

    async def flow():
        url, pending = await party.begin(CALLBACK)
        back = oidc_provider.sign_in(url, login, back_to=CALLBACK)
        query = parse_qs(urlsplit(back).query)
        assert query["state"] == [pending.state]
        return await party.finish(code=query["code"][0], pending=pending, redirect_uri=CALLBACK)

    return asyncio.run(flow())


def refused(oidc_provider, settings, login, alter) -> DomainError:
    with pytest.raises(DomainError) as refusal:
        sign_in(oidc_provider, settings, login, alter)
    return refusal.value


def test_the_code_flow_gives_the_verified_identity(oidc_provider, client_settings):
    party = RelyingParty(client_settings)
    url, pending = asyncio.run(party.begin(CALLBACK))
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0] != pending.code_verifier
    assert query["state"] == [pending.state] and query["nonce"] == [pending.nonce]
    assert query["scope"] == ["openid email given_name usual_name siret"]

    signed_in = sign_in(oidc_provider, client_settings, "mandataire@exemple.test")
    identity = signed_in.identity
    assert (identity.email, identity.siret) == ("mandataire@exemple.test", "12345678200010")
    assert (identity.given_name, identity.usual_name) == ("Paul", "Mandataire")
    assert signed_in.id_token.count(".") == 2


def test_the_provider_checks_the_pkce_verifier(oidc_provider, client_settings):
    party = RelyingParty(client_settings)

    async def flow():
        url, pending = await party.begin(CALLBACK)
        back = oidc_provider.sign_in(url, "juge@justice.test", back_to=CALLBACK)
        code = parse_qs(urlsplit(back).query)["code"][0]
        other = type(pending)(pending.state, pending.nonce, "x" * 64)
        return await party.finish(code=code, pending=other, redirect_uri=CALLBACK)

    with pytest.raises(DomainError) as refusal:
        asyncio.run(flow())
    assert refusal.value.code == "code_refuse"


def test_a_nonce_of_another_sign_in_is_refused(oidc_provider, client_settings):
    def alter(header, claims):
        return header, claims | {"nonce": "une-autre-tentative"}, oidc_provider.key

    assert refused(oidc_provider, client_settings, "juge@justice.test", alter).code == "nonce_invalide"


def test_an_id_token_without_nonce_is_refused(oidc_provider, client_settings):
    def alter(header, claims):
        return header, {k: v for k, v in claims.items() if k != "nonce"}, oidc_provider.key

    assert refused(oidc_provider, client_settings, "juge@justice.test", alter).code == "nonce_invalide"


def test_an_expired_id_token_is_refused(oidc_provider, client_settings):
    def alter(header, claims):
        now = int(time.time())
        return header, claims | {"iat": now - 3600, "exp": now - 600}, oidc_provider.key

    assert refused(oidc_provider, client_settings, "juge@justice.test", alter).code == "jeton_identite_expire"


@pytest.mark.parametrize("kid", ["fournisseur-de-test", "cle-inconnue"])
def test_an_id_token_signed_by_another_key_is_refused(oidc_provider, client_settings, kid):
    other = RSAKey.generate_key(2048)

    def alter(header, claims):
        return header | {"kid": kid}, claims, other

    assert refused(oidc_provider, client_settings, "juge@justice.test", alter).code == "signature_invalide"


@pytest.mark.parametrize(
    "claim, value",
    [("aud", "un-autre-client"), ("iss", "http://127.0.0.1:1"), ("exp", None), ("iat", None), ("sub", None)],
)
def test_issuer_audience_and_required_claims_are_checked(oidc_provider, client_settings, claim, value):
    def alter(header, claims):
        changed = {k: v for k, v in claims.items() if k != claim}
        return header, changed | ({claim: value} if value else {}), oidc_provider.key

    assert refused(oidc_provider, client_settings, "juge@justice.test", alter).code == "jeton_invalide"


def test_an_unverified_email_is_refused(oidc_provider, client_settings):
    assert refused(oidc_provider, client_settings, "non-verifie@exemple.test", None).code == "courriel_non_verifie"


def test_logout_goes_to_the_provider_with_the_id_token(oidc_provider, client_settings):
    party = RelyingParty(client_settings)
    url = asyncio.run(party.logout_url(id_token="a.b.c", post_logout_redirect_uri=f"{BASE}/connexion"))
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{oidc_provider.issuer}/session/end"
    query = parse_qs(parts.query)
    assert query["id_token_hint"] == ["a.b.c"] and query["post_logout_redirect_uri"] == [f"{BASE}/connexion"]


def test_nothing_is_fetched_before_the_first_sign_in():
    settings = Settings(
        environment="test", oidc_issuer="http://127.0.0.1:9", oidc_client_id="x", oidc_client_secret="y"
    )
    party = RelyingParty(settings)  # port 9 (discard): nobody answers
    with pytest.raises(DomainError) as refusal:
        asyncio.run(party.begin(CALLBACK))
    assert (refusal.value.code, refusal.value.status_code) == ("fournisseur_indisponible", 502)
