"""matching index version, weights and match records

Revision ID: e6c1b2873a0a
Revises: 0f2f6ede978f
Create Date: 2026-11-23 22:03:18.283117
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.database

revision: str = "e6c1b2873a0a"
down_revision: str | None = "0f2f6ede978f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    registry_version = op.create_table(
        "registry_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_version")),
    )  # The single row the matching index compares; it exists from the start.
    op.bulk_insert(registry_version, [{"id": 1, "version": 0}])

    op.create_table(
        "departement_weights",
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("poids", sa.JSON(), nullable=False),
        sa.Column("updated_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["api_token.id"],
            name=op.f("fk_departement_weights_updated_by_api_token"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("departement", name=op.f("pk_departement_weights")),
    )
    op.create_table(
        "match_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("tribunal_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("engine_version", sa.String(length=20), nullable=False),
        sa.Column("demande", sa.JSON(), nullable=False),
        sa.Column("reponse", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_token.id"], name=op.f("fk_match_request_token_id_api_token"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["tribunal_id"], ["tribunal.id"], name=op.f("fk_match_request_tribunal_id_tribunal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_request")),
    )
    with op.batch_alter_table("match_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_request_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_match_request_tribunal_id"), ["tribunal_id"], unique=False)

    with op.batch_alter_table("mesure", schema=None) as batch_op:
        batch_op.create_index("ix_mesure_mandataire_created_at", ["mandataire_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mesure", schema=None) as batch_op:
        batch_op.drop_index("ix_mesure_mandataire_created_at")

    with op.batch_alter_table("match_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_request_tribunal_id"))
        batch_op.drop_index(batch_op.f("ix_match_request_created_at"))

    op.drop_table("match_request")
    op.drop_table("departement_weights")
    op.drop_table("registry_version")
