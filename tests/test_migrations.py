"""The schema comes only from Alembic: migrations and models agree, and migrations go down and up again."""

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.database import build_engine
from app.models import Base
from tests.support import migrate, scratch_database_url


def test_models_and_migrations_agree(tmp_path):
    with scratch_database_url(
        os.environ.get("MJPM_TEST_DATABASE_URL", "sqlite://"), tmp_path, "mjpm_migrations"
    ) as url:
        engine = build_engine(url)
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
            assert compare_metadata(context, Base.metadata) == []
        migrate(engine, "base", down=True)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        engine.dispose()
