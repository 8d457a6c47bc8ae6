"""the vendor whose software keeps a professional's measures (e-MJPM's editor_locked_mesures)

Revision ID: b3f1c7d92e40
Revises: 6d2b8e41f5a7
Create Date: 2026-11-30 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b3f1c7d92e40"
down_revision: str | None = "6d2b8e41f5a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mandataire") as batch:
        batch.add_column(sa.Column("editor_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mandataire") as batch:
        batch.drop_column("editor_id")
