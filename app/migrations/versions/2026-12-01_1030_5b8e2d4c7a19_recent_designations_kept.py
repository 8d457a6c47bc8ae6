"""recent designations kept per professional, with the instants between which the count holds

The matching's equity criterion: `/match` read them by counting each candidate's measures, the largest part of the
database's work per request; the load path now keeps them (`app.registry.load`). Existing professionals start
without a count that holds (NULL bounds): readers count their measures until the scheduled job
`designations_recentes` recounts them.

Revision ID: 5b8e2d4c7a19
Revises: 1cdbb733a72f
Create Date: 2026-12-01 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b8e2d4c7a19"
down_revision: str | None = "1cdbb733a72f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mandataire") as batch:
        batch.add_column(sa.Column("designations_recentes", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("designations_recentes_depuis", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("designations_recentes_jusqu_au", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mandataire") as batch:
        batch.drop_column("designations_recentes_jusqu_au")
        batch.drop_column("designations_recentes_depuis")
        batch.drop_column("designations_recentes")
