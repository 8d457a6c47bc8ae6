"""The schema comes only from Alembic: migrations and models agree, and migrations go down and up again."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, insert, inspect, select, text

from app.config import PROJECT_ROOT
from app.database import build_engine
from app.migrations import alembic_config
from app.models import Base
from app.registry.models import Mandataire
from tests.support import migrate, scratch_database_url

# The compression methods the server was built with (PostgreSQL 14 and later).
_HAS_LZ4 = "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"


def test_models_and_migrations_agree(tmp_path, database_server):
    with scratch_database_url(database_server, tmp_path, "mjpm_migrations") as url:
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


def run_cli(url: str, *args: str) -> subprocess.Popen:
    """`mjpm ARGS` of this checkout, as its own process, on the database `url`."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "DATABASE_URL": url, "ENVIRONMENT": "test"}
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_concurrent_upgrades_of_an_empty_database_all_succeed(tmp_path, gazetteer, database_server):
    """Every instance may migrate at start: the runs wait for one another (a lock), the later ones find the
    schema at head and the tribunals loaded."""
    with scratch_database_url(database_server, tmp_path, "mjpm_upgrade") as url:
        processes = [run_cli(url, "db", "upgrade") for _ in range(3)]
        outputs = [process.communicate(timeout=600) for process in processes]
        assert [process.returncode for process in processes] == [0, 0, 0], [err[-2000:] for _, err in outputs]
        loaded = sorted(int(re.search(r"\((\d+) tribunaux", out).group(1)) for out, _ in outputs)
        assert loaded == [0, 0, len(gazetteer.tribunaux)]
        engine = build_engine(url)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM alembic_version")) == 1
            assert connection.scalar(text("SELECT count(*) FROM tribunal")) == len(gazetteer.tribunaux)
        engine.dispose()


def test_revision_files_list_in_the_order_of_the_chain():
    """Files are named `YYYY-MM-DD_HHMM_<rev>_<slug>.py`: sorting them by name gives the upgrade order."""
    chain = list(reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())))
    names = [Path(script.path).name for script in chain]
    assert names == sorted(names)
    for name, script in zip(names, chain, strict=True):
        assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d_\d{{4}}_{script.revision}_[a-z0-9_]+\.py", name), name


def test_languages_written_in_words_become_codes(tmp_path, database_server):
    """Before the vocabulary, professionals wrote their languages freely: the migration turns each into its ISO
    639-1 code (« flamand » is Dutch) and drops words that name no language."""
    with scratch_database_url(database_server, tmp_path, "mjpm_langues") as url:
        engine = build_engine(url)
        migrate(engine, "585e343768de")
        written = [["Néerlandais", "flamand", "anglais"], ["langue des signes française", "breton"], ["de"], []]
        common = {"type": "individuel", "nom": "X", "nom_recherche": "x", "statut": "actif", "capacite": 1}
        with engine.begin() as connection:
            # The table as that revision has it: the model's, less the columns added since (their defaults).
            added_since = {"designations_recentes", "designations_recentes_depuis", "designations_recentes_jusqu_au"}
            kept = (c._copy() for c in Mandataire.__table__.c if c.name not in added_since)
            old_table = Table("mandataire", MetaData(), *kept)
            connection.execute(insert(old_table), [{**common, "langues": langues, "version": 1} for langues in written])
        migrate(engine)
        with engine.connect() as connection:
            stored = connection.scalars(select(Mandataire.langues).order_by(Mandataire.id)).all()
        assert stored == [["nl", "en"], ["fsl"], ["de"], []]
        engine.dispose()


def test_match_records_are_compressed_with_lz4_where_postgresql_has_it(engine):
    """The 13 kB answer of every `/match` costs the server a third less CPU to store than with pglz."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite stores JSON as text, uncompressed")
    with engine.connect() as connection:
        if connection.scalar(text(_HAS_LZ4)) is None:
            pytest.skip("this PostgreSQL was built without lz4")
        methods = connection.execute(
            text(
                "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'match_request'::regclass "
                "AND attname IN ('demande', 'reponse') ORDER BY attname"
            )
        ).all()
    assert [tuple(row) for row in methods] == [("demande", "l"), ("reponse", "l")]
