from app.errors import DomainError


class RateLimited(DomainError):
    """429 with a `Retry-After` header."""

    status_code = 429
    default_code = "trop_de_requetes"

    def __init__(self, per_minute: int, retry_after: int, holder: str) -> None:
        super().__init__(
            f"limite de {per_minute} requêtes par minute atteinte pour {holder} : réessayez dans {retry_after} s"
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
