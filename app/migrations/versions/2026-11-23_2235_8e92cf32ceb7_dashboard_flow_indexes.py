"""dashboard flow indexes: monthly openings and closings of measures, by type and territory

Revision ID: 8e92cf32ceb7
Revises: 8ce4695446b7
Create Date: 2026-11-23 22:35:26.722121
"""

from collections.abc import Sequence

from alembic import op

revision: str = "8e92cf32ceb7"
down_revision: str | None = "8ce4695446b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mesure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mesure_date_fin_mesure", ["date_fin_mesure", "mandataire_id", "tribunal_id"], unique=False
        )
        batch_op.create_index(
            "ix_mesure_date_nomination", ["date_nomination", "mandataire_id", "tribunal_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mesure", schema=None) as batch_op:
        batch_op.drop_index("ix_mesure_date_nomination")
        batch_op.drop_index("ix_mesure_date_fin_mesure")
