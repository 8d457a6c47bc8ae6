"""recent designations per professional: by date of designation, else by entry

Revision ID: 585e343768de
Revises: b7e3c91d2a44
Create Date: 2026-11-30 11:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "585e343768de"
down_revision: str | None = "b7e3c91d2a44"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The equity criterion counts a professional's measures designated since a day, or entered since then when they
    # have no designation date: two range scans of this index, which also covers them.
    op.create_index(
        "ix_mesure_mandataire_date_nomination", "mesure", ["mandataire_id", "date_nomination", "created_at"]
    )
    op.drop_index("ix_mesure_mandataire_created_at", table_name="mesure")


def downgrade() -> None:
    op.create_index("ix_mesure_mandataire_created_at", "mesure", ["mandataire_id", "created_at"])
    op.drop_index("ix_mesure_mandataire_date_nomination", table_name="mesure")
