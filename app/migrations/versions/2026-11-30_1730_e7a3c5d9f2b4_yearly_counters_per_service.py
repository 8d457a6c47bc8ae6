"""yearly counters per service (openings and exits from the stock per département of the tribunal, nature and
year), backfilled from the services' measures

Revision ID: e7a3c5d9f2b4
Revises: d5e9f3a2b8c1
Create Date: 2026-11-30 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7a3c5d9f2b4"
down_revision: str | None = "d5e9f3a2b8c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESURE = sa.table(
    "mesure",
    sa.column("mandataire_id", sa.Integer),
    sa.column("tribunal_id", sa.Integer),
    sa.column("nature", sa.String),
    sa.column("statut", sa.String),
    sa.column("date_nomination", sa.Date),
    sa.column("date_fin_mesure", sa.Date),
)
_TRIBUNAL = sa.table("tribunal", sa.column("id", sa.Integer), sa.column("departement", sa.String))
_MANDATAIRE = sa.table("mandataire", sa.column("id", sa.Integer), sa.column("type", sa.String))
_KEYS = ("mandataire_id", "annee", "departement", "nature")


def _year(column):
    return sa.cast(sa.extract("year", column), sa.Integer)


def _events(year, opened: int, left: int, *conditions):
    # The services' measures a judge designated: known date of nomination, not pending.
    return (
        sa.select(
            _MESURE.c.mandataire_id,
            year.label("annee"),
            _TRIBUNAL.c.departement,
            _MESURE.c.nature,
            sa.literal(opened).label("ouvertures"),
            sa.literal(left).label("sorties"),
        )
        .select_from(_MESURE)
        .join(_TRIBUNAL, _TRIBUNAL.c.id == _MESURE.c.tribunal_id)
        .join(_MANDATAIRE, _MANDATAIRE.c.id == _MESURE.c.mandataire_id)
        .where(
            _MESURE.c.date_nomination.is_not(None),
            _MESURE.c.statut != "en_attente",
            _MANDATAIRE.c.type == "service",
            *conditions,
        )
    )


def upgrade() -> None:
    table = op.create_table(
        "mesure_service_annuel",
        sa.Column("mandataire_id", sa.Integer(), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("nature", sa.String(length=40), nullable=False),
        sa.Column("ouvertures", sa.Integer(), nullable=False),
        sa.Column("sorties", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandataire_id"],
            ["mandataire.id"],
            name=op.f("fk_mesure_service_annuel_mandataire_id_mandataire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*_KEYS, name=op.f("pk_mesure_service_annuel")),
        sqlite_with_rowid=False,
    )
    m = _MESURE.c
    # The year a measure leaves the stock: that of its end, never before its nomination; of its nomination when it
    # ended without end date.
    left = sa.case(
        (m.date_fin_mesure.is_(None), m.date_nomination),
        (m.date_fin_mesure < m.date_nomination, m.date_nomination),
        else_=m.date_fin_mesure,
    )
    each = sa.union_all(
        _events(_year(m.date_nomination), 1, 0),
        _events(_year(left), 0, 1, m.date_fin_mesure.is_not(None) | (m.statut == "eteinte")),
    ).subquery()
    keys = [each.c[name] for name in _KEYS]
    counted = sa.select(*keys, sa.func.sum(each.c.ouvertures), sa.func.sum(each.c.sorties)).group_by(*keys)
    op.execute(sa.insert(table).from_select([*_KEYS, "ouvertures", "sorties"], counted))


def downgrade() -> None:
    op.drop_table("mesure_service_annuel")
