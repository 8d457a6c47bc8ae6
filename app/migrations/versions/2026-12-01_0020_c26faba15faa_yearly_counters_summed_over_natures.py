"""the yearly counters summed over the natures, for the yearly table of every nature, backfilled from the counters
by nature

Revision ID: c26faba15faa
Revises: 594e12bb173f
Create Date: 2026-12-01 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c26faba15faa"
down_revision: str | None = "594e12bb173f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYS = ("departement", "type", "annee", "evenement", "cause")
_BY_NATURE = sa.table("mesure_evenement_annuel", *(sa.column(name) for name in _KEYS), sa.column("nombre"))


def upgrade() -> None:
    table = op.create_table(
        "mesure_evenement_annuel_total",
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("evenement", sa.String(length=20), nullable=False),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("nombre", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEYS, name=op.f("pk_mesure_evenement_annuel_total")),
        sqlite_with_rowid=False,
    )
    keys = [_BY_NATURE.c[name] for name in _KEYS]
    summed = sa.select(*keys, sa.func.sum(_BY_NATURE.c.nombre)).group_by(*keys)
    op.execute(sa.insert(table).from_select([*_KEYS, "nombre"], summed))


def downgrade() -> None:
    op.drop_table("mesure_evenement_annuel_total")
