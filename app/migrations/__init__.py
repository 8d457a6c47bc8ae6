"""The Alembic configuration and scripts, shipped inside the package so that an installed wheel can migrate
(`mjpm db upgrade`); the repository's `alembic.ini` links to `app/alembic.ini` for developers' `alembic` commands."""

from functools import cache
from importlib.resources import files

from alembic.config import Config
from alembic.script import ScriptDirectory


def alembic_config() -> Config:
    return Config(str(files("app") / "alembic.ini"))


@cache
def head_revision() -> str:
    """The newest revision of the shipped scripts (read once per process: they do not change while it runs)."""
    return ",".join(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))
