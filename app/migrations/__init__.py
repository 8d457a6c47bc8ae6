"""The Alembic configuration and scripts, shipped inside the package so that an installed wheel can migrate
(`mjpm db upgrade`); the repository's `alembic.ini` links to `app/alembic.ini` for developers' `alembic` commands."""

from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported by the functions, when first called: the application imports this package for its readiness
# probe, and importing Alembic (and Mako) at start costs each of its processes about a second on a busy machine.


def alembic_config() -> "Config":
    from alembic.config import Config

    return Config(str(files("app") / "alembic.ini"))


@cache
def head_revision() -> str:
    """The newest revision of the shipped scripts (read once per process: they do not change while it runs)."""
    from alembic.script import ScriptDirectory

    return ",".join(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


_CURRENT_REVISION = text("SELECT version_num FROM alembic_version")


def schema_revision(session: Session) -> str:
    """The revision(s) the database's schema is at; "" when it was never migrated (no `alembic_version` table).
    Raises when the database does not answer. One query: the second, which tells a database never migrated from one
    that fails, only runs when the first failed (the readiness probe stays one query)."""
    try:
        return ",".join(sorted(session.execute(_CURRENT_REVISION).scalars()))
    except DBAPIError:
        session.rollback()  # PostgreSQL refuses any further statement in a failed transaction
        if inspect(session.connection()).has_table("alembic_version"):
            raise
        return ""


def schema_at_head(session_factory: Callable[[], Session]) -> bool:
    """Whether the database's schema is the one these scripts end at (raises when the database does not answer)."""
    with session_factory() as session:
        return schema_revision(session) == head_revision()
