"""Delivery of one outbox row on one channel. A sender returns when the message was handed over and raises
otherwise; the dispatcher owns retries, so senders never retry themselves."""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

import httpx

from app.config import Settings
from app.notifications.constants import Channel
from app.notifications.models import Notification

logger = logging.getLogger("mjpm.notifications")


class Sender(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver the notification, or raise."""


class DeliveryError(Exception):
    """A sender could not deliver (the message says why); the dispatcher retries later."""


class LogSender:
    """The default channel (no mail server configured): the message is marked delivered and the log says so, by
    its id and kind only. Recipients and texts hold personal data (e-mail addresses, RG numbers, one-time
    invitation links) and never go to the logs; they stay readable in the `notification` table."""

    def send(self, notification: Notification) -> None:
        logger.info(
            "notification %s (%s) remise au canal journal : destinataire et texte dans la table notification",
            notification.id,
            notification.kind,
        )


class SmtpSender:
    """Plain-text e-mail through an SMTP relay (stdlib smtplib), optionally with STARTTLS and login."""

    def __init__(
        self,
        host: str,
        port: int,
        from_address: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_s: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.from_address = from_address
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout_s = timeout_s

    def message(self, notification: Notification) -> EmailMessage:
        if not notification.recipient:
            raise DeliveryError(f"notification {notification.id} : pas de destinataire pour un courriel")
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = notification.recipient
        message["Subject"] = notification.subject
        message["Date"] = format_datetime(notification.created_at)
        # One Message-ID per outbox row: a receiver can drop the duplicate of an at-least-once redelivery.
        domain = self.from_address.rpartition("@")[2] or "mjpm-match.local"
        message["Message-ID"] = f"<notification-{notification.id}@{domain}>"
        message.set_content(notification.body)
        return message

    def send(self, notification: Notification) -> None:
        message = self.message(notification)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class WebhookSender:
    """POST of the notification as JSON; any answer other than 2xx is a failure."""

    def __init__(self, url: str, client: httpx.Client) -> None:
        self.url = url
        self.client = client

    def send(self, notification: Notification) -> None:
        response = self.client.post(
            self.url,
            json={
                "id": notification.id,
                "kind": notification.kind,
                "subject": notification.subject,
                "body": notification.body,
                "payload": notification.payload,
                "created_at": notification.created_at.isoformat(),
            },
            # Stable per row: the receiver can drop the duplicate of an at-least-once redelivery.
            headers={"Idempotency-Key": f"notification-{notification.id}"},
        )
        if not response.is_success:
            raise DeliveryError(f"webhook : HTTP {response.status_code} {response.text[:200]}")


def build_senders(settings: Settings, *, http_client: httpx.Client | None = None) -> dict[str, Sender]:
    """One sender per channel the settings configure; the log sender always. The caller owns `http_client`
    (without one, a client is created for the process's lifetime)."""
    senders: dict[str, Sender] = {Channel.LOG: LogSender()}
    if settings.smtp_host:
        senders[Channel.EMAIL] = SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            username=settings.smtp_username.get_secret_value() if settings.smtp_username else None,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
            timeout_s=settings.notification_timeout_s,
        )
    if settings.webhook_url:
        client = http_client or httpx.Client(timeout=settings.notification_timeout_s)
        senders[Channel.WEBHOOK] = WebhookSender(str(settings.webhook_url), client)
    return senders
