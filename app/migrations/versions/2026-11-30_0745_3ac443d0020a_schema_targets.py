"""the regional schéma's targets (objectif): one per département, indicator and deadline

Revision ID: 3ac443d0020a
Revises: b3f1c7d92e40
Create Date: 2026-11-30 07:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.database import UTCDateTime

revision: str = "3ac443d0020a"
down_revision: str | None = "b3f1c7d92e40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "objectif",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("indicateur", sa.String(length=40), nullable=False),
        sa.Column("cible", sa.Integer(), nullable=False),
        sa.Column("echeance", sa.Date(), nullable=False),
        sa.Column("date_initiale", sa.Date(), nullable=False),
        sa.Column("valeur_initiale", sa.Integer(), nullable=False),
        sa.Column("libelle", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objectif")),
        sa.UniqueConstraint(
            "departement", "indicateur", "echeance", name=op.f("uq_objectif_departement_indicateur_echeance")
        ),
    )
    with op.batch_alter_table("objectif") as batch_op:
        batch_op.create_index(batch_op.f("ix_objectif_departement"), ["departement"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("objectif") as batch_op:
        batch_op.drop_index(batch_op.f("ix_objectif_departement"))
    op.drop_table("objectif")
