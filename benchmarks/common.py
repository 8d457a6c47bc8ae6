"""Shared set-up of the benchmarks: a migrated database holding the national demo register."""

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from app.database import build_engine
from app.geo.gazetteer import load_gazetteer
from app.geo.repository import sync_tribunaux
from app.registry.seed import database_is_empty, seed_demo
from tests.support import migrate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'bench-national.db'}"


def national_database(url: str | None = None) -> tuple[str, Engine]:
    """The benchmark database (BENCH_DATABASE_URL or var/bench-national.db), seeded nationally on first use."""
    url = url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    engine = build_engine(url)
    migrate(engine)
    with sessionmaker(bind=engine).begin() as session:
        sync_tribunaux(session, load_gazetteer())
        empty = database_is_empty(session)
    if empty:
        started = time.perf_counter()
        print("seeding the national demo register (once) ...", flush=True)
        summary = seed_demo(engine, load_gazetteer(), scale="national", seed=1)
        print(
            f"  {summary.total_mandataires} professionals, {summary.total_mesures} measures "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    return url, engine


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


UVICORN = [str(ROOT / ".venv" / "bin" / "uvicorn"), "app.main:create_app", "--factory", "--log-level", "warning"]


@contextmanager
def running_server(database_url: str, *, command: list[str] = UVICORN, timeout_s: float = 60) -> Iterator[httpx.Client]:
    """A server (by default uvicorn with one worker, as `./scripts/run`) on a free port of 127.0.0.1, and a client
    for it. The command is given `--host 127.0.0.1 --port N`."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "DATABASE_URL": database_url},
        cwd=ROOT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout_s) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield client
    finally:
        server.terminate()
        server.wait(timeout=30)
