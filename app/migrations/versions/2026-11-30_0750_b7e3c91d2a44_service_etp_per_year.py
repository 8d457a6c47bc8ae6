"""the full-time equivalents a service declares per year

Revision ID: b7e3c91d2a44
Revises: 3ac443d0020a
Create Date: 2026-11-30 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.database import UTCDateTime

revision: str = "b7e3c91d2a44"
down_revision: str | None = "3ac443d0020a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "etp_service",
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("etp", sa.Float(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_etp_service_mandataire_id_mandataire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mandataire_id", "annee", name=op.f("pk_etp_service")),
    )


def downgrade() -> None:
    op.drop_table("etp_service")
