"""the yearly counters summed over the natures, one row per territory, type and year with a column per event and
exit cause (`mesures_annee`), in place of one row per event and cause: the yearly table reads them as they are;
backfilled from the counters by nature

Revision ID: cd160f511454
Revises: 1c5f94224c99
Create Date: 2026-12-01 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cd160f511454"
down_revision: str | None = "1c5f94224c99"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYS = ("departement", "type", "annee")
# The exit causes of this revision (`CauseSortie`).
_CAUSES = (
    "mainlevee",
    "deces",
    "caducite",
    "dessaisissement_famille",
    "dessaisissement_autre_mjpm",
    "transfert",
    "autre",
)
_COLUMNS = ("ouvertures", "sorties", "eteintes", *(f"eteintes_{cause}" for cause in _CAUSES))
_BY_NATURE = sa.table(
    "mesure_evenement_annuel",
    *(sa.column(name) for name in (*_KEYS, "evenement", "cause")),
    sa.column("nombre", sa.Integer),
)
_SUMMED = ("departement", "type", "annee", "evenement", "cause")


def upgrade() -> None:
    op.drop_table("mesure_evenement_annuel_total")
    table = op.create_table(
        "mesures_annee",
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COLUMNS),
        sa.PrimaryKeyConstraint(*_KEYS, name=op.f("pk_mesures_annee")),
        sqlite_with_rowid=False,
    )
    c = _BY_NATURE.c

    def summed(condition):
        return sa.func.sum(sa.case((condition, c.nombre), else_=0))

    ending = c.evenement == "fin"
    counted = sa.select(
        *(c[name] for name in _KEYS),
        summed(c.evenement == "ouverture"),
        summed(c.evenement == "sortie"),
        summed(ending),
        *(summed(ending & (c.cause == cause)) for cause in _CAUSES),
    ).group_by(*(c[name] for name in _KEYS))
    op.execute(sa.insert(table).from_select([*_KEYS, *_COLUMNS], counted))


def downgrade() -> None:
    op.drop_table("mesures_annee")
    table = op.create_table(
        "mesure_evenement_annuel_total",
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("evenement", sa.String(length=20), nullable=False),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("nombre", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_SUMMED, name=op.f("pk_mesure_evenement_annuel_total")),
        sqlite_with_rowid=False,
    )
    keys = [_BY_NATURE.c[name] for name in _SUMMED]
    op.execute(
        sa.insert(table).from_select(
            [*_SUMMED, "nombre"], sa.select(*keys, sa.func.sum(_BY_NATURE.c.nombre)).group_by(*keys)
        )
    )
