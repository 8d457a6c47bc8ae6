"""vendor measures: what e-MJPM's vendor API keeps (état history, resources, dates, revision, chamber, type of
establishment, sending software) and RG numbers normalised (uppercase letters and digits only)

Revision ID: 65391ca520f4
Revises: 4a7c2e9b51d3
Create Date: 2026-11-30 04:00:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "65391ca520f4"
down_revision: str | None = "4a7c2e9b51d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def upgrade() -> None:
    with op.batch_alter_table("mesure") as batch:
        batch.add_column(sa.Column("date_premier_mesure", sa.Date(), nullable=True))
        batch.add_column(sa.Column("date_protection_en_cours", sa.Date(), nullable=True))
        batch.add_column(sa.Column("resultat_revision", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("cabinet", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("type_etablissement", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("editor_id", sa.Integer(), nullable=True))
    op.create_table(
        "mesure_etat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mesure_id", sa.Integer(), nullable=False),
        sa.Column("date_changement_etat", sa.Date(), nullable=True),
        sa.Column("nature_mesure", sa.String(length=40), nullable=True),
        sa.Column("champ_mesure", sa.String(length=40), nullable=True),
        sa.Column("lieu_vie", sa.String(length=40), nullable=True),
        sa.Column("code_postal", sa.String(length=10), nullable=True),
        sa.Column("ville", sa.String(length=100), nullable=True),
        sa.Column("pays", sa.String(length=2), nullable=True),
        sa.Column("type_etablissement", sa.String(length=40), nullable=True),
        sa.Column("etablissement_siret", sa.String(length=14), nullable=True),
        sa.ForeignKeyConstraint(
            ["mesure_id"], ["mesure.id"], name=op.f("fk_mesure_etat_mesure_id_mesure"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mesure_etat")),
    )
    op.create_index(op.f("ix_mesure_etat_mesure_id"), "mesure_etat", ["mesure_id"], unique=False)
    op.create_table(
        "mesure_ressource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mesure_id", sa.Integer(), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=True),
        sa.Column("niveau_ressource", sa.Integer(), nullable=True),
        sa.Column("prestations_sociales", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mesure_id"], ["mesure.id"], name=op.f("fk_mesure_ressource_mesure_id_mesure"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mesure_ressource")),
    )
    op.create_index(op.f("ix_mesure_ressource_mesure_id"), "mesure_ressource", ["mesure_id"], unique=False)
    _normalise_numeros_rg("mesure")
    _normalise_numeros_rg("reservation")


def _normalise_numeros_rg(table: str) -> None:
    """ "22r-00032" and "22R00032" are one RG number. A row whose normalised number another row of its tribunal
    already holds keeps its spelling (merging two measures is a person's decision, not a migration's)."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT id, tribunal_id, numero_rg FROM {table} ORDER BY id")).all()
    taken = {(row.tribunal_id, row.numero_rg) for row in rows}
    for row in rows:
        normalised = NOT_ALNUM.sub("", row.numero_rg).upper()
        if not normalised or normalised == row.numero_rg or (row.tribunal_id, normalised) in taken:
            continue
        taken.add((row.tribunal_id, normalised))
        connection.execute(
            sa.text(f"UPDATE {table} SET numero_rg = :numero_rg WHERE id = :id"),
            {"numero_rg": normalised, "id": row.id},
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_mesure_ressource_mesure_id"), table_name="mesure_ressource")
    op.drop_table("mesure_ressource")
    op.drop_index(op.f("ix_mesure_etat_mesure_id"), table_name="mesure_etat")
    op.drop_table("mesure_etat")
    with op.batch_alter_table("mesure") as batch:
        for column in (
            "editor_id",
            "type_etablissement",
            "cabinet",
            "resultat_revision",
            "date_protection_en_cours",
            "date_premier_mesure",
        ):
            batch.drop_column(column)
