"""transfer plans: a plan per professional handing measures over, its measures and decisions; transfer reservations

Revision ID: 830a3a578a4e
Revises: 8e92cf32ceb7
Create Date: 2026-11-30 01:03:52.273131
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.database import UTCDateTime

revision: str = "830a3a578a4e"
down_revision: str | None = "8e92cf32ceb7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transfert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("motif", sa.String(length=30), nullable=False),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("cout_total", sa.Float(), nullable=False),
        sa.Column("sans_proposition", sa.Integer(), nullable=False),
        sa.Column("parametres", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandataire_id"], ["mandataire.id"], name=op.f("fk_transfert_mandataire_id_mandataire")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_transfert_site_id_site"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_token.id"], name=op.f("fk_transfert_token_id_api_token"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfert")),
    )
    with op.batch_alter_table("transfert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfert_mandataire_id"), ["mandataire_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfert_statut"), ["statut"], unique=False)

    op.create_table(
        "transfert_mesure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfert_id", sa.Integer(), nullable=False),
        sa.Column("mesure_id", sa.Integer(), nullable=False),
        sa.Column("ouvert", sa.Boolean(), nullable=True),
        sa.Column("tribunal_id", sa.Integer(), nullable=False),
        sa.Column("mesure_version", sa.Integer(), nullable=False),
        sa.Column("proposition", sa.JSON(), nullable=True),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column("motif_sans_proposition", sa.String(length=40), nullable=True),
        sa.Column("exclusions", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("choix_mandataire_id", sa.Integer(), nullable=True),
        sa.Column("choix_site_id", sa.Integer(), nullable=True),
        sa.Column("justification", sa.String(length=500), nullable=True),
        sa.Column("refus", sa.JSON(), nullable=False),
        sa.Column("reservation_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["choix_mandataire_id"], ["mandataire.id"], name=op.f("fk_transfert_mesure_choix_mandataire_id_mandataire")
        ),
        sa.ForeignKeyConstraint(
            ["choix_site_id"], ["site.id"], name=op.f("fk_transfert_mesure_choix_site_id_site"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["mesure_id"], ["mesure.id"], name=op.f("fk_transfert_mesure_mesure_id_mesure"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservation.id"],
            name=op.f("fk_transfert_mesure_reservation_id_reservation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["transfert_id"],
            ["transfert.id"],
            name=op.f("fk_transfert_mesure_transfert_id_transfert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tribunal_id"], ["tribunal.id"], name=op.f("fk_transfert_mesure_tribunal_id_tribunal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfert_mesure")),
        sa.UniqueConstraint("mesure_id", "ouvert", name=op.f("uq_transfert_mesure_mesure_id_ouvert")),
    )
    with op.batch_alter_table("transfert_mesure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfert_mesure_transfert_id"), ["transfert_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfert_mesure_tribunal_id"), ["tribunal_id"], unique=False)

    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ancien_mandataire_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ancien_site_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reservation_ancien_mandataire_id_mandataire"), "mandataire", ["ancien_mandataire_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reservation_ancien_site_id_site"), "site", ["ancien_site_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reservation_ancien_site_id_site"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_reservation_ancien_mandataire_id_mandataire"), type_="foreignkey")
        batch_op.drop_column("ancien_site_id")
        batch_op.drop_column("ancien_mandataire_id")

    with op.batch_alter_table("transfert_mesure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfert_mesure_tribunal_id"))
        batch_op.drop_index(batch_op.f("ix_transfert_mesure_transfert_id"))

    op.drop_table("transfert_mesure")
    with op.batch_alter_table("transfert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfert_statut"))
        batch_op.drop_index(batch_op.f("ix_transfert_mandataire_id"))

    op.drop_table("transfert")
