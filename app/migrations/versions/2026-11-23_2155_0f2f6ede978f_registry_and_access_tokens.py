"""registry and access tokens

Revision ID: 0f2f6ede978f
Revises: 3d0910be2567
Create Date: 2026-11-23 21:55:21.442465
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.database

revision: str = "0f2f6ede978f"
down_revision: str | None = "3d0910be2567"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "etablissement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finess", sa.String(length=9), nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("nom_recherche", sa.String(length=200), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("categorie", sa.String(length=40), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("places_permanentes", sa.Integer(), nullable=False),
        sa.Column("created_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etablissement")),
        sa.UniqueConstraint("finess", name=op.f("uq_etablissement_finess")),
    )
    with op.batch_alter_table("etablissement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_etablissement_departement"), ["departement"], unique=False)
        batch_op.create_index(batch_op.f("ix_etablissement_nom_recherche"), ["nom_recherche"], unique=False)

    op.create_table(
        "mandataire",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("dpf", sa.Boolean(), nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("nom_recherche", sa.String(length=200), nullable=False),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("telephone", sa.String(length=30), nullable=True),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("statut_depuis", sa.Date(), nullable=True),
        sa.Column("statut_jusqu_au", sa.Date(), nullable=True),
        sa.Column("langues", sa.JSON(), nullable=False),
        sa.Column("rayon_km", sa.Integer(), nullable=True),
        sa.Column("capacite", sa.Integer(), nullable=False),
        sa.Column("capacite_autorisee", sa.Integer(), nullable=True),
        sa.Column("accepte_nouvelles_mesures", sa.Boolean(), nullable=False),
        sa.Column("derniere_mise_a_jour", app.database.UTCDateTime(), nullable=False),
        sa.Column("created_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("mesures_en_cours", sa.Integer(), nullable=False),
        sa.Column("mesures_en_attente", sa.Integer(), nullable=False),
        sa.Column("charge_en_cours", sa.Float(), nullable=False),
        sa.Column("charge_en_attente", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandataire")),
        sa.UniqueConstraint("siret", name=op.f("uq_mandataire_siret")),
    )
    with op.batch_alter_table("mandataire", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mandataire_nom_recherche"), ["nom_recherche"], unique=False)
        batch_op.create_index(batch_op.f("ix_mandataire_statut"), ["statut"], unique=False)
        batch_op.create_index(batch_op.f("ix_mandataire_type"), ["type"], unique=False)

    op.create_table(
        "absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("debut", sa.Date(), nullable=False),
        sa.Column("fin", sa.Date(), nullable=False),
        sa.Column("motif", sa.String(length=30), nullable=False),
        sa.Column("remplacant_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mandataire_id"], ["mandataire.id"], name=op.f("fk_absence_mandataire_id_mandataire"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["remplacant_id"], ["mandataire.id"], name=op.f("fk_absence_remplacant_id_mandataire"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absence")),
    )
    with op.batch_alter_table("absence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_absence_mandataire_id"), ["mandataire_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=True),
        sa.Column("tribunal_id", sa.Integer(), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=True),
        sa.Column("region", sa.String(length=2), nullable=True),
        sa.Column("mandataire_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", app.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mandataire_id"], ["mandataire.id"], name=op.f("fk_api_token_mandataire_id_mandataire"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tribunal_id"], ["tribunal.id"], name=op.f("fk_api_token_tribunal_id_tribunal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_table(
        "mandataire_departement",
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_mandataire_departement_mandataire_id_mandataire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mandataire_id", "departement", name=op.f("pk_mandataire_departement")),
    )
    with op.batch_alter_table("mandataire_departement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mandataire_departement_departement"), ["departement"], unique=False)

    op.create_table(
        "mandataire_etablissement",
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("etablissement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["etablissement_id"],
            ["etablissement.id"],
            name=op.f("fk_mandataire_etablissement_etablissement_id_etablissement"),
        ),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_mandataire_etablissement_mandataire_id_mandataire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mandataire_id", "etablissement_id", name=op.f("pk_mandataire_etablissement")),
    )
    with op.batch_alter_table("mandataire_etablissement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mandataire_etablissement_etablissement_id"), ["etablissement_id"], unique=False
        )

    op.create_table(
        "mandataire_nature",
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("nature", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_mandataire_nature_mandataire_id_mandataire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mandataire_id", "nature", name=op.f("pk_mandataire_nature")),
    )
    op.create_table(
        "mandataire_specialite",
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("specialite", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_mandataire_specialite_mandataire_id_mandataire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mandataire_id", "specialite", name=op.f("pk_mandataire_specialite")),
    )
    with op.batch_alter_table("mandataire_specialite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mandataire_specialite_specialite"), ["specialite"], unique=False)

    op.create_table(
        "mandataire_tribunal",
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("tribunal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_mandataire_tribunal_mandataire_id_mandataire"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tribunal_id"], ["tribunal.id"], name=op.f("fk_mandataire_tribunal_tribunal_id_tribunal")
        ),
        sa.PrimaryKeyConstraint("mandataire_id", "tribunal_id", name=op.f("pk_mandataire_tribunal")),
    )
    with op.batch_alter_table("mandataire_tribunal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mandataire_tribunal_tribunal_id"), ["tribunal_id"], unique=False)

    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("capacite", sa.Integer(), nullable=True),
        sa.Column("mesures_en_cours", sa.Integer(), nullable=False),
        sa.Column("mesures_en_attente", sa.Integer(), nullable=False),
        sa.Column("charge_en_cours", sa.Float(), nullable=False),
        sa.Column("charge_en_attente", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandataire_id"], ["mandataire.id"], name=op.f("fk_site_mandataire_id_mandataire"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
    )
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_departement"), ["departement"], unique=False)
        batch_op.create_index(batch_op.f("ix_site_mandataire_id"), ["mandataire_id"], unique=False)

    op.create_table(
        "mesure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("tribunal_id", sa.Integer(), nullable=False),
        sa.Column("numero_rg", sa.String(length=30), nullable=False),
        sa.Column("numero_dossier", sa.String(length=50), nullable=True),
        sa.Column("nature", sa.String(length=40), nullable=False),
        sa.Column("champ", sa.String(length=20), nullable=True),
        sa.Column("lieu_vie", sa.String(length=40), nullable=False),
        sa.Column("pays", sa.String(length=2), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=True),
        sa.Column("code_postal", sa.String(length=5), nullable=True),
        sa.Column("commune", sa.String(length=100), nullable=True),
        sa.Column("nis", sa.String(length=5), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=True),
        sa.Column("etablissement_id", sa.Integer(), nullable=True),
        sa.Column("civilite", sa.String(length=10), nullable=True),
        sa.Column("annee_naissance", sa.Integer(), nullable=True),
        sa.Column("date_nomination", sa.Date(), nullable=True),
        sa.Column("date_fin_mesure", sa.Date(), nullable=True),
        sa.Column("cause_sortie", sa.String(length=40), nullable=True),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("poids", sa.Float(), nullable=False),
        sa.Column("created_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.database.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["etablissement_id"], ["etablissement.id"], name=op.f("fk_mesure_etablissement_id_etablissement")
        ),
        sa.ForeignKeyConstraint(["mandataire_id"], ["mandataire.id"], name=op.f("fk_mesure_mandataire_id_mandataire")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_mesure_site_id_site"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tribunal_id"], ["tribunal.id"], name=op.f("fk_mesure_tribunal_id_tribunal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mesure")),
        sa.UniqueConstraint("tribunal_id", "numero_rg", name=op.f("uq_mesure_tribunal_id_numero_rg")),
    )
    with op.batch_alter_table("mesure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mesure_departement"), ["departement"], unique=False)
        batch_op.create_index(batch_op.f("ix_mesure_etablissement_id"), ["etablissement_id"], unique=False)
        batch_op.create_index("ix_mesure_mandataire_statut", ["mandataire_id", "statut"], unique=False)
        batch_op.create_index(batch_op.f("ix_mesure_nature"), ["nature"], unique=False)
        batch_op.create_index(batch_op.f("ix_mesure_pays"), ["pays"], unique=False)
        batch_op.create_index(batch_op.f("ix_mesure_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mesure_statut"), ["statut"], unique=False)
        batch_op.create_index(batch_op.f("ix_mesure_tribunal_id"), ["tribunal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mesure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mesure_tribunal_id"))
        batch_op.drop_index(batch_op.f("ix_mesure_statut"))
        batch_op.drop_index(batch_op.f("ix_mesure_site_id"))
        batch_op.drop_index(batch_op.f("ix_mesure_pays"))
        batch_op.drop_index(batch_op.f("ix_mesure_nature"))
        batch_op.drop_index("ix_mesure_mandataire_statut")
        batch_op.drop_index(batch_op.f("ix_mesure_etablissement_id"))
        batch_op.drop_index(batch_op.f("ix_mesure_departement"))

    op.drop_table("mesure")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_mandataire_id"))
        batch_op.drop_index(batch_op.f("ix_site_departement"))

    op.drop_table("site")
    with op.batch_alter_table("mandataire_tribunal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandataire_tribunal_tribunal_id"))

    op.drop_table("mandataire_tribunal")
    with op.batch_alter_table("mandataire_specialite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandataire_specialite_specialite"))

    op.drop_table("mandataire_specialite")
    op.drop_table("mandataire_nature")
    with op.batch_alter_table("mandataire_etablissement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandataire_etablissement_etablissement_id"))

    op.drop_table("mandataire_etablissement")
    with op.batch_alter_table("mandataire_departement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandataire_departement_departement"))

    op.drop_table("mandataire_departement")
    op.drop_table("api_token")
    with op.batch_alter_table("absence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_absence_mandataire_id"))

    op.drop_table("absence")
    with op.batch_alter_table("mandataire", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandataire_type"))
        batch_op.drop_index(batch_op.f("ix_mandataire_statut"))
        batch_op.drop_index(batch_op.f("ix_mandataire_nom_recherche"))

    op.drop_table("mandataire")
    with op.batch_alter_table("etablissement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_etablissement_nom_recherche"))
        batch_op.drop_index(batch_op.f("ix_etablissement_departement"))

    op.drop_table("etablissement")
