"""The PostgreSQL pass leaves out the tests that never ask for `database_server` (tests/conftest.py): they give the
same answer on either engine and run once, in the SQLite pass. That holds only if a test reaches the engine under
test through that fixture alone, never by reading the variable itself."""

from pathlib import Path

TESTS = Path(__file__).parent


def test_only_the_fixture_reads_the_engine_under_test():
    readers = sorted(
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if path != Path(__file__) and "MJPM_TEST_DATABASE_URL" in path.read_text(encoding="utf-8")
    )
    assert readers == ["conftest.py"]
