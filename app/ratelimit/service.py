"""Fixed-window rate limits counted in the database, so that they hold across every worker and instance.

A request counts against its (bucket, key) in the window of `window_s` seconds (counted from the Unix epoch) that
contains it: one atomic upsert-increment, made conditional on the count being under the limit, so a refused
request writes nothing and concurrent requests never pass more than the limit. A fixed window may let through up
to twice the limit over a span straddling two windows; the limits here are abuse guards, not quotas. The first
hit of a window deletes the key's older windows, so the table holds about one row per key.
"""

import math
import time
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.database import write_aside
from app.ratelimit.exceptions import RateLimited
from app.ratelimit.models import RateWindow

# The limits are per minute.
WINDOW_S = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    # Seconds until the window ends (when a refused request may try again).
    retry_after: int


def hit(session: Session, *, bucket: str, key: str, limit: int, window_s: int, now: float) -> Verdict:
    """Count one request in the session's (write) transaction, unless the window's limit is reached."""
    start = math.floor(now / window_s) * window_s
    retry_after = max(1, math.ceil(start + window_s - now))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(RateWindow).values(bucket=bucket, key=key, window_start=start, hits=1)
    hits = session.scalar(
        insert.on_conflict_do_update(
            index_elements=["bucket", "key", "window_start"],
            set_={"hits": RateWindow.hits + 1},
            where=RateWindow.hits < limit,
        ).returning(RateWindow.hits)
    )
    if hits is None:  # the limit was reached: nothing was written
        return Verdict(allowed=False, retry_after=retry_after)
    if hits == 1:
        session.execute(
            delete(RateWindow).where(
                RateWindow.bucket == bucket, RateWindow.key == key, RateWindow.window_start < start
            )
        )
    return Verdict(allowed=True, retry_after=retry_after)


def count_request(session: Session, *, bucket: str, key: str, per_minute: int, holder: str) -> None:
    """Count one request against `key`'s allowance of the minute in `bucket`, in a short write transaction of its
    own (`write_aside`), committed before the route runs: the count stands whatever the request's outcome, and a
    refused request writes nothing. Raises RateLimited (429) when the allowance is spent; `holder` names it in the
    message (« ce jeton », « cet éditeur »)."""
    with write_aside(session):
        verdict = hit(session, bucket=bucket, key=key, limit=per_minute, window_s=WINDOW_S, now=time.time())
    if not verdict.allowed:
        raise RateLimited(per_minute, verdict.retry_after, holder)
