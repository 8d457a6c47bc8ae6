"""The dispatcher as a command (`mjpm notifications send [--loop]`)."""

import logging
import time
from collections.abc import Callable

import httpx
from sqlalchemy.orm import Session

from app.config import Settings
from app.database import build_engine, build_session_factory
from app.notifications.senders import build_senders
from app.notifications.service import DispatchReport, dispatch_pending

logger = logging.getLogger("mjpm.notifications")


def deliver_due(
    session_factory: Callable[[], Session], settings: Settings, http_client: httpx.Client
) -> DispatchReport:
    """One pass over the due notifications with the senders the settings configure."""
    return dispatch_pending(
        session_factory,
        senders=build_senders(settings, http_client=http_client),
        max_attempts=settings.notification_max_attempts,
        backoff_base_s=settings.notification_backoff_s,
        lease_s=settings.notification_lease_s,
    )


def send_notifications(settings: Settings, *, once: bool = True, interval_s: float = 30) -> DispatchReport:
    """Deliver the due notifications once, or every `interval_s` seconds until interrupted (Ctrl-C, SIGINT);
    returns what was done in total."""
    engine = build_engine(settings.database_url)
    report = DispatchReport()
    try:
        with httpx.Client(timeout=settings.notification_timeout_s) as http_client:
            session_factory = build_session_factory(engine)
            while True:
                try:
                    round_report = deliver_due(session_factory, settings, http_client)
                except Exception:
                    if once:
                        raise
                    # The database is away for a while: claimed rows come back when their lease ends.
                    logger.exception("notifications : envoi interrompu, nouvel essai dans %s s", interval_s)
                    round_report = DispatchReport()
                report += round_report
                if once:
                    return report
                if round_report != DispatchReport():
                    logger.info("notifications : %s", round_report)
                time.sleep(interval_s)
    except KeyboardInterrupt:
        if once:
            raise
        return report
    finally:
        engine.dispose()
