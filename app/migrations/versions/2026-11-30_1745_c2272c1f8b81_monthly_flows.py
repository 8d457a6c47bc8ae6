"""monthly flows of the flux table: measures opened and ended, reservations answered and the histogram of the
acceptance delays per month, tribunal and type of professional, backfilled

Revision ID: c2272c1f8b81
Revises: e7a3c5d9f2b4
Create Date: 2026-11-30 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2272c1f8b81"
down_revision: str | None = "e7a3c5d9f2b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _month(column: str, postgres: bool) -> str:
    return f"CAST(date_trunc('month', {column}) AS DATE)" if postgres else f"date({column}, 'start of month')"


def _tenths(postgres: bool) -> str:
    """Tenths of a day from r.created_at to r.answered_at, nearest (half up), between whole seconds, never negative
    (app.designation.answers.tenths_waited)."""
    if postgres:
        start, end = (
            f"CAST(EXTRACT(EPOCH FROM date_trunc('second', r.{c})) AS BIGINT)" for c in ("created_at", "answered_at")
        )
        return f"((GREATEST({end} - {start}, 0) + 4320) / 8640)"
    start, end = (f"CAST(strftime('%s', substr(r.{c}, 1, 19)) AS INTEGER)" for c in ("created_at", "answered_at"))
    return f"((MAX({end} - {start}, 0) + 4320) / 8640)"


def upgrade() -> None:
    op.create_table(
        "mesures_mois",
        sa.Column("mois", sa.Date(), nullable=False),
        sa.Column("tribunal_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("ouvertes", sa.Integer(), nullable=False),
        sa.Column("eteintes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("mois", "tribunal_id", "type", name=op.f("pk_mesures_mois")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "reservations_mois",
        sa.Column("mois", sa.Date(), nullable=False),
        sa.Column("tribunal_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("acceptees", sa.Integer(), nullable=False),
        sa.Column("refusees", sa.Integer(), nullable=False),
        sa.Column("expirees", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("mois", "tribunal_id", "type", name=op.f("pk_reservations_mois")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "delai_acceptation",
        sa.Column("mois", sa.Date(), nullable=False),
        sa.Column("tribunal_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("dixiemes", sa.Integer(), nullable=False),
        sa.Column("reservations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("mois", "tribunal_id", "type", "dixiemes", name=op.f("pk_delai_acceptation")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "delai_acceptation_national",
        sa.Column("mois", sa.Date(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("dixiemes", sa.Integer(), nullable=False),
        sa.Column("reservations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("mois", "type", "dixiemes", name=op.f("pk_delai_acceptation_national")),
        sqlite_with_rowid=False,
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    opened, ended = _month("me.date_nomination", postgres), _month("me.date_fin_mesure", postgres)
    op.execute(
        "INSERT INTO mesures_mois (mois, tribunal_id, type, ouvertes, eteintes) "
        "SELECT mois, tribunal_id, type, SUM(ouvertes), SUM(eteintes) FROM ("
        f"  SELECT {opened} AS mois, me.tribunal_id, m.type, 1 AS ouvertes, 0 AS eteintes"
        "   FROM mesure me JOIN mandataire m ON m.id = me.mandataire_id WHERE me.date_nomination IS NOT NULL"
        "  UNION ALL"
        f"  SELECT {ended}, me.tribunal_id, m.type, 0, 1"
        "   FROM mesure me JOIN mandataire m ON m.id = me.mandataire_id WHERE me.date_fin_mesure IS NOT NULL"
        ") AS dated GROUP BY mois, tribunal_id, type"
    )
    month, tenths = _month("r.answered_at", postgres), _tenths(postgres)
    answered = "FROM reservation r JOIN mandataire m ON m.id = r.mandataire_id WHERE r.answered_at IS NOT NULL"
    op.execute(
        "INSERT INTO reservations_mois (mois, tribunal_id, type, acceptees, refusees, expirees) "
        f"SELECT {month}, r.tribunal_id, m.type, "
        "SUM(CASE WHEN r.statut = 'acceptee' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.statut = 'refusee' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.statut = 'expiree' THEN 1 ELSE 0 END) "
        f"{answered} AND r.statut IN ('acceptee', 'refusee', 'expiree') GROUP BY {month}, r.tribunal_id, m.type"
    )
    op.execute(
        "INSERT INTO delai_acceptation (mois, tribunal_id, type, dixiemes, reservations) "
        f"SELECT {month}, r.tribunal_id, m.type, {tenths}, COUNT(*) "
        f"{answered} AND r.statut = 'acceptee' GROUP BY {month}, r.tribunal_id, m.type, {tenths}"
    )
    op.execute(
        "INSERT INTO delai_acceptation_national (mois, type, dixiemes, reservations) "
        "SELECT mois, type, dixiemes, SUM(reservations) FROM delai_acceptation GROUP BY mois, type, dixiemes"
    )


def downgrade() -> None:
    op.drop_table("delai_acceptation_national")
    op.drop_table("delai_acceptation")
    op.drop_table("reservations_mois")
    op.drop_table("mesures_mois")
