"""Controlled vocabularies of the notification outbox."""

from enum import StrEnum


class NotificationKind(StrEnum):
    """What happened; the designation flow writes one of these with its event."""

    RESERVATION = "reservation"
    ANNULATION = "annulation"
    RAPPEL = "rappel"
    EXPIRATION = "expiration"
    REFUS = "refus"
    ACCEPTATION = "acceptation"


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    LOG = "log"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


# A claimed row is invisible to other dispatchers this long; a dispatcher that dies only delays it until then.
LEASE_S = 300.0
# Longest wait between two attempts, whatever the backoff reached.
MAX_BACKOFF_S = 3600.0
# Longest error message kept on the row.
MAX_ERROR_LENGTH = 2000
