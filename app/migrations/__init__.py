"""The Alembic configuration and scripts, shipped inside the package so that an installed wheel can migrate
(`mjpm db upgrade`); the repository's `alembic.ini` links to `app/alembic.ini` for developers' `alembic` commands."""

from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

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
