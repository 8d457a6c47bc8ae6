"""vendors (OAuth2 clients), their authorization codes and tokens (stored hashed), and the log of their calls

Revision ID: 28b13e26050f
Revises: 65391ca520f4
Create Date: 2026-11-30 04:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.database import UTCDateTime

revision: str = "28b13e26050f"
down_revision: str | None = "65391ca520f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "editeur",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("actif", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editeur")),
        sa.UniqueConstraint("nom", name=op.f("uq_editeur_nom")),
    )
    op.create_table(
        "editeur_appel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("editeur_id", sa.Integer(), nullable=False),
        sa.Column("mandataire_id", sa.Integer(), nullable=True),
        sa.Column("methode", sa.String(length=10), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("statut", sa.SmallInteger(), nullable=False),
        sa.Column("duree_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["editeur_id"], ["editeur.id"], name=op.f("fk_editeur_appel_editeur_id_editeur"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_editeur_appel_mandataire_id_mandataire"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editeur_appel")),
    )
    with op.batch_alter_table("editeur_appel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_editeur_appel_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_editeur_appel_editeur_id"), ["editeur_id", "created_at"], unique=False)

    op.create_table(
        "editeur_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("editeur_id", sa.Integer(), nullable=False),
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=True),
        sa.Column("scope", sa.String(length=200), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["editeur_id"], ["editeur.id"], name=op.f("fk_editeur_code_editeur_id_editeur"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_editeur_code_mandataire_id_mandataire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editeur_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_editeur_code_code_hash")),
    )
    with op.batch_alter_table("editeur_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_editeur_code_editeur_id"), ["editeur_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_editeur_code_mandataire_id"), ["mandataire_id"], unique=False)

    op.create_table(
        "editeur_jeton",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("access_hash", sa.String(length=64), nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=True),
        sa.Column("editeur_id", sa.Integer(), nullable=False),
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("refresh_expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["code_id"], ["editeur_code.id"], name=op.f("fk_editeur_jeton_code_id_editeur_code"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["editeur_id"], ["editeur.id"], name=op.f("fk_editeur_jeton_editeur_id_editeur"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_editeur_jeton_mandataire_id_mandataire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editeur_jeton")),
        sa.UniqueConstraint("access_hash", name=op.f("uq_editeur_jeton_access_hash")),
        sa.UniqueConstraint("refresh_hash", name=op.f("uq_editeur_jeton_refresh_hash")),
    )
    with op.batch_alter_table("editeur_jeton", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_editeur_jeton_code_id"), ["code_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_editeur_jeton_editeur_id"), ["editeur_id", "mandataire_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_editeur_jeton_mandataire_id"), ["mandataire_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("editeur_jeton", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_editeur_jeton_mandataire_id"))
        batch_op.drop_index(batch_op.f("ix_editeur_jeton_editeur_id"))
        batch_op.drop_index(batch_op.f("ix_editeur_jeton_code_id"))

    op.drop_table("editeur_jeton")
    with op.batch_alter_table("editeur_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_editeur_code_mandataire_id"))
        batch_op.drop_index(batch_op.f("ix_editeur_code_editeur_id"))

    op.drop_table("editeur_code")
    with op.batch_alter_table("editeur_appel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_editeur_appel_editeur_id"))
        batch_op.drop_index(batch_op.f("ix_editeur_appel_created_at"))

    op.drop_table("editeur_appel")
    op.drop_table("editeur")
