"""`mjpm import mesures`, the command line (in process: `invoke_cli`), on a scratch database: a dry run writes
nothing, a real run writes the file's measures, a file with a bad line writes nothing and names the line."""

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from app.auth.constants import Role
from app.auth.principal import Principal
from app.database import build_engine
from app.geo.repository import sync_tribunaux
from app.registry import service
from app.registry.schemas import MandataireCreate
from tests.registry.factories import mandataire_body
from tests.support import invoke_cli, migrate, scratch_database_url

HEADER = (
    "date_nomination;type;code_postal;ville;civilite;annee;numero_rg;numero_dossier;residence;tribunal_siret;antenne"
)
ROWS = [
    "15/01/2025;Tutelle;59000;Lille;F;1950;25/00001;;Domicile;17590111500709;",
    "16/01/2025;Curatelle renforcée;7500;Tournai;H;1961;25/00002;;En établissement;17590111500709;",
]


def run(url: str, *args: str):
    return invoke_cli(url, "import", "mesures", *args)


def test_import_command(tmp_path, gazetteer, database_server):
    with scratch_database_url(database_server, tmp_path, "mjpm_import") as url:
        engine = build_engine(url)
        migrate(engine)
        with sessionmaker(bind=engine).begin() as session:
            sync_tribunaux(session, gazetteer)
            admin = Principal(token_id=None, role=Role.ADMIN, departements=None)
            mandataire = service.create_mandataire(
                session, principal=admin, gazetteer=gazetteer, payload=MandataireCreate(**mandataire_body())
            ).id
        good, bad = tmp_path / "mesures.csv", tmp_path / "erreur.csv"
        good.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
        bad.write_text(
            "\n".join([HEADER, ROWS[0], ROWS[1].replace("16/01/2025", "31/02/2025")]) + "\n", encoding="utf-8"
        )

        def stored() -> list[tuple]:
            with engine.connect() as connection:
                return connection.execute(text("SELECT numero_rg, pays FROM mesure ORDER BY numero_rg")).all()

        dry = run(url, str(good), "--mandataire", str(mandataire), "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "rien n'a été écrit" in dry.stdout and stored() == []

        rejected = run(url, str(bad), "--mandataire", str(mandataire))
        assert rejected.returncode == 1
        assert "ligne 3" in rejected.stderr and stored() == []

        done = run(url, str(good), "--mandataire", str(mandataire))
        assert done.returncode == 0, done.stderr
        assert "2 créée(s)" in done.stdout
        assert stored() == [("2500001", "FR"), ("2500002", "BE")]  # RG numbers in their one stored form
        engine.dispose()
