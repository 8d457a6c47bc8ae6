"""accounts, web sessions, access journal; tokens get an expiry, a read-only scope and an owner

Revision ID: 4a7c2e9b51d3
Revises: 3e7a91c0d4f2
Create Date: 2026-11-30 03:40:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "4a7c2e9b51d3"
down_revision: str | None = "3e7a91c0d4f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compte",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("nom", sa.String(length=100), nullable=False),
        sa.Column("prenom", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("tribunal_id", sa.Integer(), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=True),
        sa.Column("region", sa.String(length=2), nullable=True),
        sa.Column("mandataire_id", sa.Integer(), nullable=True),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("etat", sa.String(length=10), nullable=False),
        sa.Column("invitation_hash", sa.String(length=64), nullable=True),
        sa.Column("invitation_expires_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("derniere_connexion_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mandataire_id"], ["mandataire.id"], name=op.f("fk_compte_mandataire_id_mandataire"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tribunal_id"], ["tribunal.id"], name=op.f("fk_compte_tribunal_id_tribunal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compte")),
        sa.UniqueConstraint("email", name=op.f("uq_compte_email")),
        sa.UniqueConstraint("invitation_hash", name=op.f("uq_compte_invitation_hash")),
    )
    op.create_index(op.f("ix_compte_siret"), "compte", ["siret"], unique=False)
    op.create_table(
        "session_compte",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("compte_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("fournisseur", sa.String(length=20), nullable=False),
        sa.Column("id_token_hint", sa.Text(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["compte_id"], ["compte.id"], name=op.f("fk_session_compte_compte_id_compte"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_compte")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_session_compte_secret_hash")),
    )
    op.create_index(op.f("ix_session_compte_compte_id"), "session_compte", ["compte_id"], unique=False)
    op.create_table(
        "journal_acces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("compte_id", sa.Integer(), nullable=True),
        sa.Column("jeton_id", sa.Integer(), nullable=True),
        sa.Column("acteur_compte_id", sa.Integer(), nullable=True),
        sa.Column("acteur_jeton_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acteur_compte_id"],
            ["compte.id"],
            name=op.f("fk_journal_acces_acteur_compte_id_compte"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["acteur_jeton_id"],
            ["api_token.id"],
            name=op.f("fk_journal_acces_acteur_jeton_id_api_token"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["compte_id"], ["compte.id"], name=op.f("fk_journal_acces_compte_id_compte"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["jeton_id"], ["api_token.id"], name=op.f("fk_journal_acces_jeton_id_api_token"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_acces")),
    )
    op.create_index(op.f("ix_journal_acces_created_at"), "journal_acces", ["created_at"], unique=False)
    op.create_index(op.f("ix_journal_acces_compte_id"), "journal_acces", ["compte_id"], unique=False)
    # Plain ALTER TABLE ... ADD COLUMN on both engines (a batch copy of api_token on SQLite would drop and recreate
    # a table that other tables reference).
    op.add_column("api_token", sa.Column("expires_at", sa.DateTime(), nullable=True))
    op.add_column("api_token", sa.Column("acces", sa.String(length=10), server_default="ecriture", nullable=False))
    # No foreign key: SQLite cannot add one to an existing table without copying it (accounts are never deleted,
    # only disabled; authentication refuses a token whose account is not active or missing).
    op.add_column("api_token", sa.Column("compte_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_api_token_compte_id"), "api_token", ["compte_id"], unique=False)
    # Tokens made before expiries existed get the default one: a year from now.
    expiry = (datetime.now(UTC) + timedelta(days=365)).replace(tzinfo=None)
    api_token = sa.table("api_token", sa.column("expires_at", sa.DateTime()))
    op.execute(api_token.update().values(expires_at=expiry))


def downgrade() -> None:
    op.drop_index(op.f("ix_api_token_compte_id"), table_name="api_token")
    op.drop_column("api_token", "compte_id")
    op.drop_column("api_token", "acces")
    op.drop_column("api_token", "expires_at")
    op.drop_index(op.f("ix_journal_acces_compte_id"), table_name="journal_acces")
    op.drop_index(op.f("ix_journal_acces_created_at"), table_name="journal_acces")
    op.drop_table("journal_acces")
    op.drop_index(op.f("ix_session_compte_compte_id"), table_name="session_compte")
    op.drop_table("session_compte")
    op.drop_index(op.f("ix_compte_siret"), table_name="compte")
    op.drop_table("compte")
