"""Helpers shared by tests: scratch databases and migrations."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from app.cli import alembic_config


@contextmanager
def scratch_database_url(base_url: str, directory: Path, prefix: str) -> Iterator[str]:
    """A new empty database: a SQLite file in `directory`, or a PostgreSQL database created on the server."""
    url = make_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{directory / (name + '.db')}"
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def migrate(engine: Engine, revision: str = "head", *, down: bool = False) -> None:
    config = alembic_config()
    config.attributes["configure_logger"] = False
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
