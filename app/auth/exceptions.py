from app.errors import DomainError


class NotAuthenticated(DomainError):
    status_code = 401
    default_code = "non_authentifie"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class InvalidToken(NotAuthenticated):
    """A token that was sent but is unknown, revoked or expired (RFC 6750: `error="invalid_token"`)."""

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class Forbidden(DomainError):
    status_code = 403
    default_code = "acces_refuse"


class SignInRefused(DomainError):
    """A person the service does not let in (unknown e-mail, disabled account...): the message says whom to ask.

    `code` is stable (`compte_inconnu`, `compte_desactive`, `siret_different`, `invitation_invalide`...); the
    sign-in pages show the message and the access journal keeps the code as the reason."""

    status_code = 403
    default_code = "connexion_refusee"
