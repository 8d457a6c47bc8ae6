"""APScheduler ticks the jobs of `app.scheduler.service` in this process: inside each application process (the app's
lifespan, unless SCHEDULER_ENABLED=false) or alone (`mjpm scheduler`). Any number of processes may tick: each
period runs once (see the service's docstring)."""

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC

import httpx
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from app.config import Settings
from app.database import utcnow
from app.scheduler.service import JOBS, Job, SessionFactory, tick

logger = logging.getLogger("mjpm.scheduler")


class SchemaGate:
    """Holds the ticks back while the database's schema is not the one this code was written for (a process started
    before `mjpm db upgrade`, or still running old code after it): one warning when they start waiting and one line
    when they resume, where every tick of every job would log its failure with a traceback. The schema is only read
    after a tick failed, then before each tick while waiting: a process on a current schema pays no query for it
    (nor Alembic's import at start). A database that does not answer is no schema problem: the failure is logged."""

    def __init__(self, at_head: Callable[[], bool]) -> None:
        self._at_head = at_head
        self._waiting = False
        self._lock = threading.Lock()  # the jobs tick on the scheduler's threads

    def open(self) -> bool:
        """Whether a tick may run: always, unless waiting and the schema is still not the code's."""
        if not self._waiting:
            return True
        ready = self._schema_ready()
        with self._lock:
            if ready and self._waiting:
                self._waiting = False
                logger.info("schéma de la base à jour : tâches planifiées reprises")
        return ready

    def held_back(self) -> bool:
        """After a tick failed: whether the schema is why (the ticks then wait, said once)."""
        if self._schema_ready():
            return False
        with self._lock:
            if not self._waiting:
                self._waiting = True
                logger.warning("schéma de la base différent du code : tâches planifiées suspendues (mjpm db upgrade)")
        return True

    def _schema_ready(self) -> bool:
        try:
            return self._at_head()
        except Exception:
            return True  # the database does not answer: not a schema to wait for


def run(
    job: Job, session_factory: SessionFactory, settings: Settings, http_client: httpx.Client, gate: SchemaGate
) -> None:
    """One tick, unless the schema holds it back; a failure (database away, SMTP down...) is logged and the next
    tick tries again."""
    if not gate.open():
        return
    try:
        summary = tick(job, session_factory, settings, http_client)
    except Exception:
        if not gate.held_back():
            logger.exception("tâche %s en échec : nouvel essai au prochain passage", job.name)
        return
    if summary is not None:
        logger.info("tâche %s : %s", job.name, summary)


def schedule(
    scheduler: BaseScheduler,
    session_factory: SessionFactory,
    settings: Settings,
    http_client: httpx.Client,
    at_head: Callable[[], bool],
) -> BaseScheduler:
    """Tick every job now, then twice per period: a period is missed only if every process misses both ticks.
    `at_head` tells whether the database's schema is this code's (`app.migrations.schema_at_head`)."""
    gate = SchemaGate(at_head)
    for job in JOBS:
        scheduler.add_job(
            run,
            IntervalTrigger(seconds=job.period_s(settings) / 2),
            args=(job, session_factory, settings, http_client, gate),
            id=job.name,
            next_run_time=utcnow(),
            max_instances=1,  # a long run is not doubled within the process (other processes skip by the claim)
            coalesce=True,
            misfire_grace_time=None,  # a late tick (busy machine) still runs
        )
    return scheduler


class InProcessScheduler:
    """The scheduler of an application process, on threads of its own: `stop()` on shutdown."""

    def __init__(self, session_factory: SessionFactory, settings: Settings, at_head: Callable[[], bool]) -> None:
        self.http_client = httpx.Client(timeout=settings.notification_timeout_s)
        self.scheduler = schedule(
            BackgroundScheduler(timezone=UTC), session_factory, settings, self.http_client, at_head
        )
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.shutdown(wait=False)  # a job still running ends with the process
        self.http_client.close()


def run_forever(session_factory: SessionFactory, settings: Settings, at_head: Callable[[], bool]) -> None:
    """`mjpm scheduler`: tick in the foreground until interrupted."""
    with httpx.Client(timeout=settings.notification_timeout_s) as http_client:
        scheduler = schedule(BlockingScheduler(timezone=UTC), session_factory, settings, http_client, at_head)
        periods = ", ".join(f"{job.name} toutes les {job.period_s(settings):g} s" for job in JOBS)
        logger.info("planificateur démarré : %s", periods)
        with contextlib.suppress(KeyboardInterrupt):
            scheduler.start()
