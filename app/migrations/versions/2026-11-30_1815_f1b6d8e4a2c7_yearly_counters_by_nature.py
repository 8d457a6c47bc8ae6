"""the yearly counters, and those of each service, indexed by nature with every column: a table of a few natures
(DPF) reads their rows alone

Revision ID: f1b6d8e4a2c7
Revises: c2272c1f8b81
Create Date: 2026-11-30 18:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f1b6d8e4a2c7"
down_revision: str | None = "c2272c1f8b81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (
    (
        "ix_mesure_evenement_annuel_nature",
        "mesure_evenement_annuel",
        ["nature", "annee", "departement", "type", "evenement", "cause", "nombre"],
    ),
    (
        "ix_mesure_service_annuel_nature",
        "mesure_service_annuel",
        ["nature", "departement", "mandataire_id", "annee", "ouvertures", "sorties"],
    ),
)


def upgrade() -> None:
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in _INDEXES:
        op.drop_index(name, table_name=table)
