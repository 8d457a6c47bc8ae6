"""a professional's reason for taking no new measure

Revision ID: 6d2b8e41f5a7
Revises: 28b13e26050f
Create Date: 2026-11-30 04:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6d2b8e41f5a7"
down_revision: str | None = "28b13e26050f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mandataire") as batch:
        batch.add_column(sa.Column("motif_nouvelles_mesures", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mandataire") as batch:
        batch.drop_column("motif_nouvelles_mesures")
