"""Controlled vocabularies of the notification outbox."""

from enum import StrEnum


class NotificationKind(StrEnum):
    """What happened: the designation flow writes one of these with its event, the accounts an invitation."""

    RESERVATION = "reservation"
    ANNULATION = "annulation"
    RAPPEL = "rappel"
    EXPIRATION = "expiration"
    REFUS = "refus"
    ACCEPTATION = "acceptation"
    INVITATION = "invitation"


class Recipient(StrEnum):
    """Who a notification is for (`destinataire` of its payload): the same event may notify several, with the same
    text, and a webhook receiver routes each by this."""

    MANDATAIRE = "mandataire"  # the professional the reservation names
    ANCIEN_MANDATAIRE = "ancien_mandataire"  # the professional a transferred measure leaves
    TRIBUNAL = "tribunal"  # the tribunal's registry (greffe)
    COMPTE = "compte"  # the person an account invitation goes to


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
