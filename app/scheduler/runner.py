"""APScheduler ticks the jobs of `app.scheduler.service` in this process: inside each application process (the app's
lifespan, unless SCHEDULER_ENABLED=false) or alone (`mjpm scheduler`). Any number of processes may tick: each
period runs once (see the service's docstring)."""

import contextlib
import logging
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


def run(job: Job, session_factory: SessionFactory, settings: Settings, http_client: httpx.Client) -> None:
    """One tick; a failure (database away, SMTP down...) is logged and the next tick tries again."""
    try:
        summary = tick(job, session_factory, settings, http_client)
    except Exception:
        logger.exception("tâche %s en échec : nouvel essai au prochain passage", job.name)
        return
    if summary is not None:
        logger.info("tâche %s : %s", job.name, summary)


def schedule(
    scheduler: BaseScheduler, session_factory: SessionFactory, settings: Settings, http_client: httpx.Client
) -> BaseScheduler:
    """Tick every job now, then twice per period: a period is missed only if every process misses both ticks."""
    for job in JOBS:
        scheduler.add_job(
            run,
            IntervalTrigger(seconds=job.period_s(settings) / 2),
            args=(job, session_factory, settings, http_client),
            id=job.name,
            next_run_time=utcnow(),
            max_instances=1,  # a long run is not doubled within the process (other processes skip by the claim)
            coalesce=True,
            misfire_grace_time=None,  # a late tick (busy machine) still runs
        )
    return scheduler


class InProcessScheduler:
    """The scheduler of an application process, on threads of its own: `stop()` on shutdown."""

    def __init__(self, session_factory: SessionFactory, settings: Settings) -> None:
        self.http_client = httpx.Client(timeout=settings.notification_timeout_s)
        self.scheduler = schedule(BackgroundScheduler(timezone=UTC), session_factory, settings, self.http_client)
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.shutdown(wait=False)  # a job still running ends with the process
        self.http_client.close()


def run_forever(session_factory: SessionFactory, settings: Settings) -> None:
    """`mjpm scheduler`: tick in the foreground until interrupted."""
    with httpx.Client(timeout=settings.notification_timeout_s) as http_client:
        scheduler = schedule(BlockingScheduler(timezone=UTC), session_factory, settings, http_client)
        periods = ", ".join(f"{job.name} toutes les {job.period_s(settings):g} s" for job in JOBS)
        logger.info("planificateur démarré : %s", periods)
        with contextlib.suppress(KeyboardInterrupt):
            scheduler.start()
