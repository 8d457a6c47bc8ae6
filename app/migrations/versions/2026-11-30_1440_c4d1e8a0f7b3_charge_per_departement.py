"""the counters of each professional's measures per département where they are worked

Revision ID: c4d1e8a0f7b3
Revises: 2bc3c4604118
Create Date: 2026-11-30 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4d1e8a0f7b3"
down_revision: str | None = "2bc3c4604118"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "charge_departement",
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("mesures", sa.Integer(), nullable=False),
        sa.Column("tutelles", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_charge_departement_mandataire_id_mandataire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mandataire_id", "departement", "statut", name=op.f("pk_charge_departement")),
    )
    # The measures in progress and pending, by the département of their antenne, else of their tribunal.
    op.execute(
        "INSERT INTO charge_departement (mandataire_id, departement, statut, mesures, tutelles) "
        "SELECT m.mandataire_id, COALESCE(s.departement, t.departement), m.statut, COUNT(*), "
        "SUM(CASE WHEN m.nature = 'tutelle' THEN 1 ELSE 0 END) "
        "FROM mesure m JOIN tribunal t ON t.id = m.tribunal_id LEFT JOIN site s ON s.id = m.site_id "
        "WHERE m.statut IN ('en_cours', 'en_attente') "
        "GROUP BY m.mandataire_id, COALESCE(s.departement, t.departement), m.statut"
    )


def downgrade() -> None:
    op.drop_table("charge_departement")
