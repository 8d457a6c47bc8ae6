"""Shared set-up of the benchmarks: SQLite and PostgreSQL side by side, each holding the national demo register.

Every benchmark runs on both databases in one run and prints their figures side by side (`--databases` picks one).
SQLite is the file `var/bench-national.db`. PostgreSQL is the server named by `BENCH_POSTGRES_URL`, or else a
throw-away server that this module starts on 127.0.0.1 from the machine's PostgreSQL binaries, as the test script
does, on the data directory `var/bench-postgres/` (kept between runs, so the national register is seeded once).
Delete `var/bench-*` to start clean: a benchmark that writes changes later figures slightly.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from alembic import command
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from app.database import build_engine, utcnow
from app.demo.seed import database_is_empty, seed_demo
from app.geo.gazetteer import load_gazetteer
from app.geo.repository import sync_tribunaux
from app.migrations import alembic_config
from app.registry.load import recount_stale_recent_designations

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DATABASES = ("sqlite", "postgresql")
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SQLITE_URL = f"sqlite:///{VAR / 'bench-national.db'}"


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--databases",
        default=",".join(DATABASES),
        help="comma-separated: sqlite, postgresql (default: both, side by side)",
    )


def chosen(arguments: argparse.Namespace) -> list[str]:
    names = [name.strip() for name in arguments.databases.split(",") if name.strip()]
    unknown = set(names) - set(DATABASES)
    if unknown or not names:
        raise SystemExit(f"--databases: unknown {sorted(unknown)}; choose among {', '.join(DATABASES)}")
    return names


def upgrade(engine: Engine) -> None:
    """The project's own migrations (what `mjpm db upgrade` applies) on the given engine."""
    config = alembic_config()
    config.attributes["configure_logger"] = False
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _pg_bin() -> Path:
    candidates = [Path(p).parent for p in [shutil.which("initdb") or ""] if p]
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    raise SystemExit("PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql or set BENCH_POSTGRES_URL")


def wrk_binary() -> str:
    """The wrk load generator (Debian package `wrk`), installed here as root when missing, as the test script installs
    PostgreSQL and Chromium: a Python client on the benchmark's own 2 cores would take a share of them and answer
    late, and the throughput figures would measure it rather than the server."""
    found = shutil.which("wrk")
    if found is None and os.getuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package) ...", flush=True)
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

        def apt_get(*arguments: str) -> int:
            quiet = subprocess.DEVNULL
            return subprocess.run(["apt-get", *arguments], stdout=quiet, stderr=quiet, env=environment).returncode

        if apt_get("install", "-y", "-qq", "wrk") != 0:  # the package lists may be missing or stale
            apt_get("update", "-qq")
            apt_get("install", "-y", "-qq", "wrk")
        found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk not found: install the Debian package wrk (apt-get install wrk)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL: BENCH_POSTGRES_URL, or a server started here on var/bench-postgres/ and stopped after.

    Durability settings match the test script's scratch server (fsync off): figures are about the service's work,
    not the disk's."""
    if os.environ.get("BENCH_POSTGRES_URL"):
        yield os.environ["BENCH_POSTGRES_URL"]
        return
    binaries, data = _pg_bin(), VAR / "bench-postgres"
    run_as: list[str] = []
    if os.getuid() == 0:  # the server refuses to run as root
        run_as = ["runuser", "-u", "postgres", "--"]
    socket_dir = Path(tempfile.mkdtemp(prefix="mjpm-bench-pg-"))
    if run_as:
        VAR.mkdir(exist_ok=True)
        subprocess.run(["chown", "postgres", str(socket_dir)], check=True)
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if run_as:
            subprocess.run(["chown", "postgres", str(data)], check=True)
        subprocess.run(
            [*run_as, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
            + ["--locale=C.UTF-8", "--no-sync"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    port = _free_port()
    options = f"-h 127.0.0.1 -p {port} -k {socket_dir} -c fsync=off -c synchronous_commit=off -c max_connections=200"
    log = socket_dir / "server.log"
    subprocess.run(
        [*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(socket_dir, ignore_errors=True)


def postgres_database(server_url: str, name: str, *, fresh: bool = False) -> str:
    """The URL of database `name` on the server, created when missing (dropped and created again when fresh)."""
    url = make_url(server_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if fresh:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).first()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@contextmanager
def servers(names: list[str]) -> Iterator[dict[str, str]]:
    """For each chosen database, a server URL: the SQLite directory's marker `sqlite`, or a PostgreSQL server."""
    with ExitStack() as stack:
        found = {}
        for name in names:
            found[name] = stack.enter_context(postgres_server()) if name == "postgresql" else "sqlite"
        yield found


def national_url(kind: str, server: str) -> str:
    return SQLITE_URL if kind == "sqlite" else postgres_database(server, "bench_national")


def national_database(url: str) -> Engine:
    """The engine of the benchmark database at `url`, migrated and seeded with the national register on first use."""
    engine = build_engine(url)
    upgrade(engine)
    with sessionmaker(bind=engine).begin() as session:
        sync_tribunaux(session, load_gazetteer())
        empty = database_is_empty(session)
    if empty:
        started = time.perf_counter()
        print(f"seeding the national demo register on {make_url(url).get_backend_name()} (once) ...", flush=True)
        summary = seed_demo(engine, load_gazetteer(), scale="national", seed=1)
        print(
            f"  {summary.total_mandataires} professionals, {summary.total_mesures} measures "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        if engine.dialect.name == "postgresql":
            # What autovacuum does to a database in service, in its own time: planner statistics, and the visibility
            # map that index-only scans need. Without them the figures of the first runs after seeding are those
            # of a database no deployment runs (seq scans, twice the database CPU per /match).
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
    # The scheduled job's work (servers here run without it): a register seeded days ago has counts of recent
    # designations that no longer hold, which /match would count measure by measure.
    with sessionmaker(bind=engine).begin() as session:
        recounted = recount_stale_recent_designations(session, now=utcnow())
    if recounted:
        print(f"  recent designations recounted for {recounted} professionals", flush=True)
    return engine


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


STARTUP_S = 600  # at most, for a server to answer its first /healthz
UVICORN = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--log-level", "warning"]


def readiness_path(client: httpx.Client) -> str:
    """`/readyz` (one database round trip) where the service has it, else `/healthz`."""
    return "/readyz" if client.get("/readyz").status_code == 200 else "/healthz"


@contextmanager
def running_server(
    database_url: str, *, command: list[str] = UVICORN, timeout_s: float = 60, env: dict[str, str] | None = None
) -> Iterator[httpx.Client]:
    """A server (by default uvicorn with one worker, as `./scripts/run`) on a free port of 127.0.0.1, and a client
    for it. The command is given `--host 127.0.0.1 --port N`."""
    with serving(database_url, command=command, timeout_s=timeout_s, env=env) as (client, _pid):
        yield client


@contextmanager
def serving(
    database_url: str, *, command: list[str] = UVICORN, timeout_s: float = 60, env: dict[str, str] | None = None
) -> Iterator[tuple[httpx.Client, int]]:
    """`running_server`, with the server's process id (to read its memory and CPU time)."""
    port = _free_port()
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        # The scheduled jobs (expiry, outbox, purge) stay off: figures are about the requests alone.
        env={**os.environ, "DATABASE_URL": database_url, "SCHEDULER_ENABLED": "false", **(env or {})},
        cwd=ROOT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout_s) as client:
            # A loaded machine can take minutes to import and start the app: wait, but not for a dead server.
            deadline = time.monotonic() + STARTUP_S
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None:
                    raise SystemExit(f"the server stopped while starting (exit status {server.returncode})")
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server did not answer /healthz within {STARTUP_S} s")
                time.sleep(0.1)
            yield client, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def rows_of(results: dict[str, dict]) -> "Callable[[str, Callable[[dict], str]], tuple[str, dict[str, str]]]":
    """A row maker for `side_by_side`: `row(label, figure)` applies `figure` to each database's results."""

    def row(label: str, figure: Callable[[dict], str]) -> tuple[str, dict[str, str]]:
        return (label, {name: figure(result) for name, result in results.items()})

    return row


def side_by_side(title: str, rows: list[tuple[str, dict[str, str]]], names: list[str], width: int = 60) -> str:
    """A table with one column per database: `rows` are (label, {database: formatted figure})."""
    # Each column as wide as its longest figure and two spaces, at least 16: a long figure never runs into the next.
    column = max([16, *(len(figures.get(n, "-")) + 2 for _, figures in rows for n in names)])
    header = f"{title:<{width}}" + "".join(f"{LABELS[n]:>{column}}" for n in names)
    lines = [header]
    for label, figures in rows:
        lines.append(f"{label:<{width}}" + "".join(f"{figures.get(n, '-'):>{column}}" for n in names))
    return "\n".join(lines)
