"""The outbox: `enqueue` writes notifications in the caller's transaction; `dispatch_pending` delivers them.

Delivery is at least once. A dispatcher first claims due rows in one short transaction (an UPDATE that moves
their `next_attempt_at` a lease ahead, with `FOR UPDATE SKIP LOCKED` on PostgreSQL so that two dispatchers
never claim the same row), then calls the senders with no transaction open, then records each outcome in its
own short transaction. A row is marked `sent` only after its sender returned: a dispatcher that dies after the
claim only delays the row until the lease ends.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.config import Settings
from app.database import utcnow
from app.notifications.constants import (
    LEASE_S,
    MAX_BACKOFF_S,
    MAX_ERROR_LENGTH,
    Channel,
    NotificationStatus,
)
from app.notifications.models import SUBJECT_LENGTH, Notification
from app.notifications.senders import Sender

logger = logging.getLogger("mjpm.notifications")


@dataclass(frozen=True)
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __add__(self, other: "DispatchReport") -> "DispatchReport":
        return DispatchReport(self.sent + other.sent, self.retried + other.retried, self.failed + other.failed)


def enqueue(
    session: Session,
    *,
    kind: str,
    recipient_email: str | None,
    subject: str,
    body: str,
    payload: Mapping[str, Any],
    settings: Settings,
) -> list[Notification]:
    """Add the notification to the outbox, one row per configured channel: e-mail (SMTP configured and an
    address known), webhook (URL configured), else the log. Flushes, never commits: the rows live or die with
    the caller's transaction."""
    channels: list[tuple[Channel, str | None]] = []
    if settings.smtp_host and recipient_email:
        channels.append((Channel.EMAIL, recipient_email))
    if settings.webhook_url:
        channels.append((Channel.WEBHOOK, None))
    if not channels:
        channels.append((Channel.LOG, recipient_email))
    now = utcnow()
    # A subject is one header line: no line breaks (they would inject headers), and it fits the column.
    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_LENGTH:
        subject = subject[: SUBJECT_LENGTH - 1] + "…"
    notifications = [
        Notification(
            created_at=now,
            kind=kind,
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            payload=dict(payload),
            status=NotificationStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
        )
        for channel, recipient in channels
    ]
    session.add_all(notifications)
    session.flush()
    return notifications


def retry_delay_s(attempts: int, backoff_base_s: float) -> float:
    """Wait after the `attempts`-th failure: base, 2 x base, 4 x base... capped at one hour."""
    return min(backoff_base_s * 2 ** (attempts - 1), MAX_BACKOFF_S)


def dispatch_pending(
    session_factory: Callable[[], Session],
    *,
    senders: Mapping[str, Sender],
    now: datetime | None = None,
    batch: int = 100,
    max_attempts: int,
    backoff_base_s: float,
    lease_s: float = LEASE_S,
) -> DispatchReport:
    """Deliver every notification due, `batch` rows per claim, in id order; `now` fixes the clock (default: the
    current time, read at each step).

    A failure schedules the next attempt after an exponential backoff; after `max_attempts` attempts the row is
    `failed` and left alone. A row whose channel has no sender fails the same way."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    report = DispatchReport()
    while True:
        claimed = _claim(session_factory, now=clock(), batch=batch, lease_s=lease_s)
        for notification in claimed:
            report += _deliver(
                session_factory,
                notification,
                senders=senders,
                clock=clock,
                max_attempts=max_attempts,
                backoff_base_s=backoff_base_s,
            )
        if len(claimed) < batch:  # nothing more was due: a row that just failed waits for the next run
            return report


def _claim(session_factory: Callable[[], Session], *, now: datetime, batch: int, lease_s: float) -> list[Notification]:
    """Take up to `batch` due rows for this dispatcher: their next attempt moves a lease ahead.

    One statement that starts as a write (SQLite then queues writers instead of failing on a stale read
    snapshot). The due rows are chosen in a materialised CTE, computed once: PostgreSQL may re-run a plain
    `IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)` subquery and so claim more than `batch` rows."""
    due = (
        select(Notification.id)
        .where(Notification.status == NotificationStatus.PENDING, Notification.next_attempt_at <= now)
        .order_by(Notification.id)
        .limit(batch)
        .with_for_update(skip_locked=True)  # rendered on PostgreSQL only; SQLite serialises writers anyway
        .cte("due")
        .prefix_with("MATERIALIZED")
    )
    claim = (
        update(Notification)
        .where(
            Notification.id.in_(select(due.c.id)),
            Notification.status == NotificationStatus.PENDING,
            Notification.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + timedelta(seconds=lease_s))
        .returning(Notification)
        .execution_options(synchronize_session=False)
    )
    with session_factory() as session, session.begin():
        claimed = list(session.scalars(claim))
        # Detached with their loaded values: the senders read them after this transaction is over.
        session.expunge_all()
    return sorted(claimed, key=lambda notification: notification.id)


def _deliver(
    session_factory: Callable[[], Session],
    notification: Notification,
    *,
    senders: Mapping[str, Sender],
    clock: Callable[[], datetime],
    max_attempts: int,
    backoff_base_s: float,
) -> DispatchReport:
    attempts = notification.attempts + 1
    try:
        sender = senders.get(notification.channel)
        if sender is None:
            raise LookupError(f"aucun envoi configuré pour le canal {notification.channel!r}")
        sender.send(notification)  # no transaction is open here
    except Exception as error:
        message = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
        values: dict[str, Any] = {"attempts": attempts, "last_error": message}
        if attempts >= max_attempts:
            values["status"] = NotificationStatus.FAILED
            logger.error("notification %s abandonnée après %s essais : %s", notification.id, attempts, message)
        else:
            values["next_attempt_at"] = clock() + timedelta(seconds=retry_delay_s(attempts, backoff_base_s))
            logger.warning("notification %s, essai %s en échec : %s", notification.id, attempts, message)
        _record(session_factory, notification.id, values)
        return DispatchReport(failed=1) if attempts >= max_attempts else DispatchReport(retried=1)
    _record(
        session_factory, notification.id, {"status": NotificationStatus.SENT, "attempts": attempts, "sent_at": clock()}
    )
    return DispatchReport(sent=1)


def _record(session_factory: Callable[[], Session], notification_id: int, values: dict[str, Any]) -> None:
    with session_factory() as session, session.begin():
        session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.status == NotificationStatus.PENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
