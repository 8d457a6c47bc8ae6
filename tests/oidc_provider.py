"""The real OpenID provider of the tests: `oidc-provider` (npm, pinned in scripts/node) run by `node` with our
configuration `scripts/node/oidc-test-provider.mjs`, on 127.0.0.1, once per test session (`oidc_provider` fixture).

Each test server registers its own client (dynamic registration, with its callback address). `sign_in` plays the
browser through the provider's real login and consent forms; `TokenAnswer` lets a test alter the provider's
real token answer on its way to the app (the failure cases), re-signing the ID token with the provider's own key
(which the fixture generated and handed to the provider) or with another one.
"""

import base64
import html
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

NODE_DIR = Path(__file__).resolve().parents[1] / "scripts" / "node"
PROVIDER_SCRIPT = "oidc-test-provider.mjs"
PASSWORD = "n'importe-lequel"  # the development login form accepts any password
# The people the provider knows beyond their e-mail (any other login is a person with that verified e-mail).
PEOPLE = {
    "juge@justice.test": {"given_name": "Claire", "usual_name": "Juge"},
    "mandataire@exemple.test": {"given_name": "Paul", "usual_name": "Mandataire", "siret": "123 456 782 00010"},
    "agent@dreets.test": {"given_name": "Anne", "usual_name": "Agent"},
    "non-verifie@exemple.test": {"email_verified": False},
}


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    # The provider's signing key (private): lets the failure tests forge what only the provider could sign.
    key: RSAKey

    def register(self, base_url: str) -> tuple[str, str]:
        """A new client of the provider for the service at `base_url`: (client_id, client_secret)."""
        metadata = {
            "redirect_uris": [f"{base_url}/connexion/oidc/retour"],
            "post_logout_redirect_uris": [f"{base_url}/connexion"],
            "token_endpoint_auth_method": "client_secret_post",
            "userinfo_signed_response_alg": "RS256",
            "client_name": "mjpm-match (tests)",
        }
        answer = httpx.post(f"{self.issuer}/reg", json=metadata, timeout=10)
        answer.raise_for_status()
        return answer.json()["client_id"], answer.json()["client_secret"]

    def sign_in(self, authorization_url: str, login: str, *, back_to: str) -> str:
        """Play the browser from the provider's authorization address through its login and consent forms;
        returns the address the provider sends the browser back to (starting with `back_to`)."""
        url = authorization_url
        with httpx.Client(timeout=10) as browser:
            for _step in range(12):
                if url.startswith(back_to):
                    return url
                answer = browser.get(url)
                if not answer.is_redirect:
                    assert answer.status_code == 200, answer.text
                    prompt = re.search(r'name="prompt" value="(\w+)"', answer.text)
                    action = re.search(r'<form[^>]* action="([^"]+)"', answer.text)
                    assert prompt and action, answer.text
                    fields = {"prompt": prompt[1]}
                    if prompt[1] == "login":
                        fields |= {"login": login, "password": PASSWORD}
                    answer = browser.post(urljoin(url, html.unescape(action[1])), data=fields)
                    assert answer.is_redirect, answer.text
                url = urljoin(url, answer.headers["location"])
        raise AssertionError(f"the provider never sent the browser back to {back_to}")

    def sign_out(self, logout_url: str) -> str:
        """Follow an RP-initiated logout address (confirming the provider's form); returns where the provider sends
        the browser afterwards."""
        with httpx.Client(timeout=10) as browser:
            page = browser.get(logout_url)
            assert page.status_code == 200, page.text
            action = re.search(r'<form[^>]* action="([^"]+)"', page.text)
            fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
            assert action and "xsrf" in fields, page.text
            answer = browser.post(html.unescape(action[1]), data=fields | {"logout": "yes"})
            assert answer.is_redirect, answer.text
            return answer.headers["location"]


def _unavailable(reason: str) -> None:
    message = f"OPENID PROVIDER NOT STARTED: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (required under CI=true)")
    pytest.skip(message)


@contextmanager
def running_provider(people: dict[str, dict], log: Path) -> Iterator[OidcProvider]:
    """Start the provider on a free port of 127.0.0.1 and wait for its discovery document; stop it after."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed (Node 20, as for scripts/node.sh)")
    if not (NODE_DIR / "node_modules" / "oidc-provider").is_dir():
        _unavailable("scripts/node/node_modules lacks oidc-provider: `source scripts/node.sh && ensure_node_modules`")
    key = RSAKey.generate_key(2048, parameters={"kid": "fournisseur-de-test", "alg": "RS256", "use": "sig"})
    env = {
        **os.environ,
        "PORT": "0",
        "MJPM_OIDC_PEOPLE": json.dumps(people),
        "MJPM_OIDC_SIGNING_KEY": json.dumps(key.as_dict(private=True)),
    }
    with log.open("w") as errors:
        process = subprocess.Popen(
            [node, PROVIDER_SCRIPT], cwd=NODE_DIR, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        watchdog = threading.Timer(30, process.kill)  # a provider that never says where it listens
        watchdog.start()
        try:
            first_line = process.stdout.readline()
            watchdog.cancel()
            assert first_line, f"the OpenID provider did not start: {log.read_text()}"
            issuer = json.loads(first_line)["issuer"]
            discovery = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
            assert discovery.status_code == 200 and discovery.json()["issuer"] == issuer
            yield OidcProvider(issuer=issuer, key=key)
        finally:
            watchdog.cancel()
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def claims_of(token: str) -> tuple[dict, dict]:
    """The header and claims of a JWT, unchecked (to alter them)."""

    def part(segment: str) -> dict:
        return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))

    header, payload, _signature = token.split(".")
    return part(header), part(payload)


class TokenAnswer(httpx.AsyncBaseTransport):
    """The app's way to the provider, for the failure tests: every request goes to the real provider; the token
    endpoint's answer has its ID token replaced by `alter(header, claims) -> (header, claims, key)`, signed with
    that key (the provider's own `OidcProvider.key` for a token it could have signed, another for a forgery)."""

    def __init__(self, alter: Callable[[dict, dict], tuple[dict, dict, RSAKey]] | None = None) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.alter = alter

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.real.handle_async_request(request)
        if self.alter is None or request.url.path != "/token":
            return response
        body = json.loads(await response.aread())
        header, claims, key = self.alter(*claims_of(body["id_token"]))
        body["id_token"] = jwt.encode(header, claims, key)
        return httpx.Response(response.status_code, json=body)

    async def aclose(self) -> None:
        await self.real.aclose()
