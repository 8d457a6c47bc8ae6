"""Per-token request rates of the professionals' routes, shared by every worker and instance (counted in the
database by `app.ratelimit`): 429 with `Retry-After` when a token's allowance for the minute is spent."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from app.auth.constants import Role
from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.dependencies import SessionDep, SettingsDep
from app.ratelimit.service import count_request

# Bucket -> setting holding its requests per minute. Routes of one bucket share the token's allowance.
BUCKETS = {"mesures": "bulk_rate_per_minute", "import": "import_rate_per_minute"}


def limited(bucket: str, *roles: Role) -> Callable[..., Principal]:
    """Dependency: authenticates the caller, checks its role (403), then counts the request against its token's
    (or account's) allowance in `bucket` (429 when spent, `app.ratelimit.service.count_request`)."""

    def check(
        principal: Annotated[Principal, Depends(require_roles(*roles))], session: SessionDep, settings: SettingsDep
    ) -> Principal:
        per_minute = getattr(settings, BUCKETS[bucket])
        count_request(session, bucket=bucket, key=principal.caller_key, per_minute=per_minute, holder="ce jeton")
        return principal

    return check
