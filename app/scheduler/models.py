"""ORM model of the scheduled jobs' runs: one row per job and period, whose insertion claims the period."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime


class JobRun(Base):
    """A period of a scheduled job, claimed by the process that inserted this row (the primary key lets only one
    insert win); recent rows are kept as the jobs' history."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    # "host:pid" of the process that ran it.
    runner: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Null while running, or for ever when its process died (the period's work is then redone by a later one).
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str | None] = mapped_column(Text)
