"""The vendors' OAuth2 authorization server: authlib's, with our storage and HTTP wrapping.

As e-MJPM does it (`packages/api/src/oauth/`, node-oauth2-server): a vendor is a confidential client whose client id
is its id; the professional approves it (authorization-code grant, `POST /api/oauth/authorize`), the vendor
exchanges the code at `POST /api/oauth/token` (form-encoded, client secret in the body or HTTP Basic) for a Bearer
access token valid 24 h and a refresh token; the refresh-token grant rotates both. One active token per vendor and
professional: a new one revokes the previous ones (e-MJPM deletes them). Beyond e-MJPM: PKCE when the vendor
sends a `code_challenge` (never required, e-MJPM has none), a replayed code revokes the tokens issued for it, and
RFC 7009 revocation at `POST /api/oauth/revoke`.

The protocol is authlib's (grants, client authentication, errors); this module only says where things are stored.
Answers of these endpoints keep OAuth2's error shape (`{"error": ..., "error_description": ...}`, RFC 6749 §5.2),
which vendors' clients parse, with the description in French.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from hmac import compare_digest

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from fastapi.responses import JSONResponse
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.service import hash_token
from app.config import Settings
from app.vendors.models import Editeur, EditeurCode, EditeurJeton

CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
GRANT_TYPES = frozenset({"authorization_code", "refresh_token"})

# OAuth2's error codes stay (clients branch on them); the words a person reads are French, without their accents
# in the answers (`ascii_text`): RFC 6749 §5.2 allows only printable ASCII in `error_description`.
DESCRIPTIONS = {
    "invalid_client": "éditeur inconnu ou désactivé, ou secret client erroné",
    "invalid_grant": "code d'autorisation ou jeton de rafraîchissement inconnu, expiré, déjà utilisé, révoqué, "
    "ou émis pour une autre adresse de retour (redirect_uri) ou un autre éditeur",
    "invalid_request": "requête OAuth2 incomplète ou invalide",
    "unauthorized_client": "cet éditeur n'est pas autorisé à utiliser ce type d'autorisation",
    "unsupported_grant_type": "grant_type non pris en charge : authorization_code ou refresh_token",
    "unsupported_response_type": "response_type non pris en charge : code attendu",
    "unsupported_token_type": "token_type_hint non pris en charge : access_token ou refresh_token",
    "invalid_scope": "portée (scope) non prise en charge",
    "access_denied": "accès refusé par le mandataire",
    "insecure_transport": "OAuth2 exige https",
}


def ascii_text(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def invalid_request() -> Response:
    """What authlib cannot even put into an error (it refuses a description quoting non-ASCII input): a plain
    `invalid_request`."""
    body = {"error": "invalid_request", "error_description": ascii_text(DESCRIPTIONS["invalid_request"])}
    return JSONResponse(body, status_code=400, headers={"Cache-Control": "no-store"})


@dataclass(frozen=True)
class Owner:
    """The resource owner: the professional (mandataire) who approves a vendor."""

    mandataire_id: int


class Client:
    """authlib's view of a vendor (ClientMixin)."""

    def __init__(self, editeur: Editeur, secret: str) -> None:
        self.editeur = editeur
        self._secret = secret

    def get_client_id(self) -> str:
        return str(self.editeur.id)

    def get_default_redirect_uri(self) -> str | None:
        return self.editeur.redirect_uris[0] if self.editeur.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.editeur.redirect_uris  # exact match, no prefix

    def check_client_secret(self, client_secret: str) -> bool:
        return compare_digest(hash_token(client_secret, self._secret), self.editeur.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in CLIENT_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in GRANT_TYPES


class Payload(OAuth2Payload):
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list]:
        return self._datalist


class Incoming(OAuth2Request):
    """An HTTP request as authlib reads it: the query string's and the form's parameters together."""

    def __init__(self, method: str, uri: str, headers: dict[str, str], items: list[tuple[str, str]]) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self.payload = Payload(items)

    @property
    def args(self) -> dict[str, str]:
        return self.payload.data

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data


def secure_uri(url: str, environment: str) -> str:
    """The request's address as authlib checks it: authlib refuses plain http, and the service runs behind TLS in
    production (FORWARDED_ALLOW_IPS gives the scheme); elsewhere (development, tests) http is taken as https."""
    if environment != "production" and url.startswith("http://"):
        return "https://" + url.removeprefix("http://")
    return url


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    server: "VendorServer"

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        server = self.server
        server.session.add(
            EditeurCode(
                code_hash=server.hash(code),
                editeur_id=request.client.editeur.id,
                mandataire_id=request.user.mandataire_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope or None,
                code_challenge=request.payload.data.get("code_challenge"),
                code_challenge_method=request.payload.data.get("code_challenge_method"),
                created_at=server.now,
                expires_at=server.now + timedelta(seconds=server.settings.vendor_code_s),
            )
        )
        server.session.flush()

    def query_authorization_code(self, code: str, client: Client) -> EditeurCode | None:
        server = self.server
        row = server.session.scalar(
            select(EditeurCode).where(
                EditeurCode.code_hash == server.hash(code), EditeurCode.editeur_id == client.editeur.id
            )
        )
        if row is None or row.expires_at <= server.now:
            return None
        if row.used_at is not None:
            # A code used twice was probably stolen: the tokens issued for it are revoked (RFC 6749 §4.1.2).
            server.session.execute(
                update(EditeurJeton)
                .where(EditeurJeton.code_id == row.id, EditeurJeton.revoked_at.is_(None))
                .values(revoked_at=server.now)
            )
            return None
        return row

    def delete_authorization_code(self, authorization_code: EditeurCode) -> None:
        authorization_code.used_at = self.server.now
        self.server.session.flush()

    def authenticate_user(self, authorization_code: EditeurCode) -> Owner:
        return Owner(authorization_code.mandataire_id)


class RefreshGrant(RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation, as node-oauth2-server does by default
    server: "VendorServer"

    def authenticate_refresh_token(self, refresh_token: str) -> EditeurJeton | None:
        server = self.server
        row = server.session.scalar(select(EditeurJeton).where(EditeurJeton.refresh_hash == server.hash(refresh_token)))
        if row is None or row.revoked_at is not None:
            return None
        if row.refresh_expires_at is None or row.refresh_expires_at <= server.now:
            return None
        return row

    def authenticate_user(self, refresh_token: EditeurJeton) -> Owner:
        return Owner(refresh_token.mandataire_id)

    def revoke_old_credential(self, refresh_token: EditeurJeton) -> None:
        if refresh_token.revoked_at is None:
            refresh_token.revoked_at = self.server.now
        self.server.session.flush()


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS
    server: "VendorServer"

    def query_token(self, token_string: str, token_type_hint: str | None) -> EditeurJeton | None:
        digest = self.server.hash(token_string)
        return self.server.session.scalar(
            select(EditeurJeton).where(or_(EditeurJeton.access_hash == digest, EditeurJeton.refresh_hash == digest))
        )

    def revoke_token(self, token: EditeurJeton, request: OAuth2Request) -> None:
        if token.revoked_at is None:
            token.revoked_at = self.server.now
        self.server.session.flush()


class VendorServer(AuthorizationServer):
    """One per request: it works in the request's session, at the request's time."""

    def __init__(self, session: Session, settings: Settings, now: datetime) -> None:
        super().__init__()
        self.session = session
        self.settings = settings
        self.now = now
        self._secret = settings.token_secret.get_secret_value()
        self.register_grant(CodeGrant, [CodeChallenge(required=False)])
        self.register_grant(RefreshGrant)
        self.register_endpoint(Revocation)
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                lambda **_: generate_token(42),
                lambda **_: generate_token(48),
                lambda client, grant_type: settings.vendor_access_token_s,
            ),
        )

    def hash(self, value: str) -> str:
        return hash_token(value, self._secret)

    def query_client(self, client_id: str | None) -> Client | None:
        if not client_id or not client_id.isdigit() or len(client_id) > 9:
            return None
        editeur = self.session.get(Editeur, int(client_id))
        if editeur is None or not editeur.actif:
            return None
        return Client(editeur, self._secret)

    def save_token(self, token: dict, request: OAuth2Request) -> None:
        """One active token per vendor and professional (e-MJPM deletes the previous ones): the new one revokes
        them, the refreshed one included."""
        editeur_id = request.client.editeur.id
        mandataire_id = request.user.mandataire_id
        if request.authorization_code is not None:
            code_id = request.authorization_code.id
        else:
            code_id = request.refresh_token.code_id
        self.session.execute(
            update(EditeurJeton)
            .where(
                EditeurJeton.editeur_id == editeur_id,
                EditeurJeton.mandataire_id == mandataire_id,
                EditeurJeton.revoked_at.is_(None),
            )
            .values(revoked_at=self.now)
        )
        refresh = token.get("refresh_token")
        self.session.add(
            EditeurJeton(
                access_hash=self.hash(token["access_token"]),
                refresh_hash=self.hash(refresh) if refresh else None,
                editeur_id=editeur_id,
                mandataire_id=mandataire_id,
                code_id=code_id,
                scope=token.get("scope"),
                created_at=self.now,
                expires_at=self.now + timedelta(seconds=token["expires_in"]),
                refresh_expires_at=self.now + timedelta(seconds=self.settings.vendor_refresh_token_s)
                if refresh
                else None,
            )
        )
        self.session.flush()

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def create_json_request(self, request: object) -> object:
        raise NotImplementedError  # no JSON endpoint (dynamic registration...) here

    def handle_response(self, status: int, body: object, headers: list[tuple[str, str]]) -> Response:
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=dict(headers))
        return Response(body or b"", status_code=status, headers=dict(headers))

    def handle_error_response(self, request: OAuth2Request, error: OAuth2Error) -> Response:
        error.description = ascii_text(DESCRIPTIONS.get(error.error, error.description or ""))
        return super().handle_error_response(request, error)

    def send_signal(self, name: str, *args: object, **kwargs: object) -> None:
        """No signals: what they would report is in the database."""
