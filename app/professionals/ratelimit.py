"""Rate limiting of the professionals' routes, per API token, with the `limits` library (moving window).

The counters live in the memory of each worker process: with N uvicorn workers a token may make up to N times
the configured rate. `limits` also offers shared storages (Redis, Memcached) should the service ever run many
workers behind one limit.
"""

import math
import threading
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.auth.constants import Role
from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.config import Settings
from app.errors import DomainError

# Bucket -> setting holding its requests per minute. Routes of one bucket share the token's allowance.
BUCKETS = {"mesures": "bulk_rate_per_minute", "import": "import_rate_per_minute"}
_init_lock = threading.Lock()


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


class TokenRateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, bucket: str, token_id: int) -> None:
        per_minute = getattr(self.settings, BUCKETS[bucket])
        item = RateLimitItemPerMinute(per_minute)
        if not self.limiter.hit(item, bucket, str(token_id)):
            reset_at, _ = self.limiter.get_window_stats(item, bucket, str(token_id))
            raise RateLimited(per_minute, max(1, math.ceil(reset_at - time.time())))


def limiter_of(request: Request) -> TokenRateLimiter:
    """One limiter per application (created on first use, so tests' apps never share counters)."""
    limiter = getattr(request.app.state, "professionals_rate_limiter", None)
    if limiter is None:
        with _init_lock:
            limiter = getattr(request.app.state, "professionals_rate_limiter", None)
            if limiter is None:
                limiter = TokenRateLimiter(request.app.state.settings)
                request.app.state.professionals_rate_limiter = limiter
    return limiter


def limited(bucket: str, *roles: Role) -> Callable[..., Principal]:
    """Dependency: authenticates the caller, checks its role (403), then counts the request against its token's
    allowance in `bucket` (429 when spent)."""

    def check(request: Request, principal: Annotated[Principal, Depends(require_roles(*roles))]) -> Principal:
        limiter_of(request).hit(bucket, principal.token_id)
        return principal

    return check
