"""The scheduled work waits for `mjpm db upgrade`: started on a database never migrated (or behind the code), the
ticks are held back after the first failures with one warning, instead of each job failing with a traceback at each
tick; once the schema is at the head, the ticks resume and the jobs run, and a current schema is never read."""

import logging

import httpx
from sqlalchemy import select

from app.config import Settings
from app.database import build_engine, build_session_factory
from app.migrations import schema_at_head, schema_revision
from app.scheduler.models import JobRun
from app.scheduler.runner import SchemaGate, run
from app.scheduler.service import JOBS
from tests.support import migrate, scratch_database_url

HELD = "schéma de la base différent du code : tâches planifiées suspendues (mjpm db upgrade)"


def test_ticks_wait_for_the_schema_then_resume(database_server, tmp_path, caplog):
    with scratch_database_url(database_server, tmp_path, "mjpm_gate") as url:
        engine = build_engine(url)
        factory = build_session_factory(engine)
        settings = Settings(database_url=url, environment="test")
        reads: list[bool] = []

        def at_head() -> bool:
            reads.append(schema_at_head(factory))
            return reads[-1]

        gate = SchemaGate(at_head)
        with factory() as session:
            assert schema_revision(session) == ""  # never migrated: no alembic_version table
        with httpx.Client() as client, caplog.at_level(logging.INFO, logger="mjpm.scheduler"):
            for _ in range(2):
                for job in JOBS:
                    run(job, factory, settings, client, gate)
            held = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "mjpm.scheduler"]
            assert held == [("WARNING", HELD)]

            caplog.clear()
            migrate(engine)
            for job in JOBS:
                run(job, factory, settings, client, gate)
            resumed = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "mjpm.scheduler"]
            assert resumed[0] == ("INFO", "schéma de la base à jour : tâches planifiées reprises")
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

            # On a current schema, ticks read no revision: only a failure makes the gate look.
            read_before = len(reads)
            for job in JOBS:
                run(job, factory, settings, client, gate)
            assert len(reads) == read_before
        with factory() as session:
            assert set(session.scalars(select(JobRun.name))) == {job.name for job in JOBS}
        engine.dispose()
