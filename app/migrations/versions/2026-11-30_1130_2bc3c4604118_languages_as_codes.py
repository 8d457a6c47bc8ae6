"""a professional's languages stored as ISO 639-1 codes

Revision ID: 2bc3c4604118
Revises: 585e343768de
Create Date: 2026-11-30 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.registry.schemas import langue_code

revision: str = "2bc3c4604118"
down_revision: str | None = "585e343768de"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MANDATAIRE = sa.table("mandataire", sa.column("id", sa.Integer), sa.column("langues", sa.JSON))


def upgrade() -> None:
    # Languages were free words ("néerlandais", "flamand"): each becomes its code; a word naming no language of the
    # vocabulary is dropped, as the matching already ignored it and the API now refuses it.
    connection = op.get_bind()
    for row in connection.execute(sa.select(_MANDATAIRE.c.id, _MANDATAIRE.c.langues)).all():
        codes = list(dict.fromkeys(code for word in row.langues or () if (code := langue_code(str(word)))))
        if codes != (row.langues or []):
            connection.execute(sa.update(_MANDATAIRE).where(_MANDATAIRE.c.id == row.id).values(langues=codes))


def downgrade() -> None:
    # Codes were valid free words: nothing to undo.
    pass
