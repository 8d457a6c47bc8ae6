"""The outbox in the business transaction, and the dispatcher's retries, backoff and give-up."""

import json
import logging
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.database import utcnow
from app.notifications.models import Notification
from app.notifications.senders import LogSender, WebhookSender, build_senders
from app.notifications.service import DispatchReport, dispatch_pending, enqueue, retry_delay_s

WEBHOOK_URL = "http://hooks.example.test/mjpm"


def notify(session: Session, settings: Settings, **overrides) -> list[Notification]:
    fields = {
        "kind": "reservation",
        "recipient_email": "mandataire@example.org",
        "subject": "Réservation d'une mesure",
        "body": "Le tribunal judiciaire de Lille vous propose une mesure de curatelle renforcée.",
        "payload": {"reservation_id": 17, "tribunal": "Lille"},
    }
    return enqueue(session, settings=settings, **(fields | overrides))


def configured(settings: Settings, **changes) -> Settings:
    return Settings.model_validate(settings.model_dump() | changes)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Notification))


class Webhook:
    """The receiving end of the webhook: answers `status`, keeps the requests."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: list[httpx.Request] = []
        self.client = httpx.Client(transport=httpx.MockTransport(self.handle))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, text="ok" if self.status < 300 else "indisponible")


@pytest.fixture
def webhook() -> Webhook:
    return Webhook()


@pytest.fixture
def webhook_settings(settings: Settings) -> Settings:
    return configured(settings, webhook_url=WEBHOOK_URL)


def test_enqueue_in_a_rolled_back_transaction_leaves_nothing(session, settings):
    notify(session, settings)
    session.rollback()
    assert count(session) == 0


def test_enqueue_then_commit_leaves_one_pending_row(session, settings):
    before = utcnow()
    [notification] = notify(session, settings)
    session.commit()

    stored = session.scalars(select(Notification)).one()
    assert stored.id == notification.id
    assert (stored.channel, stored.status, stored.attempts) == ("log", "pending", 0)
    assert stored.recipient == "mandataire@example.org"
    assert stored.payload == {"reservation_id": 17, "tribunal": "Lille"}
    assert before <= stored.next_attempt_at <= utcnow()
    assert stored.sent_at is None and stored.last_error is None


def test_one_row_per_configured_channel(session, settings):
    smtp = configured(settings, smtp_host="smtp.example.test")
    both = configured(smtp, webhook_url=WEBHOOK_URL)

    assert [(n.channel, n.recipient) for n in notify(session, both)] == [
        ("email", "mandataire@example.org"),
        ("webhook", None),
    ]
    assert [n.channel for n in notify(session, smtp)] == ["email"]
    # No address to write to: the log keeps the trace.
    assert [n.channel for n in notify(session, smtp, recipient_email=None)] == ["log"]
    assert [n.channel for n in notify(session, settings, recipient_email=None)] == ["log"]


def test_subject_is_one_line_that_fits(session, settings):
    [notification] = notify(session, settings, subject="Rappel :\r\nBcc: intrus@example.org " + "x" * 300)
    assert "\n" not in notification.subject and "\r" not in notification.subject
    assert notification.subject.startswith("Rappel : Bcc: intrus@example.org x")
    assert len(notification.subject) == 200


def test_webhook_failure_is_retried_with_backoff_then_sent(session, session_factory, webhook_settings, webhook):
    [notification] = notify(session, webhook_settings)
    session.commit()
    senders = build_senders(webhook_settings, http_client=webhook.client)
    t0 = utcnow() + timedelta(seconds=1)

    def dispatch(at):
        return dispatch_pending(session_factory, senders=senders, now=at, max_attempts=8, backoff_base_s=30)

    webhook.status = 500
    assert dispatch(t0) == DispatchReport(retried=1)
    session.refresh(notification)
    assert (notification.status, notification.attempts) == ("pending", 1)
    assert notification.next_attempt_at == t0 + timedelta(seconds=30)
    assert "500" in notification.last_error

    assert dispatch(t0 + timedelta(seconds=29)) == DispatchReport()  # not due yet
    assert len(webhook.requests) == 1

    webhook.status = 204
    assert dispatch(t0 + timedelta(seconds=30)) == DispatchReport(sent=1)
    session.refresh(notification)
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert notification.sent_at == t0 + timedelta(seconds=30)

    request = webhook.requests[-1]
    assert str(request.url) == WEBHOOK_URL and request.method == "POST"
    assert request.headers["Idempotency-Key"] == f"notification-{notification.id}"
    assert json.loads(request.content) == {
        "id": notification.id,
        "kind": "reservation",
        "subject": "Réservation d'une mesure",
        "body": notification.body,
        "payload": {"reservation_id": 17, "tribunal": "Lille"},
        "created_at": notification.created_at.isoformat(),
    }
    assert dispatch(t0 + timedelta(days=1)) == DispatchReport()  # sent once, never again
    assert len(webhook.requests) == 2


def test_webhook_row_fails_after_max_attempts(session, session_factory, webhook_settings, webhook):
    [notification] = notify(session, webhook_settings)
    session.commit()
    senders = build_senders(webhook_settings, http_client=webhook.client)
    webhook.status = 500
    t0 = utcnow() + timedelta(seconds=1)

    def dispatch(at):
        return dispatch_pending(session_factory, senders=senders, now=at, max_attempts=3, backoff_base_s=10)

    assert dispatch(t0) == DispatchReport(retried=1)
    assert dispatch(t0 + timedelta(seconds=10)) == DispatchReport(retried=1)
    session.refresh(notification)
    assert notification.next_attempt_at == t0 + timedelta(seconds=30)  # 10 s, then 20 s
    assert dispatch(t0 + timedelta(seconds=30)) == DispatchReport(failed=1)
    session.refresh(notification)
    assert (notification.status, notification.attempts, notification.sent_at) == ("failed", 3, None)
    assert "HTTP 500" in notification.last_error

    assert dispatch(t0 + timedelta(days=1)) == DispatchReport()  # given up: left alone
    assert len(webhook.requests) == 3


def test_backoff_doubles_and_is_capped_at_one_hour():
    assert [retry_delay_s(attempts, 30) for attempts in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay_s(8, 30) == 3600
    assert retry_delay_s(60, 30) == 3600


def test_channel_without_sender_is_retried(session, session_factory, webhook_settings):
    [notification] = notify(session, webhook_settings)
    session.commit()
    now = utcnow() + timedelta(seconds=1)

    report = dispatch_pending(session_factory, senders={"log": LogSender()}, now=now, max_attempts=8, backoff_base_s=5)

    assert report == DispatchReport(retried=1)
    session.refresh(notification)
    assert notification.status == "pending" and "webhook" in notification.last_error


def test_log_sender_logs_and_rows_go_in_id_order_by_batches(session, session_factory, settings, caplog):
    notifications = [notify(session, settings, subject=f"Rappel {n}")[0] for n in range(5)]
    session.commit()
    delivered: list[int] = []

    class Recording(LogSender):
        def send(self, notification):
            delivered.append(notification.id)
            super().send(notification)

    with caplog.at_level(logging.INFO, logger="mjpm.notifications"):
        report = dispatch_pending(
            session_factory,
            senders={"log": Recording()},
            now=utcnow() + timedelta(seconds=1),
            batch=2,
            max_attempts=8,
            backoff_base_s=30,
        )

    assert report == DispatchReport(sent=5)
    assert delivered == [n.id for n in notifications]
    assert f"notification {notifications[3].id} (reservation)" in caplog.text
    assert "Rappel 3" not in caplog.text and "mandataire@example.org" not in caplog.text  # no personal data
    assert set(session.scalars(select(Notification.status)).all()) == {"sent"}


def test_webhook_sender_refuses_non_2xx(webhook):
    webhook.status = 302
    notification = Notification(
        id=1, kind="refus", subject="Refus", body="...", payload={}, created_at=utcnow(), channel="webhook"
    )
    with pytest.raises(Exception, match="HTTP 302"):
        WebhookSender(WEBHOOK_URL, webhook.client).send(notification)
