"""Engine, sessions and the declarative base shared by every domain's models."""

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from pydantic_core import to_json
from sqlalchemy import CursorResult, DateTime, Engine, MetaData, Result, Table, TypeDecorator, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Explicit constraint names keep migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Execution option a session sets (see `begin_write`) before a read-then-write transaction.
WRITE_INTENT = "write_intent"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _configure_sqlite(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN itself (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; the busy timeout makes writers queue instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the database; only a power cut could drop the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# The BEGIN a SQLite transaction will send before its first statement (connection.info key).
_PENDING_BEGIN = "mjpm_pending_begin"
# Execution option, and session.info key: the session's statements each commit on their own
# (`statements_commit_alone`).
_COMMIT_ALONE = "mjpm_commit_alone"


def _begin_sqlite(connection) -> None:
    # A transaction that will write after reading must take the write lock up front: in WAL mode a deferred
    # transaction whose snapshot went stale fails at once instead of waiting ("database is locked").
    # The BEGIN itself waits for the first statement (`_send_pending_begin`): a route's write session is begun by
    # a dependency in one worker thread and used by the route in another; a lock taken in the first would be held
    # while the route waits for a free thread, and threads blocked on that lock would never free one.
    options = connection.get_execution_options()
    if options.get(_COMMIT_ALONE):
        return  # no BEGIN: each statement is its own transaction (pysqlite sends none, `_configure_sqlite`)
    connection.info[_PENDING_BEGIN] = "BEGIN IMMEDIATE" if options.get(WRITE_INTENT) else "BEGIN"


def _send_pending_begin(connection, cursor, _statement, _parameters, _context, _executemany) -> None:
    begin = connection.info.pop(_PENDING_BEGIN, None)
    if begin is not None:
        cursor.execute(begin)


def _end_sqlite(connection) -> None:
    connection.info.pop(_PENDING_BEGIN, None)  # a transaction that never ran a statement


class EncodedJSON(str):
    """JSON text already encoded (a `/match` answer, sent and stored alike): a JSON column stores it as it is."""


def _json_serializer(value) -> str:
    if isinstance(value, EncodedJSON):
        return value
    # JSON columns hold every /match answer for audit: pydantic's Rust encoder is several times faster.
    return to_json(value).decode()


def build_engine(
    database_url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 5,
    pool_timeout_s: float = 30.0,
    ping_idle_s: float = 1.0,
) -> Engine:
    """An engine whose errors never carry bound parameter values (RG numbers, postcodes...: personal data).

    The pool arguments (the service passes its DB_POOL_* settings) apply to PostgreSQL and to a SQLite file. The
    pool keeps `pool_size` connections and closes the overflow ones as they come back: a worker serving more
    requests at once than the pool keeps would open and close a connection (a PostgreSQL backend forked, a SQLite
    schema read again) for every request beyond it."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        pool: dict[str, float] = {}
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout_s}
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            json_serializer=_json_serializer,
            hide_parameters=True,
            **pool,
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        event.listen(engine, "before_cursor_execute", _send_pending_begin)
        event.listen(engine, "commit", _end_sqlite)
        event.listen(engine, "rollback", _end_sqlite)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout_s,
        json_serializer=_json_serializer,
        hide_parameters=True,
    )
    _ping_idle_connections(engine, ping_idle_s)
    return engine


# When a pooled connection last went back to the pool (`time.monotonic()`, the connection record's info).
_RETURNED_AT = "mjpm_returned_at"


def _ping_idle_connections(engine: Engine, idle_s: float) -> None:
    """Ping a pooled connection before use when it sat idle in the pool for more than `idle_s`: one that a server
    restart, a failover or a firewall's idle timeout closed meanwhile is replaced before a request uses it.
    SQLAlchemy's `pool_pre_ping` pings on every checkout, a round trip to the server on every request; a
    connection used a moment ago seldom died since (a server stopping under load fails the requests in flight
    either way). A failed ping makes the pool open a new connection (`DisconnectionError`, retried by the pool)."""

    def returned(_dbapi_connection, record) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    def checkout(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get(_RETURNED_AT, 0.0) <= idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("connexion fermée par le serveur") from error

    event.listen(engine, "connect", returned)  # new: needs no ping
    event.listen(engine, "checkin", returned)
    event.listen(engine, "checkout", checkout)


def wal_checkpoint(engine: Engine) -> tuple[int, int, int]:
    """A PASSIVE checkpoint of a SQLite database's write-ahead log: it copies what it can into the database file
    without waiting for readers or writers. SQLite's answer: (busy, frames in the log, frames checkpointed)."""
    connection = engine.raw_connection()  # autocommit (`_configure_sqlite`): a checkpoint cannot run in a transaction
    try:
        cursor = connection.cursor()
        busy, log, done = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        cursor.close()
        return busy, log, done
    finally:
        connection.close()


class WalCheckpoints:
    """Checkpoints a SQLite file's write-ahead log every `interval_s` from a thread of its own, so that the log
    seldom reaches SQLite's automatic checkpoint (1 000 pages, a few hundred `/match` records), which the request
    whose commit crossed it would run, fsync included, before answering. The automatic one stays as a fallback."""

    def __init__(self, engine: Engine, interval_s: float = 1.0) -> None:
        self._engine, self._interval_s = engine, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                wal_checkpoint(self._engine)
            except Exception:
                logging.getLogger("mjpm.database").exception("checkpoint du journal SQLite en échec")

    def start(self) -> "WalCheckpoints":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def start_wal_checkpoints(engine: Engine) -> WalCheckpoints | None:
    """The service's checkpoints off the requests' path, for a SQLite file (None for any other database)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return WalCheckpoints(engine).start()


def build_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


# PostgreSQL's deadlock victim and serialization failure: the transaction changed nothing and may run again.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer. This is the one write-transaction policy of the service:
    every unit of work that writes starts here (routes through `app.dependencies.WriteSessionDep`, commands and
    workers through `write_transaction`).

    - SQLite: BEGIN IMMEDIATE takes the database's write lock before the first read, and the busy timeout
      (`_configure_sqlite`) makes a second writer wait for it; a deferred transaction that read first would
      fail at its first write ("database is locked") whenever another writer committed in between.
    - PostgreSQL: READ COMMITTED, nothing to do here; rows are locked in the order documented in
      `app.registry.load`, and a request that still ends as a deadlock victim is replayed whole
      (`app.dependencies.RetryTransactions`). A transaction the request already holds (authentication's reads)
      goes on as the writer: each statement sees the latest commits anyway, and ending it would cost a COMMIT
      and a BEGIN, two round trips, on every write.

    On SQLite the read-only transaction a request may already hold is ended first. A session bound to a
    connection (tests' outer transaction) keeps it: the connection's transaction is the caller's business."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        return
    if session.in_transaction():
        if bind.dialect.name != "sqlite":
            return
        session.commit()
    session.connection(execution_options={WRITE_INTENT: True})


def statements_commit_alone(session: Session) -> None:
    """From here on, each statement of the session commits on its own, for a unit of work whose reads need no
    common snapshot and whose one write is a single statement (`/match`: the live loads with the version stamp,
    then its record appended in `write_aside`). What the session already holds (authentication's reads) ends first.

    - PostgreSQL: no BEGIN and no COMMIT, two round trips to the server saved on every request. Under READ
      COMMITTED a transaction gives reads nothing: each statement sees the latest commits in it or out of it.
    - SQLite: no BEGIN either, so the write lock is held by the INSERT alone, inside SQLite's C code, instead of
      from BEGIN IMMEDIATE to COMMIT across Python code, where the thread holding it may wait for the GIL (several
      milliseconds when the worker is busy) while the other workers' writers sleep in SQLite's busy handler.

    A session bound to a connection (tests' outer transaction) keeps the caller's transaction."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        return
    if session.in_transaction():
        session.commit()
    session.info[_COMMIT_ALONE] = True
    # PostgreSQL: psycopg's autocommit (no BEGIN, no COMMIT); SQLite: no BEGIN sent (`_begin_sqlite`).
    postgresql = bind.dialect.name == "postgresql"
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"} if postgresql else {_COMMIT_ALONE: True})


@contextmanager
def write_aside(session: Session) -> Iterator[Session]:
    """A short write committed at the end of the block, in a request whose session may already be a writer
    (`WriteSessionDep`, nothing written yet): what came before ends with it (committed first on SQLite, in the
    same transaction on PostgreSQL: `begin_write`), and a writer stays one after. For bookkeeping a read must
    also do (a rate-limit counter, a session's last use, the audit record of a `/match`). In a session whose
    statements each commit on their own (`/match`), so does the block's."""
    if session.info.get(_COMMIT_ALONE):
        yield session  # its statements commit on their own (`statements_commit_alone`): nothing to begin or end
        return
    writer = session.in_transaction() and bool(session.connection().get_execution_options().get(WRITE_INTENT))
    begin_write(session)
    yield session
    session.commit()
    if writer:
        begin_write(session)


def is_transient_conflict(error: BaseException) -> bool:
    """A PostgreSQL deadlock or serialization failure: the whole transaction may simply be run again."""
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in TRANSIENT_SQLSTATES


@contextmanager
def write_transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work that writes, outside a request (commands, workers): begun as a writer (`begin_write`),
    committed at the end of the block, rolled back if it raises."""
    with factory() as session:  # closing without commit rolls back
        begin_write(session)
        yield session
        session.commit()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite keeps no zone: we store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use timezone-aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


def utcnow() -> datetime:
    return datetime.now(UTC)


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched: its result is a cursor result, which counts them (typed as such here)."""
    return cast(CursorResult[Any], result).rowcount


def table_of(model: type[Any]) -> Table:
    """A mapped class's table, for Core statements (bulk inserts, compiled-once queries), typed as a Table."""
    return cast(Table, model.__table__)


def add_to_counters(session: Session, model: type[Any], keys: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Add each row's values to the counters of its key, creating the missing ones: SQL increments that never read
    the row, so concurrent writers never overwrite each other. The rows come sorted by key (the lock order)."""
    if not rows:
        return
    table = table_of(model)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    added = {name: table.c[name] + statement.excluded[name] for name in rows[0] if name not in keys}
    session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=added), rows)
