"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from datetime import timedelta

from app.config import Settings
from app.database import utcnow
from app.notifications.senders import build_senders
from app.notifications.service import DispatchReport, dispatch_pending, enqueue
from tests.notifications.conftest import free_port


def smtp_settings(settings: Settings, port: int) -> Settings:
    return Settings.model_validate(
        settings.model_dump() | {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "mjpm@tribunal.example"}
    )


def enqueue_reservation(session, settings):
    [notification] = enqueue(
        session,
        kind="reservation",
        recipient_email="mandataire@example.org",
        subject="Réservation d'une mesure de tutelle",
        body="Bonjour,\n\nLe tribunal judiciaire de Dunkerque vous réserve une mesure (réf. 24/00017).\n",
        payload={"reservation_id": 17},
        settings=settings,
    )
    session.commit()
    return notification


def test_email_reaches_the_smtp_server(session, session_factory, settings, inbox):
    settings = smtp_settings(settings, inbox.port)
    notification = enqueue_reservation(session, settings)
    assert notification.channel == "email"

    report = dispatch_pending(
        session_factory,
        senders=build_senders(settings),
        now=utcnow() + timedelta(seconds=1),
        max_attempts=8,
        backoff_base_s=30,
    )

    assert report == DispatchReport(sent=1)
    [(recipients, message)] = inbox.messages
    assert recipients == ["mandataire@example.org"]
    assert message["To"] == "mandataire@example.org"
    assert message["From"] == "mjpm@tribunal.example"
    assert message["Subject"] == "Réservation d'une mesure de tutelle"
    assert message["Message-ID"] == f"<notification-{notification.id}@tribunal.example>"
    assert message.get_content() == notification.body
    session.refresh(notification)
    assert (notification.status, notification.attempts) == ("sent", 1)


def test_unreachable_smtp_server_is_retried(session, session_factory, settings):
    settings = smtp_settings(settings, free_port())  # nobody listens there: connection refused
    notification = enqueue_reservation(session, settings)
    now = utcnow() + timedelta(seconds=1)

    report = dispatch_pending(
        session_factory, senders=build_senders(settings), now=now, max_attempts=8, backoff_base_s=30
    )

    assert report == DispatchReport(retried=1)
    session.refresh(notification)
    assert (notification.status, notification.attempts) == ("pending", 1)
    assert notification.next_attempt_at == now + timedelta(seconds=30)
    assert "ConnectionRefusedError" in notification.last_error
