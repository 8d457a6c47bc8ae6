"""SQLite's write-ahead log is checkpointed by a thread of the service, off the requests' path."""

from sqlalchemy import text

from app.database import build_engine, start_wal_checkpoints, wal_checkpoint


def test_a_passive_checkpoint_copies_the_whole_log_into_the_database(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'journal.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE ligne (texte TEXT)"))
        connection.execute(text("INSERT INTO ligne VALUES (:texte)"), [{"texte": "x" * 1000}] * 200)
    busy, log, done = wal_checkpoint(engine)  # while the writer's connection is still open in the pool
    assert busy == 0 and log > 0 and done == log
    engine.dispose()


def test_only_a_sqlite_file_gets_the_checkpoint_thread(tmp_path):
    assert start_wal_checkpoints(build_engine("sqlite://")) is None
    engine = build_engine(f"sqlite:///{tmp_path / 'journal.db'}")
    checkpoints = start_wal_checkpoints(engine)
    assert checkpoints is not None
    checkpoints.stop()  # the thread ends when the app stops
    engine.dispose()
