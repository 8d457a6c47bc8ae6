"""designation and audit

Revision ID: c56eec93bd8a
Revises: e6c1b2873a0a
Create Date: 2026-11-23 22:10:11.191568
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.database

revision: str = "c56eec93bd8a"
down_revision: str | None = "e6c1b2873a0a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("match_id", sa.String(length=36), nullable=True),
        sa.Column("reservation_id", sa.Integer(), nullable=True),
        sa.Column("tribunal_id", sa.Integer(), nullable=True),
        sa.Column("mandataire_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_token.id"], name=op.f("fk_audit_event_token_id_api_token"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["tribunal_id"], ["tribunal.id"], name=op.f("fk_audit_event_tribunal_id_tribunal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_match_id"), ["match_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_reservation_id"), ["reservation_id"], unique=False)

    op.create_table(
        "reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mesure_id", sa.Integer(), nullable=True),
        sa.Column("match_id", sa.String(length=36), nullable=True),
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("tribunal_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("numero_rg", sa.String(length=30), nullable=False),
        sa.Column("nature", sa.String(length=40), nullable=False),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("cabinet", sa.String(length=50), nullable=True),
        sa.Column("date_jugement_prevue", sa.Date(), nullable=True),
        sa.Column("urgence", sa.Boolean(), nullable=False),
        sa.Column("famille", sa.String(length=40), nullable=False),
        sa.Column("famille_motif", sa.Text(), nullable=True),
        sa.Column("hors_liste", sa.Boolean(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("motif_refus", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("created_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("reminded_at", app.database.UTCDateTime(), nullable=True),
        sa.Column("answered_at", app.database.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandataire_id"], ["mandataire.id"], name=op.f("fk_reservation_mandataire_id_mandataire")
        ),
        sa.ForeignKeyConstraint(
            ["match_id"], ["match_request.id"], name=op.f("fk_reservation_match_id_match_request"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["mesure_id"], ["mesure.id"], name=op.f("fk_reservation_mesure_id_mesure"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_reservation_site_id_site"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_token.id"], name=op.f("fk_reservation_token_id_api_token"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["tribunal_id"], ["tribunal.id"], name=op.f("fk_reservation_tribunal_id_tribunal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation")),
        sa.UniqueConstraint("mesure_id", name=op.f("uq_reservation_mesure_id")),
        sa.UniqueConstraint("token_id", "idempotency_key", name=op.f("uq_reservation_token_id_idempotency_key")),
    )
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reservation_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reservation_mandataire_id"), ["mandataire_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reservation_match_id"), ["match_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reservation_statut"), ["statut"], unique=False)
        batch_op.create_index(batch_op.f("ix_reservation_tribunal_id"), ["tribunal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reservation_tribunal_id"))
        batch_op.drop_index(batch_op.f("ix_reservation_statut"))
        batch_op.drop_index(batch_op.f("ix_reservation_match_id"))
        batch_op.drop_index(batch_op.f("ix_reservation_mandataire_id"))
        batch_op.drop_index(batch_op.f("ix_reservation_expires_at"))

    op.drop_table("reservation")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_reservation_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_match_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_created_at"))

    op.drop_table("audit_event")
