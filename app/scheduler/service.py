"""The scheduled jobs and how a period is claimed, so that each job runs once per period across every process.

Periods are fixed windows of the job's period, counted from the Unix epoch (a daily job's period is the UTC day):
every process agrees on them without talking to the others. A process ticks each job twice per period
(`app.scheduler.runner`); a tick runs the job only if it claims the current period, by inserting the job's
`job_run` row for that period (the primary key lets one insert win). On PostgreSQL the tick first tries the job's
advisory lock, so that a second process skips at once instead of waiting for the first one's transaction.

- `expire`, `audit_purge` and `designations_recentes` claim their period in the transaction that does the work: if
  their process dies, the transaction and the claim vanish together and the next tick of any process does the
  period's work.
- `notifications` claims its period in a short transaction of its own, then delivers: the outbox's leases make
  delivery safe with several dispatchers and at least once when one dies (`app.notifications.service`).
"""

import math
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.audit.service import purge
from app.auth.accounts import purge_journal
from app.auth.sessions import purge_sessions
from app.config import Settings
from app.database import begin_write, utcnow
from app.designation.service import expire_and_remind
from app.locks import lock_for_transaction
from app.notifications.commands import deliver_due
from app.registry.load import recount_stale_recent_designations
from app.scheduler.models import JobRun
from app.vendors.service import purge as purge_vendor_calls

# How many past periods of each job `job_run` keeps as history.
HISTORY_PERIODS = 100

SessionFactory = Callable[[], Session]


def period_start(now: datetime, period_s: float) -> datetime:
    """Start of the fixed window of `period_s` seconds (counted from the epoch) that contains `now`."""
    return datetime.fromtimestamp(math.floor(now.timestamp() / period_s) * period_s, UTC)


def claim_period(session: Session, name: str, *, period_s: float, now: datetime) -> datetime | None:
    """Claim the period of `now` for job `name` in the session's transaction; returns its start, or None when
    another process claimed it. Also forgets the job's runs older than HISTORY_PERIODS periods."""
    start = period_start(now, period_s)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    claimed = session.scalar(
        dialect.insert(JobRun)
        .values(name=name, period_start=start, runner=f"{socket.gethostname()}:{os.getpid()}"[:100], started_at=now)
        .on_conflict_do_nothing(index_elements=["name", "period_start"])
        .returning(JobRun.name)
    )
    if claimed is None:
        return None
    history = start - timedelta(seconds=period_s * HISTORY_PERIODS)
    session.execute(delete(JobRun).where(JobRun.name == name, JobRun.period_start < history))
    return start


def _finish(session: Session, name: str, start: datetime, summary: str) -> None:
    session.execute(
        update(JobRun)
        .where(JobRun.name == name, JobRun.period_start == start)
        .values(finished_at=utcnow(), summary=summary)
    )


def expire(session: Session, settings: Settings, now: datetime) -> str:
    """Expire unanswered reservations and send reminders, under the job's lock (waited for): a second run at the
    same time (the scheduler, `mjpm expire`) waits, then finds nothing left to do."""
    lock_for_transaction(session.connection(), "expire")
    expired, reminded = expire_and_remind(session, settings=settings, now=now)
    return f"{expired} réservation(s) expirée(s), {reminded} rappel(s) envoyé(s)"


def purge_audit(session: Session, settings: Settings, now: datetime) -> str:
    """Apply the audit retention period (match requests, designation events, the access journal, the vendors'
    call log) and delete
    ended web sessions, under the job's lock (waited for)."""
    lock_for_transaction(session.connection(), "audit_purge")
    matches, events = purge(session, now=now, retention_days=settings.audit_retention_days)
    journal = purge_journal(session, now=now, retention_days=settings.audit_retention_days)
    calls = purge_vendor_calls(session, now=now, retention_days=settings.audit_retention_days)
    sessions = purge_sessions(session, settings=settings, now=now)
    return (
        f"{matches} demande(s) de liste, {events} événement(s), {journal} ligne(s) du journal des accès et "
        f"{calls} appel(s) d'éditeurs supprimés (conservation : {settings.audit_retention_days} jours), "
        f"{sessions} session(s) terminée(s) effacée(s)"
    )


def recount_recent(session: Session, settings: Settings, now: datetime) -> str:
    """Recount the professionals' recent designations whose kept count no longer holds (`app.registry.load`),
    under the job's lock (waited for)."""
    lock_for_transaction(session.connection(), "designations_recentes")
    recounted = recount_stale_recent_designations(session, now=now)
    return f"{recounted} compte(s) de désignations récentes refait(s)"


@dataclass(frozen=True)
class Job:
    name: str
    period_setting: str
    # Work done in the claiming transaction (expire, audit purge, recount); None for the outbox, delivered after it.
    work: Callable[[Session, Settings, datetime], str] | None

    def period_s(self, settings: Settings) -> float:
        return getattr(settings, self.period_setting)


JOBS = (
    Job("expire", "expire_period_s", expire),
    Job("notifications", "notifications_period_s", None),
    Job("audit_purge", "audit_purge_period_s", purge_audit),
    Job("designations_recentes", "recent_designations_period_s", recount_recent),
)


def tick(
    job: Job,
    session_factory: SessionFactory,
    settings: Settings,
    http_client: httpx.Client,
    now: datetime | None = None,
) -> str | None:
    """Run `job` if this process claims the current period; returns the run's summary, or None when the period
    was already claimed (or is being claimed) by another process. `http_client` serves the webhook sender."""
    now = now or utcnow()
    with session_factory() as session:
        begin_write(session)
        if not lock_for_transaction(session.connection(), job.name, wait=False):
            return None
        start = claim_period(session, job.name, period_s=job.period_s(settings), now=now)
        if start is None:
            return None
        if job.work is not None:
            summary = job.work(session, settings, now)
            _finish(session, job.name, start, summary)
            session.commit()
            return summary
        session.commit()
    report = deliver_due(session_factory, settings, http_client)
    summary = f"{report.sent} envoyée(s), {report.retried} à réessayer, {report.failed} en échec"
    with session_factory() as session:
        begin_write(session)
        _finish(session, job.name, start, summary)
        session.commit()
    return summary
