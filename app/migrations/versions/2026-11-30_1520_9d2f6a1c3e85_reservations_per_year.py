"""the reservations answered per year, département, type of professional and nature

Revision ID: 9d2f6a1c3e85
Revises: c4d1e8a0f7b3
Create Date: 2026-11-30 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d2f6a1c3e85"
down_revision: str | None = "c4d1e8a0f7b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reservations_annee",
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("nature", sa.String(length=40), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("reservations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("departement", "type", "nature", "annee", "statut", name=op.f("pk_reservations_annee")),
    )
    # The year of the answer in UTC (answered_at is stored as naive UTC on both databases).
    if op.get_bind().dialect.name == "postgresql":
        year = "CAST(EXTRACT(YEAR FROM r.answered_at) AS INTEGER)"
    else:
        year = "CAST(strftime('%Y', r.answered_at) AS INTEGER)"
    op.execute(
        "INSERT INTO reservations_annee (departement, type, nature, annee, statut, reservations) "
        f"SELECT t.departement, m.type, r.nature, {year}, r.statut, COUNT(*) "
        "FROM reservation r JOIN tribunal t ON t.id = r.tribunal_id JOIN mandataire m ON m.id = r.mandataire_id "
        "WHERE r.statut IN ('acceptee', 'refusee', 'expiree') AND r.answered_at IS NOT NULL "
        f"GROUP BY t.departement, m.type, r.nature, {year}, r.statut"
    )


def downgrade() -> None:
    op.drop_table("reservations_annee")
