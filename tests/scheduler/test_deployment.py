"""Two application processes on one database, as deployed: real subprocesses (`uvicorn app.main:create_app
--factory`, `mjpm scheduler`) on a committed scratch database of the engine under test, with periods of 1 s.

- The scheduled work runs with nobody at the controls: an unanswered reservation gets its reminder, then expires,
  and every notification reaches the webhook exactly once; each job's periods are claimed once (by either).
- A process killed (-9) in the middle of a delivery: the other takes the work over, nothing is lost, and only the
  notification in flight is delivered twice (at least once, as documented).
- Rate limits hold across the processes: of requests spread over two servers, exactly the limit gets through.

The rate limits are checked first, on the two application processes the next test then watches at work: one start
of the application processes fewer.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import sessionmaker

from app.config import PROJECT_ROOT, Settings
from app.database import build_engine, utcnow
from app.designation.models import Reservation
from app.geo.repository import sync_tribunaux
from app.main import create_app
from app.notifications.constants import NotificationStatus
from app.notifications.models import Notification
from app.notifications.service import enqueue
from app.ratelimit.service import WINDOW_S
from app.scheduler.models import JobRun
from app.scheduler.service import JOBS, period_start
from tests.registry.factories import mandataire_body
from tests.scheduler.support import reserve, token_factory, writing
from tests.support import migrate, scratch_database_url

PERIOD_S = 1.0
# Waits for something the processes will do; never an assertion on how long it took.
PATIENCE_S = 300.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], what: str) -> object:
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still waiting for {what}")


@dataclass
class Webhook:
    """A webhook receiver that records every delivery; when `hold` is set, it holds the first request it gets
    (the sender stays blocked in it) until `release` is set."""

    port: int = field(default_factory=free_port)
    deliveries: list[tuple[int, str]] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/notifications"

    def ids(self) -> Counter:
        return Counter(notification_id for notification_id, _ in self.deliveries)


@pytest.fixture(scope="module")
def webhook() -> Iterator[Webhook]:
    receiver = Webhook()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                receiver.deliveries.append((body["id"], body["kind"]))
                held = receiver.hold.is_set() and not receiver.holding.is_set()
                if held:
                    receiver.holding.set()
            if held:
                receiver.release.wait(3 * PATIENCE_S)  # longer than any wait of the test
            try:
                self.send_response(204)
                self.end_headers()
            except OSError:  # the held sender was killed meanwhile
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.release.set()
    server.shutdown()


@dataclass
class Deployment:
    url: str
    engine: Engine
    env: dict[str, str]
    workdir: Path
    token: Callable[..., dict[str, str]]
    processes: list[subprocess.Popen] = field(default_factory=list)
    servers: list[str] = field(default_factory=list)

    def start(self, *command: str, name: str) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / f"{name}.log"
        with log.open("w") as output:
            process = subprocess.Popen(command, env=self.env, cwd=self.workdir, stdout=output, stderr=output)
        self.processes.append(process)
        return process, log

    def app_pair(self) -> list[str]:
        """Two application processes (uvicorn, the scheduler in their lifespan), started together; returns their
        base URLs once they both answer. Kept running for the next test that asks, until one stops them: each start
        imports the whole application (seconds on a busy machine)."""
        if not self.servers:
            self.servers = self._apps("app-1", "app-2")
        return self.servers

    def _apps(self, *names: str) -> list[str]:
        started = []
        for name in names:
            port = free_port()
            process, log = self.start(
                sys.executable,
                *("-m", "uvicorn", "app.main:create_app", "--factory", "--port", str(port), "--log-level", "warning"),
                name=name,
            )
            started.append((name, process, log, f"http://127.0.0.1:{port}"))
        for name, process, log, base in started:

            def answers(process=process, log=log, base=base) -> bool:
                assert process.poll() is None, log.read_text()
                try:
                    return httpx.get(f"{base}/healthz", timeout=5).status_code == 200
                except httpx.TransportError:
                    return False

            wait_for(answers, f"{name} to answer")
        return [base for *_, base in started]

    def scheduler(self, name: str) -> tuple[subprocess.Popen, Path]:
        """A `mjpm scheduler` process; returns it once it ticks."""
        process, log = self.start(sys.executable, "-m", "app.cli", "scheduler", name=name)
        wait_for(lambda: process.poll() is None and "planificateur démarré" in log.read_text(), f"{name} to tick")
        return process, log

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        self.servers.clear()

    def runs(self) -> dict[str, list[JobRun]]:
        with sessionmaker(bind=self.engine)() as session:
            rows = session.scalars(select(JobRun).order_by(JobRun.name, JobRun.period_start)).all()
        return {job.name: [row for row in rows if row.name == job.name] for job in JOBS}

    def notifications(self) -> list[Notification]:
        with sessionmaker(bind=self.engine)() as session:
            return list(session.scalars(select(Notification).order_by(Notification.id)))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, gazetteer, webhook, database_server) -> Iterator[Deployment]:
    workdir = tmp_path_factory.mktemp("deployment")
    with scratch_database_url(database_server, workdir, "mjpm_deployment") as url:
        engine = build_engine(url)
        migrate(engine)
        with sessionmaker(bind=engine).begin() as session:
            sync_tribunaux(session, gazetteer)
        env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "DATABASE_URL": url,
            "ENVIRONMENT": "test",
            "SCHEDULER_ENABLED": "true",
            "EXPIRE_PERIOD_S": str(PERIOD_S),
            "NOTIFICATIONS_PERIOD_S": str(PERIOD_S),
            "AUDIT_PURGE_PERIOD_S": str(PERIOD_S),
            "RECENT_DESIGNATIONS_PERIOD_S": str(PERIOD_S),
            "WEBHOOK_URL": webhook.url,
            "NOTIFICATION_LEASE_S": "2",
            "NOTIFICATION_TIMEOUT_S": str(PATIENCE_S),
            "BULK_RATE_PER_MINUTE": "3",
        }
        deployment = Deployment(
            url=url, engine=engine, env=env, workdir=workdir, token=token_factory(engine, gazetteer)
        )
        try:
            yield deployment
        finally:
            deployment.stop_all()
            engine.dispose()


def finished_runs(runs: list[JobRun], since) -> list[JobRun]:
    return [row for row in runs if row.period_start >= since and row.finished_at is not None]


def wait_for_runs(deployment: Deployment, since, count: int = 3) -> None:
    """Until every job has finished `count` runs in periods from `since` on. A period may be skipped when no
    process ticked in it (a busy machine), so this counts runs, not periods."""
    wait_for(
        lambda: all(len(finished_runs(runs, since)) >= count for runs in deployment.runs().values()),
        f"{count} runs of every job",
    )


def test_rate_limits_hold_across_two_app_processes(deployment):
    admin = deployment.token("admin")
    with TestClient(create_app(Settings(database_url=deployment.url, environment="test"))) as client:
        pro = client.post("/mandataires", headers=admin, json=mandataire_body()).json()
    servers = deployment.app_pair()

    def burst(itself: dict[str, str]) -> list[httpx.Response]:
        def request(number: int) -> httpx.Response:
            return httpx.get(f"{servers[number % 2]}/mandataires/moi", headers=itself, timeout=60)

        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(request, range(8)))

    # Windows are fixed minutes: a burst that straddled two is done again, with a token of its own (counts are per
    # token), rather than waiting for the next minute to start one.
    for _ in range(3):
        window = int(time.time() // WINDOW_S)
        responses = burst(deployment.token("mandataire", mandataire_id=pro["id"]))
        if int(time.time() // WINDOW_S) == window:
            break
    else:
        raise AssertionError("three bursts straddled two windows")
    assert Counter(response.status_code for response in responses) == {200: 3, 429: 5}  # BULK_RATE_PER_MINUTE
    for response in responses:
        if response.status_code == 429:
            assert 1 <= int(response.headers["Retry-After"]) <= 60
            assert response.json()["detail"][0]["type"] == "trop_de_requetes"


def test_two_app_processes_run_each_job_once_per_period(deployment, webhook):
    # The judge's office reserves a professional, then nobody answers.
    (reservation,) = reserve(deployment.url, deployment.token, webhook_url=webhook.url)
    deployment.app_pair()
    both_up = period_start(utcnow(), PERIOD_S) + timedelta(seconds=PERIOD_S)
    with writing(deployment.engine) as session:  # due in a few seconds rather than two months
        session.execute(
            update(Reservation).where(Reservation.id == reservation).values(expires_at=utcnow() + timedelta(seconds=3))
        )

    def expired() -> bool:
        with sessionmaker(bind=deployment.engine)() as session:
            return session.get(Reservation, reservation).statut == "expiree"

    wait_for(expired, "the reservation to expire")
    wait_for(
        lambda: all(n.status == NotificationStatus.SENT for n in deployment.notifications()), "the outbox to empty"
    )
    wait_for_runs(deployment, both_up)
    deployment.stop_all()

    kinds = Counter(kind for _, kind in webhook.deliveries)
    assert kinds["rappel"] == 1 and kinds["expiration"] >= 1, kinds
    assert set(webhook.ids().values()) == {1}  # every notification once, two dispatchers notwithstanding
    assert sorted(webhook.ids()) == [n.id for n in deployment.notifications()]
    for name, runs in deployment.runs().items():  # one row per job and period: a period is claimed once
        assert all(row.finished_at is not None for row in runs[:-1]), name


def test_a_killed_process_hands_its_work_over_and_only_the_delivery_in_flight_is_repeated(deployment, webhook):
    webhook.deliveries.clear()
    with writing(deployment.engine) as session:
        settings = Settings(environment="test", webhook_url=webhook.url)
        for number in range(5):
            enqueue(
                session,
                kind="essai",
                recipient_email=None,
                subject=f"essai {number}",
                body="corps",
                payload={},
                settings=settings,
            )
    webhook.hold.set()
    victim, _ = deployment.scheduler("scheduler-1")
    wait_for(webhook.holding.is_set, "the first process to be delivering")
    in_flight = webhook.deliveries[0][0]
    survivor, survivor_log = deployment.scheduler("scheduler-2")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed_at = period_start(utcnow(), PERIOD_S) + timedelta(seconds=PERIOD_S)
    webhook.release.set()
    wait_for(
        lambda: all(n.status == NotificationStatus.SENT for n in deployment.notifications()), "the outbox to empty"
    )
    wait_for_runs(deployment, killed_at)
    deployment.stop_all()

    counts = webhook.ids()
    assert sorted(counts) == [n.id for n in deployment.notifications() if n.kind == "essai"]
    assert counts[in_flight] == 2 and {count for nid, count in counts.items() if nid != in_flight} == {1}
    survivor_runner = f"{socket.gethostname()}:{survivor.pid}"
    for name, runs in deployment.runs().items():
        assert {row.runner for row in runs if row.period_start >= killed_at} == {survivor_runner}, name
    assert "tâche notifications" in survivor_log.read_text()
