"""the national sums of the monthly flows read their counters in key order: `mesures_mois` keyed (mois, type,
tribunal_id), `delai_acceptation_national` keyed (mois, dixiemes, type), so that SQLite groups them without sorting

Revision ID: 594e12bb173f
Revises: f1b6d8e4a2c7
Create Date: 2026-11-30 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "594e12bb173f"
down_revision: str | None = "f1b6d8e4a2c7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table → its columns (name, type) and its key after the upgrade and after the downgrade.
_TABLES: dict[str, tuple[list[tuple[str, sa.types.TypeEngine]], dict[str, tuple[str, ...]]]] = {
    "mesures_mois": (
        [
            ("mois", sa.Date()),
            ("tribunal_id", sa.Integer()),
            ("type", sa.String(length=20)),
            ("ouvertes", sa.Integer()),
            ("eteintes", sa.Integer()),
        ],
        {"upgrade": ("mois", "type", "tribunal_id"), "downgrade": ("mois", "tribunal_id", "type")},
    ),
    "delai_acceptation_national": (
        [
            ("mois", sa.Date()),
            ("type", sa.String(length=20)),
            ("dixiemes", sa.Integer()),
            ("reservations", sa.Integer()),
        ],
        {"upgrade": ("mois", "dixiemes", "type"), "downgrade": ("mois", "type", "dixiemes")},
    ),
}


def _rekey(direction: str) -> None:
    # Copied aside, dropped and created anew: the constraint keeps its name (pk_<table>) on both databases.
    for name, (columns, keys) in _TABLES.items():
        names = ", ".join(column for column, _ in columns)
        op.execute(f"CREATE TABLE {name}_copie AS SELECT {names} FROM {name}")
        op.drop_table(name)
        op.create_table(
            name,
            *[sa.Column(column, kind, nullable=False) for column, kind in columns],
            sa.PrimaryKeyConstraint(*keys[direction], name=op.f(f"pk_{name}")),
            sqlite_with_rowid=False,
        )
        op.execute(f"INSERT INTO {name} ({names}) SELECT {names} FROM {name}_copie")
        op.drop_table(f"{name}_copie")


def upgrade() -> None:
    _rekey("upgrade")


def downgrade() -> None:
    _rekey("downgrade")
