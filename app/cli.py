"""The `mjpm` command line: database set-up, tokens, demo data, API contract export."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.auth.constants import Role
from app.auth.service import create_token
from app.config import PROJECT_ROOT, get_settings
from app.database import build_engine, build_session_factory
from app.errors import DomainError
from app.geo.gazetteer import load_gazetteer
from app.geo.repository import sync_tribunaux

cli = typer.Typer(help="mjpm-match : administration du service.", no_args_is_help=True, add_completion=False)
db_cli = typer.Typer(help="Base de données.", no_args_is_help=True)
token_cli = typer.Typer(help="Jetons d'accès à l'API.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(token_cli, name="token")

OPENAPI_PATH = PROJECT_ROOT / "openapi" / "openapi.json"


def alembic_config() -> Config:
    return Config(str(PROJECT_ROOT / "alembic.ini"))


@contextmanager
def database() -> Iterator[Engine]:
    engine = build_engine(get_settings().database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    with build_session_factory(engine).begin() as session:
        yield session


def fail(error: DomainError) -> None:
    field = ".".join(str(part) for part in error.loc)
    typer.echo(f"erreur ({error.code}{' : ' + field if field else ''}) : {error.message}", err=True)
    raise typer.Exit(2)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to DATABASE_URL, then refresh the reference tables (tribunals)."""
    command.upgrade(alembic_config(), "head")
    with database() as engine, transaction(engine) as session:
        changed = sync_tribunaux(session, load_gazetteer())
    typer.echo(f"base à jour ({changed} tribunaux ajoutés ou modifiés)")


@token_cli.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="Rôle du jeton")],
    tribunal: Annotated[str | None, typer.Option(help="SIRET ou code du tribunal (magistrat, greffier)")] = None,
    departement: Annotated[str | None, typer.Option(help="Département de l'agent (DDETS)")] = None,
    region: Annotated[str | None, typer.Option(help="Région de l'agent (DREETS)")] = None,
    mandataire: Annotated[int | None, typer.Option(help="Identifiant du mandataire")] = None,
    nom: Annotated[str | None, typer.Option(help="Titulaire du jeton, pour l'audit")] = None,
) -> None:
    """Create a token and print it alone on stdout (only its hash is stored: keep it now)."""
    settings = get_settings()
    try:
        with database() as engine, transaction(engine) as session:
            token = create_token(
                session,
                secret=settings.token_secret.get_secret_value(),
                gazetteer=load_gazetteer(),
                role=role,
                nom=nom,
                tribunal=tribunal,
                departement=departement,
                region=region,
                mandataire_id=mandataire,
            )
    except DomainError as error:
        fail(error)
    typer.echo(token)


def openapi_document() -> str:
    from app.main import create_app

    return json.dumps(create_app().openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@cli.command("openapi")
def export_openapi(output: Annotated[Path, typer.Option(help="Fichier à écrire")] = OPENAPI_PATH) -> None:
    """Write the API contract (the committed openapi/openapi.json is checked against the code by a test)."""
    output.write_text(openapi_document(), encoding="utf-8")
    typer.echo(f"écrit : {output}")


def main() -> None:
    cli()
