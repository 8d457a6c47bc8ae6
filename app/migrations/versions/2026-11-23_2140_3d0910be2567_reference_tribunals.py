"""reference tribunals

Revision ID: 3d0910be2567
Revises:
Create Date: 2026-11-23 21:40:33.174367
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3d0910be2567"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tribunal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tribunal")),
        sa.UniqueConstraint("code", name=op.f("uq_tribunal_code")),
        sa.UniqueConstraint("siret", name=op.f("uq_tribunal_siret")),
    )
    with op.batch_alter_table("tribunal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tribunal_departement"), ["departement"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tribunal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tribunal_departement"))

    op.drop_table("tribunal")
