"""At least once, on a committed database: a dispatcher killed after its claim loses nothing, two dispatchers
running together never send the same row."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from app.config import PROJECT_ROOT, Settings
from app.database import build_engine, build_session_factory, utcnow
from app.notifications.commands import send_notifications
from app.notifications.constants import LEASE_S
from app.notifications.models import Notification
from app.notifications.senders import build_senders
from app.notifications.service import DispatchReport, dispatch_pending, enqueue
from tests.support import migrate, scratch_database_url

DISPATCHER = (
    "from app.config import Settings\n"
    "from app.notifications.commands import send_notifications\n"
    "send_notifications(Settings())\n"
)


@pytest.fixture(scope="module")
def outbox_url(tmp_path_factory: pytest.TempPathFactory, database_server: str) -> Iterator[str]:
    """A migrated database of its own whose commits are real (other processes see them)."""
    with scratch_database_url(database_server, tmp_path_factory.mktemp("outbox"), "mjpm_outbox") as url:
        engine = build_engine(url)
        migrate(engine)
        engine.dispose()
        yield url


@pytest.fixture
def factory(outbox_url: str) -> Iterator[sessionmaker[Session]]:
    engine = build_engine(outbox_url)
    factory = build_session_factory(engine)
    with factory.begin() as session:
        session.execute(delete(Notification))
    yield factory
    engine.dispose()


def settings_for(url: str, **changes) -> Settings:
    return Settings(database_url=url, environment="test", **changes)


def commit_notification(factory: sessionmaker[Session], settings: Settings, subject: str = "Mesure expirée") -> int:
    with factory.begin() as session:
        [notification] = enqueue(
            session,
            kind="expiration",
            recipient_email="mandataire@example.org",
            subject=subject,
            body="La réservation 24/00017 a expiré sans réponse.",
            payload={"reservation_id": 17},
            settings=settings,
        )
        return notification.id


def test_killing_the_dispatcher_between_commit_and_sending_loses_nothing(outbox_url, factory, inbox, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        notification_id = commit_notification(factory, settings_for(outbox_url, smtp_host="127.0.0.1"))
        environment = os.environ | {
            "DATABASE_URL": outbox_url,
            "ENVIRONMENT": "test",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(silent.getsockname()[1]),
            "NOTIFICATION_TIMEOUT_S": "120",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        dispatcher = subprocess.Popen(
            [sys.executable, "-c", DISPATCHER], cwd=tmp_path, env=environment, stderr=subprocess.PIPE, text=True
        )
        try:
            connection = wait_for_connection(silent, dispatcher)
        finally:
            dispatcher.kill()  # SIGKILL: no clean-up of any kind
            _, errors = dispatcher.communicate(timeout=120)
        connection.close()
    assert dispatcher.returncode == -9, errors

    with factory() as session:
        row = session.get(Notification, notification_id)
        # Claimed (leased) but not sent: nobody else takes it until the lease ends.
        assert (row.status, row.attempts, row.sent_at) == ("pending", 0, None)
        assert row.next_attempt_at > utcnow()

    settings = settings_for(outbox_url, smtp_host="127.0.0.1", smtp_port=inbox.port)
    senders = build_senders(settings)
    assert dispatch_pending(factory, senders=senders, max_attempts=8, backoff_base_s=30) == DispatchReport()
    assert inbox.messages == []

    after_lease = utcnow() + timedelta(seconds=LEASE_S + 1)
    report = dispatch_pending(factory, senders=senders, now=after_lease, max_attempts=8, backoff_base_s=30)
    assert report == DispatchReport(sent=1)
    again = dispatch_pending(
        factory, senders=senders, now=after_lease + timedelta(days=1), max_attempts=8, backoff_base_s=30
    )
    assert again == DispatchReport()

    [(recipients, message)] = inbox.messages
    assert recipients == ["mandataire@example.org"] and message["Subject"] == "Mesure expirée"
    with factory() as session:
        row = session.get(Notification, notification_id)
        assert (row.status, row.attempts, row.sent_at) == ("sent", 1, after_lease)


def wait_for_connection(server: socket.socket, process: subprocess.Popen) -> socket.socket:
    """The dispatcher's SMTP connection: it has committed its claim and now waits for a greeting."""
    server.settimeout(0.1)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            return server.accept()[0]
        except TimeoutError:
            if process.poll() is not None:
                pytest.fail(f"the dispatcher ended before connecting: {process.communicate()[1]}")
    pytest.fail("the dispatcher never connected")


def test_send_notifications_command_delivers_once(outbox_url, factory, inbox):
    settings = settings_for(outbox_url, smtp_host="127.0.0.1", smtp_port=inbox.port)
    notification_id = commit_notification(factory, settings)

    assert send_notifications(settings) == DispatchReport(sent=1)
    assert send_notifications(settings) == DispatchReport()

    assert len(inbox.messages) == 1
    with factory() as session:
        assert session.get(Notification, notification_id).status == "sent"


def test_two_dispatchers_at_once_never_send_the_same_row(outbox_url, factory):
    settings = settings_for(outbox_url)
    ids = [commit_notification(factory, settings, subject=f"Rappel {n}") for n in range(20)]
    both_sending = threading.Barrier(2, timeout=20)
    delivered: list[int] = []

    class Recording:
        """Holds its first send until the other dispatcher is sending too: both hold claims at once."""

        def __init__(self) -> None:
            self.first = True

        def send(self, notification: Notification) -> None:
            if self.first:
                self.first = False
                both_sending.wait()
            delivered.append(notification.id)

    def dispatcher() -> DispatchReport:
        return dispatch_pending(factory, senders={"log": Recording()}, batch=5, max_attempts=8, backoff_base_s=30)

    with ThreadPoolExecutor(2) as pool:
        reports = [future.result() for future in [pool.submit(dispatcher), pool.submit(dispatcher)]]

    assert sorted(delivered) == ids  # each row exactly once
    assert all(report.sent >= 5 for report in reports)
    assert sum(report.sent for report in reports) == 20
    with factory() as session:
        assert set(session.scalars(select(Notification.status))) == {"sent"}


def test_send_notifications_loops_until_interrupted(outbox_url, factory, inbox, monkeypatch):
    settings = settings_for(outbox_url, smtp_host="127.0.0.1", smtp_port=inbox.port)
    commit_notification(factory, settings)
    pauses: list[float] = []

    def interrupt(seconds: float) -> None:  # Ctrl-C during the pause after the second round
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("app.notifications.commands.time.sleep", interrupt)

    assert send_notifications(settings, once=False, interval_s=7) == DispatchReport(sent=1)
    assert pauses == [7, 7] and len(inbox.messages) == 1
