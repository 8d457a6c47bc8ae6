"""Per-token request rates of the professionals' routes, shared by every worker and instance (counted in the
database by `app.ratelimit`): 429 with `Retry-After` when a token's allowance for the minute is spent."""

import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from app.auth.constants import Role
from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.database import write_aside
from app.dependencies import SessionDep, SettingsDep
from app.errors import DomainError
from app.ratelimit.service import hit

# Bucket -> setting holding its requests per minute. Routes of one bucket share the token's allowance.
BUCKETS = {"mesures": "bulk_rate_per_minute", "import": "import_rate_per_minute"}
WINDOW_S = 60


class RateLimited(DomainError):
    """429 with a `Retry-After` header."""

    status_code = 429
    default_code = "trop_de_requetes"

    def __init__(self, per_minute: int, retry_after: int) -> None:
        super().__init__(
            f"limite de {per_minute} requêtes par minute atteinte pour ce jeton : réessayez dans {retry_after} s"
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def limited(bucket: str, *roles: Role) -> Callable[..., Principal]:
    """Dependency: authenticates the caller, checks its role (403), then counts the request against its token's
    allowance in `bucket` (429 when spent). The count is its own short write transaction, committed before the
    route runs: it stands whatever the request's outcome, and a refused request writes nothing."""

    def check(
        principal: Annotated[Principal, Depends(require_roles(*roles))], session: SessionDep, settings: SettingsDep
    ) -> Principal:
        per_minute = getattr(settings, BUCKETS[bucket])
        with write_aside(session):
            verdict = hit(
                session, bucket=bucket, key=principal.caller_key, limit=per_minute, window_s=WINDOW_S, now=time.time()
            )
        if not verdict.allowed:
            raise RateLimited(per_minute, verdict.retry_after)
        return principal

    return check
