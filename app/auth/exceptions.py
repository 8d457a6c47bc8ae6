from app.errors import DomainError


class NotAuthenticated(DomainError):
    status_code = 401
    default_code = "non_authentifie"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(DomainError):
    status_code = 403
    default_code = "acces_refuse"
