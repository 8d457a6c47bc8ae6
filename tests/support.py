"""Helpers shared by tests: scratch databases and migrations, a real server, concurrent requests, the profiles of the
pure engine's and simulation's tests."""

import math
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import anyio
import httpx
import uvicorn
from alembic import command
from anyio.from_thread import BlockingPortal, start_blocking_portal
from anyio.streams.stapled import StapledObjectStream
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import _TestClientTransport

from app.auth.accounts import normalise_email
from app.auth.constants import AccountState, Role
from app.auth.models import Account
from app.config import Settings, get_settings
from app.database import build_engine, utcnow
from app.geo.gazetteer import Gazetteer
from app.geo.repository import sync_tribunaux
from app.matching.engine import Profile, SiteProfile
from app.matching.service import IndexCache
from app.migrations import alembic_config
from app.registry.constants import RECENT_DESIGNATION_DAYS
from app.registry.models import Mandataire
from app.tokens.service import check_scope, issue_token
from tests.registry.factories import mandataire_body

if TYPE_CHECKING:
    from fastapi import FastAPI

    from app.demo.seed import SeedSummary


@contextmanager
def scratch_database_url(base_url: str, directory: Path, prefix: str, *, template: str | None = None) -> Iterator[str]:
    """A new database: a SQLite file in `directory`, or a PostgreSQL database created on the server; empty, or a
    copy of `template` (the URL of another scratch database of the same server, which no connection may hold open
    while it is copied: PostgreSQL refuses to copy a database in use)."""
    url = make_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    if url.get_backend_name() == "sqlite":
        path = directory / (name + ".db")
        if template is not None:
            copy_sqlite(Path(str(make_url(template).database)), path)
        yield f"sqlite:///{path}"
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    copied = f' TEMPLATE "{make_url(template).database}"' if template is not None else ""
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copied}')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def copy_sqlite(source: Path, target: Path) -> None:
    """A copy of the SQLite database `source` at `target` (SQLite's own backup: whole, whatever its journal)."""
    original, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        original.backup(copy)
    finally:
        copy.close()
        original.close()


# The regional demo register (Hauts-de-France, `seed_demo(scale="region")`) is seeded once per run and copied by the
# tests that need it: seeding it takes a quarter of a minute or more, a copy a second or two.
DEMO_SEED = 3
# The day it is seeded as: today, read once per run, since the dashboards read its history against the clock.
DEMO_TODAY = utcnow().date()


@dataclass(frozen=True)
class DemoRegister:
    """A database holding the regional demo (its tribunals and register, no people), which no test opens: each
    package or module that reads it makes its own copy (`scratch_database_url(..., template=register.url)`)."""

    url: str
    summary: "SeedSummary"
    progress: tuple[tuple[str, int, int], ...]  # the seed's progress calls (stage, done, total)


def seed_demo_register(url: str, gazetteer: Gazetteer) -> DemoRegister:
    """Migrate the empty database `url`, load its tribunals and seed the regional demo (`DEMO_SEED`, `DEMO_TODAY`)
    into it; every connection to it is closed on return, so that it can be copied."""
    from app.demo.seed import seed_demo  # the demo imports every domain: only when a register is wanted

    engine = build_engine(url)
    try:
        migrate(engine)
        with sessionmaker(bind=engine).begin() as session:
            sync_tribunaux(session, gazetteer)
        calls: list[tuple[str, int, int]] = []
        summary = seed_demo(
            engine,
            gazetteer,
            scale="region",
            seed=DEMO_SEED,
            today=DEMO_TODAY,
            progress=lambda stage, done, total: calls.append((stage, done, total)),
        )
    finally:
        engine.dispose()
    return DemoRegister(url, summary, tuple(calls))


def migrate(engine: Engine, revision: str = "head", *, down: bool = False) -> None:
    config = alembic_config()
    config.attributes["configure_logger"] = False
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def new_account(
    session,
    gazetteer: Gazetteer,
    role: Role | str,
    *,
    email: str,
    etat: str = AccountState.ACTIF,
    nom="Testeur",
    **scope,
) -> Account:
    """An account of the role and scope (checked as for tokens), added to the session, not committed."""
    checked = check_scope(session, gazetteer, role=Role(role), **scope)
    account = Account(
        email=normalise_email(email),
        nom=nom,
        prenom="Dominique",
        role=Role(role),
        tribunal_id=checked.tribunal_id,
        departement=checked.departement,
        region=checked.region,
        mandataire_id=checked.mandataire_id,
        siret=checked.siret,
        etat=etat,
    )
    session.add(account)
    return account


_LOOP = ExitStack()  # closes the event loop below at the end of the run (`close_shared_loop`)
_PORTALS: list[BlockingPortal] = []


def _shared_portal() -> BlockingPortal:
    if not _PORTALS:
        _PORTALS.append(_LOOP.enter_context(start_blocking_portal(backend="asyncio")))
    return _PORTALS[0]


def close_shared_loop() -> None:
    """Stops the event loop the test clients share (its thread would keep the interpreter from exiting)."""
    _PORTALS.clear()
    _LOOP.close()


class _OneTripTransport(_TestClientTransport):
    """Starlette's transport for HTTP, in one round trip to the event loop's thread instead of about nine (it asks
    the loop for each of its events and streams, starts the app, then fetches each chunk of the body), each a
    wake-up of the other thread, which a busy machine makes wait. The answer is read whole on the loop: no test
    streams one. The exchange is otherwise Starlette's: the same scope, the request's body in one message, then
    `http.disconnect` once the answer is sent, the app's exception raised in the test, the templates' debug
    information kept. WebSockets go through Starlette's transport."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scheme = request.url.scheme
        if scheme not in ("http", "https"):
            return super().handle_request(request)
        headers = [] if "host" in request.headers else [(b"host", request.url.netloc)]
        headers += [(key.lower().encode(), value.encode()) for key, value in request.headers.multi_items()]
        scope = {
            "type": "http",
            "http_version": "1.1",
            "method": request.method,
            "path": unquote(request.url.path),
            "raw_path": request.url.raw_path.split(b"?", 1)[0],
            "root_path": self.root_path,
            "scheme": scheme,
            "query_string": request.url.query,
            "headers": headers,
            "client": self.client,
            "server": [request.url.raw_host.decode("ascii"), request.url.port or {"http": 80, "https": 443}[scheme]],
            "extensions": {"http.response.debug": {}},
            "state": self.app_state.copy(),
        }
        with self.portal_factory() as portal:
            start, body, debug, error = portal.call(self._exchange, scope, request.read())
        if error is not None and self.raise_server_exceptions:
            raise error
        if start is None:
            if self.raise_server_exceptions:
                raise AssertionError("TestClient did not receive any response.")
            start = {"status": 500, "headers": []}
        response = httpx.Response(
            start["status"],
            headers=[(key.decode(), value.decode()) for key, value in start.get("headers", [])],
            content=b"" if request.method == "HEAD" else body,
            request=request,
        )
        if debug is not None:
            response.extensions["http.response.debug"] = debug
            for name in ("template", "context"):
                if name in debug:
                    setattr(response, name, debug[name])
        return response

    async def _exchange(self, scope: dict, body: bytes) -> tuple[dict | None, bytes, dict | None, Exception | None]:
        """The app's answer to one request: its start message, its body, its debug information, its exception."""
        start: dict | None = None
        chunks: list[bytes] = []
        debug: dict | None = None
        request_sent = False
        answered = anyio.Event()

        async def receive() -> dict:
            nonlocal request_sent
            if request_sent:
                await answered.wait()
                return {"type": "http.disconnect"}
            request_sent = True
            return {"type": "http.request", "body": body}

        async def send(message: dict) -> None:
            nonlocal start, debug
            if message["type"] == "http.response.start":
                assert start is None, 'Received multiple "http.response.start" messages.'
                start = message
            elif message["type"] == "http.response.body":
                assert start is not None, 'Received "http.response.body" without "http.response.start".'
                assert not answered.is_set(), 'Received "http.response.body" after response completed.'
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    answered.set()
            elif message["type"] == "http.response.debug":
                debug = message["info"]

        try:
            await self.app(scope, receive, send)
        except Exception as error:
            return start, b"".join(chunks), debug, error
        finally:
            answered.set()
        return start, b"".join(chunks), debug, None


class _ClientOnSharedLoop(TestClient):
    """A TestClient whose app runs on the run's one event loop: TestClient starts a thread and an event loop for
    each client, and the loop its own worker threads for the sync routes, which cost each test a few milliseconds
    (tens on a busy machine). The app's lifespan still starts with the client and stops with it, as in
    `TestClient.__enter__`, which this follows but for the portal. Its requests take one round trip to that loop
    (`_OneTripTransport`)."""

    def __init__(self, app: "FastAPI") -> None:
        super().__init__(app)
        own = self._transport
        self._transport = _OneTripTransport(
            own.app,
            portal_factory=own.portal_factory,
            raise_server_exceptions=own.raise_server_exceptions,
            root_path=own.root_path,
            client=own.client,
            app_state=own.app_state,
        )

    def __enter__(self) -> "_ClientOnSharedLoop":
        self.portal = portal = _shared_portal()
        send = anyio.create_memory_object_stream[dict | None](math.inf)
        receive = anyio.create_memory_object_stream[dict](math.inf)
        self.stream_send = StapledObjectStream(*send)
        self.stream_receive = StapledObjectStream(*receive)
        try:
            self.task = portal.start_task_soon(self.lifespan)
            portal.call(self.wait_startup)
        except BaseException:
            self._close_streams()
            raise
        return self

    def __exit__(self, *args) -> None:
        try:
            self.portal.call(self.wait_shutdown)
        finally:
            self._close_streams()

    def _close_streams(self) -> None:
        for stream in (self.stream_send, self.stream_receive):
            stream.send_stream.close()
            stream.receive_stream.close()
        self._transport.close()
        self.portal = None


@dataclass
class _BuiltApp:
    settings: dict  # the values it was built from (secrets compare by value)
    app: "FastAPI"
    state: dict  # its state as built
    busy: bool = False


_APPS: list[_BuiltApp] = []


@contextmanager
def app_client(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """A test client of the app for `settings`, its requests in the test's transaction (`session_factory`).

    The app object is reused by the later tests of the same settings: FastAPI builds a route's validation on the
    first request that reaches it, for each app, which cost a new app per test a few tenths of a second. What a test
    sees stays its own: the client starts the app's lifespan (a new engine, caches and relying party), and the
    overrides and state a test may change are put back; an app already in use (two clients in one test) is not
    shared. Every client runs its app on the run's one event loop (`_ClientOnSharedLoop`)."""
    from app.main import create_app  # the app imports every domain: only when a client is wanted

    values = settings.model_dump()
    built = next((b for b in _APPS if not b.busy and b.settings == values), None)
    if built is None:
        app = create_app(settings)
        built = _BuiltApp(values, app, dict(app.state._state))
        _APPS.append(built)

    app = built.app
    built.busy = True
    app.state._state = {**built.state, "settings": settings}
    try:
        with _ClientOnSharedLoop(app) as client:
            # The requests' sessions: `get_session` opens them from the state, where the lifespan put the factory
            # of its own engine. Set here rather than as a dependency override: while the app has any override,
            # FastAPI analyses every dependency of the route again on each request (a few milliseconds each).
            app.state.session_factory = session_factory
            yield client
    finally:
        app.dependency_overrides = {}
        built.busy = False


def as_new(client: TestClient) -> TestClient:
    """A client kept for several tests (a module's cases), for the next one as a new client would start it: no
    cookie, and the caches its app's requests fill empty: the principals checked, and the matching index, whose
    registry stamp a rolled-back savepoint sends back to a value it had with other data. (A relying party caches its
    provider's metadata and keys too: such a client is not kept.)"""
    state = client.app.state
    assert state.relying_party is None, "an app signing in with a provider starts a client per test"
    client.cookies.clear()
    state.principals.clear()
    state.match_index = IndexCache()
    return client


def create_mandataire(client: TestClient, headers: dict[str, str], **overrides) -> dict:
    """A professional created through the API by `headers` (an admin's, an agent's): the answer, once checked."""
    response = client.post("/mandataires", json=mandataire_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def invoke_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`mjpm ARGS` on `database_url` in this process (click's runner): its exit code, stdout and stderr, without the
    start-up of a process (the console script as a process: tests/auth/test_tokens_cli.py). An exception the command
    does not turn into an exit code is raised here."""
    from typer.testing import CliRunner

    from app.cli import cli  # the command line imports what each command needs: only when one is run

    get_settings.cache_clear()  # the command reads DATABASE_URL through the cached settings
    try:
        result = CliRunner().invoke(cli, list(args), env={"DATABASE_URL": database_url})
    finally:
        get_settings.cache_clear()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def counters(session) -> dict:
    """The stored load counters of every professional and site."""
    rows = {}
    for table in ("mandataire", "site"):
        query = f"SELECT id, mesures_en_cours, mesures_en_attente, charge_en_cours, charge_en_attente FROM {table}"
        rows[table] = {row[0]: tuple(row[1:]) for row in session.execute(text(query))}
    return rows


def recount(session, owner_column: str) -> dict:
    """Plain-SQL recount of the measures in progress and pending, plus the places pending transfers hold at the
    new professional (the invariant of app.registry.load)."""
    hold_owner = {"mandataire_id": "mandataire_id", "site_id": "site_id"}[owner_column]
    rows = session.execute(
        text(f"""
        SELECT owner, SUM(en_cours), SUM(en_attente), SUM(charge_en_cours), SUM(charge_en_attente) FROM (
          SELECT {owner_column} AS owner,
                 CASE WHEN statut = 'en_cours' THEN 1 ELSE 0 END AS en_cours,
                 CASE WHEN statut = 'en_attente' THEN 1 ELSE 0 END AS en_attente,
                 CASE WHEN statut = 'en_cours' THEN poids ELSE 0 END AS charge_en_cours,
                 CASE WHEN statut = 'en_attente' THEN poids ELSE 0 END AS charge_en_attente
          FROM mesure WHERE {owner_column} IS NOT NULL
          UNION ALL
          SELECT {hold_owner}, 0, 1, 0, poids_transfert FROM reservation
          WHERE statut = 'en_attente' AND ancien_mandataire_id IS NOT NULL AND {hold_owner} IS NOT NULL
        ) AS shares GROUP BY owner""")
    )
    return {row[0]: (int(row[1]), int(row[2]), round(float(row[3]), 6), round(float(row[4]), 6)) for row in rows}


def assert_counters_equal_recount(session) -> None:
    """The stored load of every professional and site, and per professional and département where it works,
    equals a plain-SQL recount of the measures."""
    stored = counters(session)
    for table, owner in (("mandataire", "mandataire_id"), ("site", "site_id")):
        expected = {k: v for k, v in recount(session, owner).items() if any(v)}
        actual = {k: (v[0], v[1], round(v[2], 6), round(v[3], 6)) for k, v in stored[table].items() if any(v)}
        assert actual == expected, table
    stored_departements = {
        tuple(row[:3]): (row[3], row[4])
        for row in session.execute(
            text("SELECT mandataire_id, departement, statut, mesures, tutelles FROM charge_departement")
        )
        if row[3] or row[4]
    }
    assert stored_departements == recount_departements(session), "charge_departement"
    assert_recent_designations_equal_recount(session)
    assert_answers_equal_recount(session)


def assert_recent_designations_equal_recount(session) -> set[int]:
    """Every professional's kept count of recent designations equals a plain-SQL count of its measures designated
    in the window (by date, else by entry) at any instant where it holds: now, later days, and the last instant
    before it stops holding (a count that holds too long fails there). Returns the ids whose count holds now."""
    now = utcnow()
    columns = (
        Mandataire.id,
        Mandataire.designations_recentes,
        Mandataire.designations_recentes_depuis,
        Mandataire.designations_recentes_jusqu_au,
    )
    stored = [row for row in session.execute(select(*columns)) if row[2] is not None and row[3] is not None]
    later = [now + timedelta(days=days) for days in (1, 2, 29)]
    ends = [until - timedelta(microseconds=1) for *_, until in stored if now < until < now + timedelta(days=3650)]
    held = set()
    for instant in sorted({now, *later, *ends}):
        since = instant - timedelta(days=RECENT_DESIGNATION_DAYS)
        expected = dict(
            session.execute(
                text(
                    "SELECT mandataire_id, count(*) FROM mesure WHERE date_nomination >= :day "
                    "OR (date_nomination IS NULL AND created_at > :since) GROUP BY mandataire_id"
                ),
                {"day": since.date(), "since": since.replace(tzinfo=None)},  # stored as naive UTC
            ).all()
        )
        for mandataire_id, count, depuis, jusqu_au in stored:
            if depuis <= instant < jusqu_au:
                found = expected.get(mandataire_id, 0)
                assert count == found, f"désignations récentes du mandataire {mandataire_id} au {instant}"
                held.update([mandataire_id] if instant == now else [])
    return held


def assert_answers_equal_recount(session) -> None:
    """The answers to reservations per year (département of the tribunal, type of professional, nature, status)
    equal a plain-SQL recount of the reservations (the year of `answered_at`, stored as UTC)."""
    stored = {
        tuple(row[:5]): row[5]
        for row in session.execute(
            text("SELECT departement, type, nature, annee, statut, reservations FROM reservations_annee")
        )
        if row[5]
    }
    expected = {}
    for departement, kind, nature, answered_at, statut in session.execute(
        text("""
        SELECT t.departement, m.type, r.nature, r.answered_at, r.statut
        FROM reservation r JOIN tribunal t ON t.id = r.tribunal_id JOIN mandataire m ON m.id = r.mandataire_id
        WHERE r.statut IN ('acceptee', 'refusee', 'expiree')""")
    ):
        year = int(str(answered_at)[:4])
        key = (departement, kind, nature, year, statut)
        expected[key] = expected.get(key, 0) + 1
    assert stored == expected, "reservations_annee"
    assert_monthly_answers_equal_recount(session)


def stored_counters(session, sql: str, values: int = 1) -> dict:
    """A counter table's rows with a non-zero count: key (the columns but the last `values`, a month as its ISO
    date on both databases) → the count, or the tuple of counts."""
    found = {}
    for row in session.execute(text(sql)):
        key = tuple(part if isinstance(part, int | str) else part.isoformat() for part in row[:-values])
        counts = tuple(row[-values:])
        if any(counts):
            found[key] = counts if values > 1 else counts[0]
    return found


def assert_monthly_answers_equal_recount(session) -> None:
    """The answers per month (of `answered_at` in UTC), tribunal and type of professional, and the histograms of
    the acceptance delays (each in tenths of a day, nearest, between whole seconds), per tribunal and national,
    equal a recount of the reservations made here one by one."""
    per_month: dict = {}
    delays: dict = {}
    national: dict = {}
    column = {"acceptee": 0, "refusee": 1, "expiree": 2}
    for tribunal, kind, created, answered, statut in session.execute(
        text("""
        SELECT r.tribunal_id, m.type, r.created_at, r.answered_at, r.statut
        FROM reservation r JOIN mandataire m ON m.id = r.mandataire_id
        WHERE r.statut IN ('acceptee', 'refusee', 'expiree') AND r.answered_at IS NOT NULL""")
    ):
        created, answered = (datetime.fromisoformat(str(value)).replace(microsecond=0) for value in (created, answered))
        month = f"{answered:%Y-%m}-01"
        counts = per_month.setdefault((month, tribunal, kind), [0, 0, 0])
        counts[column[statut]] += 1
        if statut == "acceptee":
            tenths = (max(int((answered - created).total_seconds()), 0) + 4320) // 8640
            delays[(month, tribunal, kind, tenths)] = delays.get((month, tribunal, kind, tenths), 0) + 1
            national[(month, kind, tenths)] = national.get((month, kind, tenths), 0) + 1
    sql = "SELECT mois, tribunal_id, type, acceptees, refusees, expirees FROM reservations_mois"
    stored = stored_counters(session, sql, values=3)
    assert stored == {key: tuple(counts) for key, counts in per_month.items()}, "reservations_mois"
    sql = "SELECT mois, tribunal_id, type, dixiemes, reservations FROM delai_acceptation"
    assert stored_counters(session, sql) == delays, "delai_acceptation"
    sql = "SELECT mois, type, dixiemes, reservations FROM delai_acceptation_national"
    assert stored_counters(session, sql) == national, "delai_acceptation_national"


def recount_departements(session) -> dict:
    """Plain-SQL recount of the measures in progress and pending per professional, département where they are
    worked (the antenne's, else the tribunal's) and status: (measures, of which tutelles)."""
    rows = session.execute(
        text("""
        SELECT m.mandataire_id, COALESCE(s.departement, t.departement), m.statut, COUNT(*),
               SUM(CASE WHEN m.nature = 'tutelle' THEN 1 ELSE 0 END)
        FROM mesure m JOIN tribunal t ON t.id = m.tribunal_id LEFT JOIN site s ON s.id = m.site_id
        WHERE m.statut IN ('en_cours', 'en_attente')
        GROUP BY m.mandataire_id, COALESCE(s.departement, t.departement), m.statut""")
    )
    return {(row[0], row[1], row[2]): (int(row[3]), int(row[4])) for row in rows}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(app, port: int | None = None) -> Iterator[str]:
    """The app behind a real uvicorn server on 127.0.0.1 (separate connections, real HTTP), on `port` or a free
    one (a test that must give its address to another server first picks it with `free_port`)."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass(frozen=True)
class LiveServer:
    """The app behind a real server over a committed scratch database (see `live_server`)."""

    base: str
    engine: Engine
    settings: Settings
    gazetteer: Gazetteer

    def token(self, role: str, **scope) -> dict[str, str]:
        """A new token committed in the database; returns its Authorization header."""
        with sessionmaker(bind=self.engine).begin() as session:
            value = issue_token(
                session,
                secret=self.settings.token_secret.get_secret_value(),
                gazetteer=self.gazetteer,
                role=Role(role),
                **scope,
            )[0]
        return {"Authorization": f"Bearer {value}"}

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60)

    def at_once(self, calls: Sequence[tuple[str, str, dict]]) -> list[httpx.Response]:
        """Send every (method, path, httpx keyword arguments) from its own thread and connection, released
        together; the answers in the order of `calls`."""
        barrier = threading.Barrier(len(calls))

        def send(call: tuple[str, str, dict]) -> httpx.Response:
            method, path, kwargs = call
            with self.client() as own_connection:
                barrier.wait()
                return own_connection.request(method, path, **kwargs)

        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(send, calls))


@contextmanager
def live_server(server: str, directory: Path, gazetteer: Gazetteer, prefix: str) -> Iterator[LiveServer]:
    """A uvicorn server on 127.0.0.1 over a migrated scratch database of the engine under test (`server`: the
    `database_server` fixture), tribunals loaded: what requests commit is really committed."""
    from app.main import create_app  # the app imports every domain: only when a server is wanted

    with scratch_database_url(server, directory, prefix) as url:
        engine = build_engine(url)
        migrate(engine)
        settings = Settings(database_url=url, environment="test")
        with sessionmaker(bind=engine).begin() as session:
            sync_tribunaux(session, gazetteer)
        try:
            with serving(create_app(settings)) as base:
                yield LiveServer(base, engine, settings, gazetteer)
        finally:
            engine.dispose()


# --- profiles for the pure engine and simulation -------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # the clock of the pure tests
LILLE = (50.63089, 3.07086)


def profile(id: int = 1, lat: float = LILLE[0], lon: float = LILLE[1], **overrides) -> Profile:
    """An active MI of the Nord, updated three days before `NOW`, with one office at (lat, lon); any field
    overridden."""
    values: dict = dict(
        id=id,
        nom=f"Pro {id}",
        type="individuel",
        dpf=False,
        statut="actif",
        accepte_nouvelles_mesures=True,
        natures=frozenset({"tutelle", "curatelle_renforcee", "mesure_accompagnement_judiciaire"}),
        departements=frozenset({"59"}),
        tribunaux=frozenset(),
        specialites=frozenset(),
        rayon_km=None,
        capacite=40,
        derniere_mise_a_jour=NOW - timedelta(days=3),
        absences=(),
        etablissements=frozenset(),
        sites=(SiteProfile(id * 10, "Bureau", lat, lon, None),),
    )
    values.update(overrides)
    return Profile(**values)
