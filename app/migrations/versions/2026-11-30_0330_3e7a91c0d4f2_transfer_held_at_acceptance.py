"""transfers move at acceptance: the pending reservation holds the new professional's place

A transferred measure stays with the professional handing it over until the new one accepts, so a reservation
carries the weight of the place it holds; and a measure may have several reservations over its life (the one
that created it, then transfers), so reservation.mesure_id is no longer unique.

Revision ID: 3e7a91c0d4f2
Revises: 9c4d2f61e8b7
Create Date: 2026-11-30 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3e7a91c0d4f2"
down_revision: str | None = "9c4d2f61e8b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reservation") as batch:
        batch.add_column(sa.Column("poids_transfert", sa.Float(), nullable=True))
        batch.drop_constraint("uq_reservation_mesure_id", type_="unique")
        batch.create_index(batch.f("ix_reservation_mesure_id"), ["mesure_id"], unique=False)
    # Transfers sent before this revision moved the measure at once (pending at the new professional): give each
    # back to the professional handing it over, in progress, and let the reservation hold the new one's place.
    # The new professional's pending counters do not change (the hold replaces the measure); the former's grow.
    bind = op.get_bind()
    pending = bind.execute(
        sa.text(
            "SELECT r.id, r.mesure_id, r.ancien_mandataire_id, r.ancien_site_id, m.poids FROM reservation r "
            "JOIN mesure m ON m.id = r.mesure_id "
            "WHERE r.statut = 'en_attente' AND r.ancien_mandataire_id IS NOT NULL AND m.statut = 'en_attente'"
        )
    ).all()
    for reservation_id, mesure_id, former_id, former_site, poids in pending:
        bind.execute(
            sa.text("UPDATE mesure SET mandataire_id = :m, site_id = :s, statut = 'en_cours' WHERE id = :id"),
            {"m": former_id, "s": former_site, "id": mesure_id},
        )
        bind.execute(
            sa.text("UPDATE reservation SET poids_transfert = :p WHERE id = :id"), {"p": poids, "id": reservation_id}
        )
        for table, row_id in (("mandataire", former_id), ("site", former_site)):
            if row_id is not None:
                bind.execute(
                    sa.text(
                        f"UPDATE {table} SET mesures_en_cours = mesures_en_cours + 1, "
                        "charge_en_cours = charge_en_cours + :p WHERE id = :id"
                    ),
                    {"p": poids, "id": row_id},
                )


def downgrade() -> None:
    with op.batch_alter_table("reservation") as batch:
        batch.drop_index(batch.f("ix_reservation_mesure_id"))
        batch.create_unique_constraint("uq_reservation_mesure_id", ["mesure_id"])
        batch.drop_column("poids_transfert")
