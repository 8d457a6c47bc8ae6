"""scheduled job runs: one row per job and period, whose insertion claims the period

Revision ID: 5b1e7c3a9d20
Revises: 830a3a578a4e
Create Date: 2026-11-30 01:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.database

revision: str = "5b1e7c3a9d20"
down_revision: str | None = "830a3a578a4e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("period_start", app.database.UTCDateTime(), nullable=False),
        sa.Column("runner", sa.String(length=100), nullable=False),
        sa.Column("started_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("finished_at", app.database.UTCDateTime(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", "period_start", name=op.f("pk_job_run")),
    )


def downgrade() -> None:
    op.drop_table("job_run")
