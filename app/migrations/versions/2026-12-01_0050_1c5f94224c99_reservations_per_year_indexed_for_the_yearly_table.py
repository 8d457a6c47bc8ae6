"""the reservations answered per year indexed with every column in the order the yearly table groups them

Revision ID: 1c5f94224c99
Revises: c26faba15faa
Create Date: 2026-12-01 00:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "1c5f94224c99"
down_revision: str | None = "c26faba15faa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ["departement", "type", "annee", "statut", "nature", "reservations"]


def upgrade() -> None:
    op.create_index("ix_reservations_annee_territoire", "reservations_annee", _COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_reservations_annee_territoire", table_name="reservations_annee")
