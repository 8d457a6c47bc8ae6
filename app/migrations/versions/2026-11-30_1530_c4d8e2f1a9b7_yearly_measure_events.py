"""yearly counters of the measures' events (openings, ends by cause, exits from the stock), backfilled

Revision ID: c4d8e2f1a9b7
Revises: 9d2f6a1c3e85
Create Date: 2026-11-30 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4d8e2f1a9b7"
down_revision: str | None = "9d2f6a1c3e85"
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
    sa.column("cause_sortie", sa.String),
)
_TRIBUNAL = sa.table("tribunal", sa.column("id", sa.Integer), sa.column("departement", sa.String))
_MANDATAIRE = sa.table("mandataire", sa.column("id", sa.Integer), sa.column("type", sa.String))
_KEYS = ("departement", "type", "annee", "evenement", "cause", "nature")


def _year(column):
    return sa.cast(sa.extract("year", column), sa.Integer)


def _events(year, evenement: str, cause, *conditions):
    # The measures a judge designated: known date of nomination, not pending.
    return (
        sa.select(
            _TRIBUNAL.c.departement,
            _MANDATAIRE.c.type,
            year.label("annee"),
            sa.literal(evenement).label("evenement"),
            cause.label("cause"),
            _MESURE.c.nature,
        )
        .select_from(_MESURE)
        .join(_TRIBUNAL, _TRIBUNAL.c.id == _MESURE.c.tribunal_id)
        .join(_MANDATAIRE, _MANDATAIRE.c.id == _MESURE.c.mandataire_id)
        .where(_MESURE.c.date_nomination.is_not(None), _MESURE.c.statut != "en_attente", *conditions)
    )


def upgrade() -> None:
    table = op.create_table(
        "mesure_evenement_annuel",
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("evenement", sa.String(length=20), nullable=False),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("nature", sa.String(length=40), nullable=False),
        sa.Column("nombre", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEYS, name=op.f("pk_mesure_evenement_annuel")),
        sqlite_with_rowid=False,
    )
    m = _MESURE.c
    left = sa.case(
        (m.date_fin_mesure.is_(None), m.date_nomination),
        (m.date_fin_mesure < m.date_nomination, m.date_nomination),
        else_=m.date_fin_mesure,
    )
    each = sa.union_all(
        _events(_year(m.date_nomination), "ouverture", sa.literal("")),
        _events(_year(m.date_fin_mesure), "fin", sa.func.coalesce(m.cause_sortie, ""), m.date_fin_mesure.is_not(None)),
        _events(_year(left), "sortie", sa.literal(""), m.date_fin_mesure.is_not(None) | (m.statut == "eteinte")),
    ).subquery()
    keys = [each.c[name] for name in _KEYS]
    counted = sa.select(*keys, sa.func.count()).group_by(*keys)
    op.execute(sa.insert(table).from_select([*_KEYS, "nombre"], counted))


def downgrade() -> None:
    op.drop_table("mesure_evenement_annuel")
