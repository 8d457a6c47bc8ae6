"""PostgreSQL: the request and the answer of each stored `/match` compressed with lz4 instead of pglz, where the server
has it (PostgreSQL 14 or later, built with lz4): compressing the 13 kB answer cost the server a third of the record's
insert with pglz. Rows already stored keep their compression; SQLite stores JSON as text either way.

Revision ID: 1cdbb733a72f
Revises: cd160f511454
Create Date: 2026-12-01 03:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "1cdbb733a72f"
down_revision: str | None = "cd160f511454"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The server's own list of the compression methods it was built with (the setting exists from PostgreSQL 14).
_HAS_LZ4 = "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"


def _compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or bind.exec_driver_sql(_HAS_LZ4).first() is None:
        return
    op.execute(
        f"ALTER TABLE match_request ALTER COLUMN demande SET COMPRESSION {method}, "
        f"ALTER COLUMN reponse SET COMPRESSION {method}"
    )


def upgrade() -> None:
    _compression("lz4")


def downgrade() -> None:
    _compression("default")  # the server's default_toast_compression
