"""the date indexes of the measures also carry their status and other date: the year so far of the objectifs table
(measures in progress at a date) reads them alone

Revision ID: d5e9f3a2b8c1
Revises: c4d8e2f1a9b7
Create Date: 2026-11-30 15:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d5e9f3a2b8c1"
down_revision: str | None = "c4d8e2f1a9b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _replace(name: str, columns: list[str]) -> None:
    op.drop_index(name, table_name="mesure")
    op.create_index(name, "mesure", columns, unique=False)


def upgrade() -> None:
    _replace(
        "ix_mesure_date_nomination", ["date_nomination", "mandataire_id", "tribunal_id", "statut", "date_fin_mesure"]
    )
    _replace(
        "ix_mesure_date_fin_mesure", ["date_fin_mesure", "mandataire_id", "tribunal_id", "statut", "date_nomination"]
    )


def downgrade() -> None:
    _replace("ix_mesure_date_nomination", ["date_nomination", "mandataire_id", "tribunal_id"])
    _replace("ix_mesure_date_fin_mesure", ["date_fin_mesure", "mandataire_id", "tribunal_id"])
