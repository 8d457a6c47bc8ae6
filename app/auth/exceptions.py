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


class OutsideTerritory(Forbidden):
    """A request reaching outside the caller's territory (its départements): refused, never silently emptied."""

    default_code = "hors_territoire"


class OutsideTribunal(Forbidden):
    """A judge or clerk asking about another tribunal's requests or reservations."""

    default_code = "hors_tribunal"


class OutsideScope(Forbidden):
    """An account or a token beyond what the caller may manage or grant (role and perimeter)."""

    default_code = "hors_perimetre"


class SignInRefused(DomainError):
    """A person the service does not let in (unknown e-mail, disabled account...): the message says whom to ask.

    Each case is a subclass with its stable code (`compte_inconnu`, `compte_desactive`, `siret_different`,
    `invitation_invalide`...); the sign-in pages show the message and the access journal keeps the code as the
    reason."""

    status_code = 403
    default_code = "connexion_refusee"


class UnknownAccount(SignInRefused):
    """No account for that e-mail or SIRET."""

    default_code = "compte_inconnu"


class DisabledAccount(SignInRefused):
    default_code = "compte_desactive"


class SiretMismatch(SignInRefused):
    """The provider's SIRET claim contradicts the professional's registered SIRET."""

    default_code = "siret_different"


class InvalidInvitation(SignInRefused):
    """An invitation link unknown, already used, or for an account no longer invited."""

    default_code = "invitation_invalide"


class InvitationExpired(SignInRefused):
    default_code = "invitation_expiree"


class ReadOnlyToken(Forbidden):
    """A read-only token on a request that writes."""

    default_code = "lecture_seule"


class MissingCsrfHeader(Forbidden):
    """A write authenticated by the session cookie without the CSRF header."""

    default_code = "csrf"


class SessionExpired(NotAuthenticated):
    default_code = "session_expiree"


class TokenExpired(InvalidToken):
    default_code = "jeton_expire"
