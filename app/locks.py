"""Cross-process mutual exclusion on the database the deployment already has.

PostgreSQL: a transaction-scoped advisory lock, released by the commit or rollback (or by the server when the
holder's connection dies: a killed process never leaves a lock behind). SQLite: the caller's transaction is
already a writer (`BEGIN IMMEDIATE`, see `app.database.begin_write`), which serialises it with every other
writer of the file, so there is nothing more to take.
"""

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, text


def lock_key(name: str) -> int:
    """A stable signed 64-bit key per name (PostgreSQL's advisory lock space is one bigint)."""
    return int.from_bytes(hashlib.blake2b(f"mjpm:{name}".encode(), digest_size=8).digest(), "big", signed=True)


def lock_for_transaction(connection: Connection, name: str, *, wait: bool = True) -> bool:
    """Take the lock `name` until the end of the connection's current transaction. With `wait=False` returns
    False at once when another transaction holds it; with `wait=True` waits for it and returns True."""
    if connection.dialect.name != "postgresql":
        return True
    if wait:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
        return True
    return bool(connection.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key(name)}))


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created if missing) between processes of this machine, waited for without a
    time limit (SQLite's own lock gives up after its busy timeout); released when the holder exits or dies."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
