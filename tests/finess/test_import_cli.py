"""`mjpm finess import`, the command line (in process: `invoke_cli`), on a scratch database: a dry run writes
nothing, a real run creates the establishments, an extract with a bad line writes nothing and names the file and the
line."""

from sqlalchemy import text

from app.database import build_engine
from tests.finess.extracts import equipementsocial, extract, structureet
from tests.support import invoke_cli, migrate, scratch_database_url


def run(url: str, *args: str):
    return invoke_cli(url, "finess", "import", *args)


def test_finess_import_command(tmp_path, database_server):
    with scratch_database_url(database_server, tmp_path, "mjpm_finess") as url:
        engine = build_engine(url)
        migrate(engine)
        good, equipment, bad = tmp_path / "etab.csv", tmp_path / "equip.csv", tmp_path / "erreur.csv"
        good.write_bytes(extract(structureet("590000101"), structureet("590000103", categetab="620")))
        equipment.write_bytes(extract(equipementsocial("590000101", capautot="120")))
        bad.write_bytes(extract(structureet("590000101"), "structureet;590000102"))

        def stored() -> list[tuple]:
            with engine.connect() as connection:
                return connection.execute(text("SELECT finess, places_permanentes FROM etablissement")).all()

        dry = run(url, str(good), "--equipements", str(equipment), "--essai")
        assert dry.returncode == 0, dry.stderr
        assert "rien n'a été écrit" in dry.stdout and stored() == []

        rejected = run(url, str(bad))
        assert rejected.returncode == 1
        assert "etablissements, ligne 3" in rejected.stderr and stored() == []

        done = run(url, str(good), "--equipements", str(equipment))
        assert done.returncode == 0, done.stderr
        assert "2 établissement(s) lus, 1 retenu(s) : 1 créé(s)" in done.stdout
        assert stored() == [("590000101", 120)]
        engine.dispose()
