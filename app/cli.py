"""The `mjpm` command line: database set-up, tokens, demo data, API contract export."""

import json
import logging
import logging.config
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from app.auth.constants import Access, Role
from app.config import PROJECT_ROOT, get_settings
from app.demo.tunables import Scale
from app.planning.constants import Detail

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from app.errors import DomainError
    from app.finess.service import Fichier

# Each command imports what it alone needs, inside it: a command starts without importing every domain (`mjpm token
# create` in about half the time of the whole app), which the tests' many command-line processes feel. At the top,
# only what the options name (enumerations, literals): not SQLAlchemy, FastAPI (app.errors), numpy and shapely (the
# gazetteer), nor the spreadsheet writers.

# What `mjpm --help` says of each command, in French like everything a person reads (the docstrings are for
# developers).
HELP = {
    "db upgrade": (
        "Appliquer toutes les migrations à DATABASE_URL puis mettre à jour les tribunaux ; plusieurs "
        "lancements simultanés s'attendent."
    ),
    "token create": "Créer un jeton et l'afficher seul (seule son empreinte est gardée : notez-le maintenant).",
    "token list": "Lister les jetons (jamais les jetons eux-mêmes) : identifiant, rôle, titulaire, périmètre, dates.",
    "token revoke": (
        "Révoquer un jeton : refusé par chaque processus dès l'expiration de sa vérification en cache (TOKEN_CACHE_S)."
    ),
    "seed": "Charger un registre de démonstration (noms fictifs) dans une base vide.",
    "demo": (
        "Préparer la démonstration : le registre des Hauts-de-France si la base est vide, les personnes de "
        "démonstration et un jeton par rôle."
    ),
    "expire": (
        "Expirer maintenant les réservations sans réponse après leur délai (leurs places sont libérées) et "
        "envoyer les relances."
    ),
    "audit purge": (
        "Supprimer maintenant les demandes de classement et événements de désignation plus anciens que "
        "AUDIT_RETENTION_DAYS."
    ),
    "scheduler": (
        "Exécuter les tâches planifiées au premier plan (expirations et relances, notifications, purge de "
        "l'audit), une fois par période quel que soit le nombre de processus."
    ),
    "import mesures": (
        "Importer un tableur de mesures (colonnes du modèle e-MJPM), tout ou rien, avec un rapport par ligne."
    ),
    "finess import": (
        "Importer les extractions FINESS du ministère telles que publiées : établissements créés ou mis à "
        "jour par numéro FINESS, tout ou rien, avec un rapport par ligne."
    ),
    "notifications send": (
        "Envoyer les notifications en attente (journal, SMTP, webhook), avec nouvelles tentatives espacées."
    ),
    "serve": (
        "Servir l'API avec uvicorn : WEB_CONCURRENCY processus, en-têtes X-Forwarded-* crus de "
        "FORWARDED_ALLOW_IPS, journaux JSON."
    ),
    "simulate": (
        "Simuler les désignations des prochaines années sur un territoire, sans rien modifier au registre : le "
        "moteur de classement, les deux tris d'e-MJPM (places libres, plus proche) et le plus proche ayant de la "
        "place."
    ),
    "openapi": "Écrire le contrat de l'API (openapi/openapi.json, vérifié par un test).",
}


cli = typer.Typer(help="mjpm-match : administration du service.", no_args_is_help=True, add_completion=False)
db_cli = typer.Typer(help="Base de données.", no_args_is_help=True)
token_cli = typer.Typer(help="Jetons d'accès à l'API.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(token_cli, name="token")
notifications_cli = typer.Typer(help="Notifications (boîte d'envoi).", no_args_is_help=True)
cli.add_typer(notifications_cli, name="notifications")
audit_cli = typer.Typer(help="Journal d'audit.", no_args_is_help=True)
cli.add_typer(audit_cli, name="audit")
import_cli = typer.Typer(help="Imports depuis un tableur.", no_args_is_help=True)
cli.add_typer(import_cli, name="import")
finess_cli = typer.Typer(help="Extractions FINESS du ministère (établissements).", no_args_is_help=True)
cli.add_typer(finess_cli, name="finess")

OPENAPI_PATH = PROJECT_ROOT / "openapi" / "openapi.json"
SimulationFormat = Literal["table", "json", "csv"]
# `mjpm simulate --comparer`: the comparison docs/simulation.md quotes (issue 19: the regional demo, a year).
COMPARISON_REGION = "32"
COMPARISON_ARRIVALS = 1500
MIGRATION_LOCK = "migrations"


@contextmanager
def database() -> Iterator["Engine"]:
    from app.database import build_engine

    engine = build_engine(get_settings().database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def transaction(engine: "Engine") -> Iterator["Session"]:
    from app.database import build_session_factory, write_transaction
    from app.matching.versioning import track_registry_changes

    track_registry_changes()
    with write_transaction(build_session_factory(engine)) as session:
        yield session


def fail(error: "DomainError") -> None:
    field = ".".join(str(part) for part in error.loc)
    typer.echo(f"erreur ({error.code}{' : ' + field if field else ''}) : {error.message}", err=True)
    raise typer.Exit(2)


@db_cli.command("upgrade", help=HELP["db upgrade"])
def db_upgrade() -> None:
    """Apply every migration to DATABASE_URL, then refresh the reference tables (tribunals).

    One transaction under a lock (PostgreSQL advisory lock; SQLite BEGIN IMMEDIATE): concurrent runs, e.g. every
    instance starting at once, wait for one another and the later ones find the schema at head."""
    from alembic import command
    from sqlalchemy.orm import Session

    from app.database import WRITE_INTENT
    from app.designation.answers import recount_answers
    from app.geo.gazetteer import load_gazetteer
    from app.geo.repository import sync_tribunaux
    from app.locks import lock_for_transaction
    from app.matching.versioning import track_registry_changes
    from app.migrations import alembic_config
    from app.registry.load import recount_departements

    config = alembic_config()
    track_registry_changes()
    with database() as engine, _migration_file_lock(engine), engine.connect() as connection:
        connection.execution_options(**{WRITE_INTENT: True})
        with connection.begin():
            lock_for_transaction(connection, MIGRATION_LOCK)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            with Session(bind=connection) as session:
                changed = sync_tribunaux(session, load_gazetteer())
                session.flush()
                if changed:
                    # A tribunal that moved to another département moves the measures worked there and the
                    # answers given to its reservations: recount both.
                    recount_departements(session)
                    recount_answers(session)
    typer.echo(f"base à jour ({changed} tribunaux ajoutés ou modifiés)")


def _migration_file_lock(engine: "Engine"):
    """On a SQLite file, a file lock beside it: a long migration must not outlast the waiters' busy timeout."""
    from app.locks import file_lock

    database_path = engine.url.database
    if engine.dialect.name != "sqlite" or not database_path or database_path == ":memory:":
        return nullcontext()
    return file_lock(Path(f"{database_path}.migrate.lock"))


@token_cli.command("create", help=HELP["token create"])
def token_create(
    role: Annotated[Role, typer.Option(help="Rôle du jeton")],
    tribunal: Annotated[str | None, typer.Option(help="SIRET ou code du tribunal (magistrat, greffier)")] = None,
    departement: Annotated[str | None, typer.Option(help="Département de l'agent (DDETS)")] = None,
    region: Annotated[str | None, typer.Option(help="Région de l'agent (DREETS)")] = None,
    mandataire: Annotated[int | None, typer.Option(help="Identifiant du mandataire")] = None,
    nom: Annotated[str | None, typer.Option(help="Titulaire du jeton, pour l'audit")] = None,
    expire: Annotated[
        str | None,
        typer.Option(help="Expiration : un nombre de jours ou une date AAAA-MM-JJ (défaut : TOKEN_EXPIRY_DAYS)"),
    ] = None,
    lecture_seule: Annotated[bool, typer.Option(help="Jeton limité à la lecture (GET)")] = False,
) -> None:
    """Create a token and print it alone on stdout (only its hash is stored: keep it now)."""
    from app.errors import DomainError
    from app.geo.gazetteer import load_gazetteer
    from app.tokens.service import issue_token

    settings = get_settings()
    try:
        expires_at = token_expiry(expire, settings.token_expiry_days)
        with database() as engine, transaction(engine) as session:
            token = issue_token(
                session,
                secret=settings.token_secret.get_secret_value(),
                gazetteer=load_gazetteer(),
                role=role,
                nom=nom,
                tribunal=tribunal,
                departement=departement,
                region=region,
                mandataire_id=mandataire,
                expires_at=expires_at,
                acces=Access.LECTURE if lecture_seule else Access.ECRITURE,
            )[0]
    except DomainError as error:
        fail(error)
    typer.echo(token)


def token_expiry(value: str | None, default_days: int) -> datetime:
    """`--expire`: a number of days from now or a date (the end of that day, UTC)."""
    from app.database import utcnow
    from app.errors import InvalidInput

    if value is None or value.strip().isdigit():
        days = int(value) if value is not None else default_days
        if days < 1:
            raise InvalidInput("l'expiration doit être d'un jour au moins", loc=["expire"])
        return utcnow() + timedelta(days=days)
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"expiration invalide : {value} (jours ou AAAA-MM-JJ)", loc=["expire"]) from None
    return datetime.combine(day, time.max, tzinfo=UTC)


@token_cli.command("list", help=HELP["token list"])
def token_list() -> None:
    """List the tokens (never the tokens themselves, which are not stored): id, role, holder, scope, dates."""
    from app.database import build_session_factory
    from app.tokens.service import list_tokens

    with database() as engine, build_session_factory(engine)() as session:
        for token in list_tokens(session):
            scope = (
                (token.departement and f"département {token.departement}")
                or (token.region and f"région {token.region}")
                or (token.tribunal_id and f"tribunal {token.tribunal_id}")
                or (token.mandataire_id and f"mandataire {token.mandataire_id}")
                or "France entière"
            )
            revoked = f"révoqué le {token.revoked_at:%Y-%m-%d %H:%M} UTC" if token.revoked_at else "actif"
            typer.echo(
                f"{token.id}\t{token.role}\t{token.nom or '-'}\t{scope}\t"
                f"créé le {token.created_at:%Y-%m-%d %H:%M} UTC\t{revoked}"
            )


@token_cli.command("revoke", help=HELP["token revoke"])
def token_revoke(token_id: Annotated[int, typer.Argument(help="Identifiant du jeton (mjpm token list)")]) -> None:
    """Revoke a token: refused by every worker once its cached check expires (TOKEN_CACHE_S, 5 s by default)."""
    from app.errors import DomainError
    from app.tokens.service import revoke_token

    try:
        with database() as engine, transaction(engine) as session:
            token = revoke_token(session, token_id)
            revoked_at = token.revoked_at
    except DomainError as error:
        fail(error)
    typer.echo(f"jeton {token_id} révoqué le {revoked_at:%Y-%m-%d %H:%M:%S} UTC")


@contextmanager
def progress_bars() -> Iterator[Callable[[str, int, int], None]]:
    """A `progress(stage, done, total)` callback drawing one bar per stage."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield progress


def _seed(engine: "Engine", scale: Scale, seed: int) -> None:
    from app.demo.seed import seed_demo
    from app.geo.gazetteer import load_gazetteer

    with progress_bars() as progress:
        summary = seed_demo(
            engine,
            load_gazetteer(),
            scale=scale,
            seed=seed,
            progress=progress,
            reservation_expiry_days=get_settings().reservation_expiry_days,
        )
    by_type = ", ".join(f"{count} {kind}" for kind, count in sorted(summary.mandataires.items()))
    typer.echo(
        f"démonstration {summary.scale} (graine {summary.seed}) : {summary.total_mandataires} mandataires ({by_type}), "
        f"{summary.sites} sites, {summary.etablissements} établissements, {summary.total_mesures} mesures "
        f"dont {summary.mesures_belges} en Belgique, en {summary.elapsed_s:.1f} s"
    )


@cli.command("seed", help=HELP["seed"])
def seed_command(
    scale: Annotated[Scale, typer.Option(help="region : Hauts-de-France ; national : toute la France")] = "region",
    seed: Annotated[int, typer.Option(help="Graine : même graine, mêmes données")] = 1,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Ne rien faire si la base contient déjà des mandataires")
    ] = False,
) -> None:
    """Load a synthetic demo register (synthetic names only) into an empty database."""
    from app.demo.seed import database_is_empty

    with database() as engine:
        with transaction(engine) as session:
            empty = database_is_empty(session)
        if not empty:
            if if_empty:
                typer.echo("base déjà peuplée : aucune donnée de démonstration chargée")
                return
            typer.echo(
                "la base contient déjà des mandataires : le jeu de démonstration demande une base vide", err=True
            )
            raise typer.Exit(2)
        _seed(engine, scale, seed)


@cli.command("demo", help=HELP["demo"])
def demo_command(
    tokens_file: Annotated[Path, typer.Option(help="Fichier où écrire un jeton par rôle")] = PROJECT_ROOT
    / "var"
    / "demo-tokens.txt",
) -> None:
    """Set up the demo: the Hauts-de-France register if the database is empty, the demo people (for the
    development sign-in of /connexion) and one token per role."""
    from app.demo.accounts import demo_accounts
    from app.demo.seed import database_is_empty
    from app.demo.tokens import demo_tokens
    from app.geo.gazetteer import load_gazetteer

    settings = get_settings()
    with database() as engine:
        with transaction(engine) as session:
            empty = database_is_empty(session)
        if empty:
            _seed(engine, "region", 1)
        with transaction(engine) as session:
            people = len(demo_accounts(session, gazetteer=load_gazetteer()))
        if empty or not tokens_file.exists():
            with transaction(engine) as session:
                lines = demo_tokens(
                    session, secret=settings.token_secret.get_secret_value(), gazetteer=load_gazetteer()
                )
            tokens_file.parent.mkdir(parents=True, exist_ok=True)
            tokens_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
            tokens_file.chmod(0o600)
    typer.echo(f"{people} personnes de démonstration : connexion en un clic sur /connexion")
    typer.echo(f"jetons de démonstration (un par rôle) : {tokens_file}")


@cli.command("expire", help=HELP["expire"])
def expire_command() -> None:
    """Expire unanswered reservations past their delay (freeing their places) and send reminders, now; safe to run
    alongside the scheduler or another `mjpm expire` (they wait for one another)."""
    from app.database import utcnow
    from app.scheduler.service import expire

    with database() as engine, transaction(engine) as session:
        summary = expire(session, get_settings(), utcnow())
    typer.echo(summary)


@audit_cli.command("purge", help=HELP["audit purge"])
def audit_purge_command() -> None:
    """Delete match requests and designation events older than AUDIT_RETENTION_DAYS, now."""
    from app.database import utcnow
    from app.scheduler.service import purge_audit

    with database() as engine, transaction(engine) as session:
        summary = purge_audit(session, get_settings(), utcnow())
    typer.echo(summary)


@cli.command("scheduler", help=HELP["scheduler"])
def scheduler_command() -> None:
    """Run the scheduled work in the foreground (expiry and reminders, notifications, audit purge), each job once
    per period whatever the number of processes: for deployments whose app runs with SCHEDULER_ENABLED=false."""
    from app.database import build_session_factory
    from app.matching.versioning import track_registry_changes
    from app.migrations import schema_at_head
    from app.observability import logging_config
    from app.scheduler.runner import run_forever

    logging.config.dictConfig(logging_config())  # JSON lines, as `mjpm serve`: one log collector for both
    track_registry_changes()
    with database() as engine:
        session_factory = build_session_factory(engine)
        run_forever(session_factory, get_settings(), partial(schema_at_head, session_factory))


@import_cli.command("mesures", help=HELP["import mesures"])
def import_mesures_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV (UTF-8 ou Windows-1252) ou XLSX")],
    mandataire: Annotated[int, typer.Option(help="Identifiant du mandataire dont ce sont les mesures")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Valider sans rien écrire")] = False,
) -> None:
    """Import a spreadsheet of measures (e-MJPM template columns), all or nothing, with a report per line."""
    from app.errors import DomainError
    from app.geo.gazetteer import load_gazetteer
    from app.geo.locate import GazetteerLocator
    from app.professionals.exceptions import RejectedImport
    from app.professionals.imports import import_file

    gazetteer = load_gazetteer()
    try:
        with progress_bars() as progress, database() as engine, transaction(engine) as session:
            report = import_file(
                session,
                gazetteer=gazetteer,
                locator=GazetteerLocator(gazetteer),
                settings=get_settings(),
                path=file,
                mandataire_id=mandataire,
                dry_run=dry_run,
                progress=progress,
            )
    except RejectedImport as rejection:
        report = rejection.report
    except DomainError as error:
        fail(error)
    for rejected in report.erreurs:
        column = f", colonne {rejected.colonne}" if rejected.colonne else ""
        typer.echo(f"ligne {rejected.ligne}{column} : {rejected.message} ({rejected.code})", err=True)
    for warning in report.avertissements:
        typer.echo(f"avertissement ligne {warning.ligne} : {warning.message}")
    outcome = "enregistré" if report.applique else "rien n'a été écrit"
    typer.echo(
        f"{report.lignes} ligne(s) : {report.created} créée(s), {report.updated} modifiée(s), "
        f"{report.unchanged} inchangée(s), {report.rejected} rejetée(s) ; {outcome}"
    )
    if report.erreurs:
        raise typer.Exit(1)


def _extract(path: Path | None) -> "Fichier | None":
    from app.finess.service import Fichier

    return None if path is None else Fichier(nom=path.name, contenu=path.read_bytes())


@finess_cli.command("import", help=HELP["finess import"])
def finess_import_command(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="Extraction des établissements (etalab-cs1100507-…csv)"),
    ],
    equipements: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Extraction des équipements sociaux (etalab-cs1100505-…csv)"),
    ] = None,
    entites_juridiques: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Extraction des entités juridiques (etalab-cs1100501-…csv)"),
    ] = None,
    essai: Annotated[bool, typer.Option("--essai", help="Valider et compter sans rien écrire")] = False,
) -> None:
    """Import the Ministry's FINESS extracts (data.gouv.fr, as published): establishments created or brought up to
    date by FINESS number, all or nothing, with a report per line."""
    from app.finess.exceptions import RejectedFinessImport
    from app.finess.service import Fichier, import_finess
    from app.geo.gazetteer import load_gazetteer

    try:
        with database() as engine, transaction(engine) as session:
            report = import_finess(
                session,
                gazetteer=load_gazetteer(),
                seuil=get_settings().prepose_obligation_places,
                etablissements=Fichier(nom=file.name, contenu=file.read_bytes()),
                equipements=_extract(equipements),
                entites_juridiques=_extract(entites_juridiques),
                essai=essai,
            )
    except RejectedFinessImport as rejection:
        report = rejection.report
    for rejected in report.erreurs:
        typer.echo(f"{rejected.fichier}, ligne {rejected.ligne} : {rejected.message} ({rejected.code})", err=True)
    for warning in report.avertissements:
        typer.echo(f"avertissement {warning.fichier}, ligne {warning.ligne} : {warning.message}")
    outcome = "enregistré" if report.applique else "rien n'a été écrit"
    typer.echo(
        f"{report.etablissements} établissement(s) lus, {report.retenus} retenu(s) : {report.crees} créé(s), "
        f"{report.modifies} modifié(s), {report.inchanges} inchangé(s), {report.ignores} ignoré(s) ; "
        f"{report.soumis_obligation} soumis à l'obligation d'un préposé ; {outcome}"
    )
    if report.erreurs:
        raise typer.Exit(1)


@notifications_cli.command("send", help=HELP["notifications send"])
def notifications_send_command(
    loop: Annotated[bool, typer.Option("--loop", help="Continuer à envoyer toutes les N secondes")] = False,
    interval: Annotated[float, typer.Option(help="Secondes entre deux passes avec --loop")] = 30.0,
) -> None:
    """Deliver pending notifications (log, SMTP, webhook), with retries and backoff."""
    from app.notifications.commands import send_notifications

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s : %(message)s")
    report = send_notifications(get_settings(), once=not loop, interval_s=interval)
    typer.echo(f"{report.sent} envoyée(s), {report.retried} à réessayer, {report.failed} en échec")


@cli.command("serve", help=HELP["serve"])
def serve_command(
    host: Annotated[str, typer.Option(envvar="HOST", help="Adresse d'écoute")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port d'écoute")] = 8000,
) -> None:
    """Serve the API with uvicorn: WEB_CONCURRENCY worker processes, X-Forwarded-* headers believed from
    FORWARDED_ALLOW_IPS, JSON logs on stdout (one line per request)."""
    import uvicorn

    from app.observability import logging_config

    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="mjpm-metrics-") as metrics_dir:
        if settings.web_concurrency > 1:
            # Read by prometheus_client in each worker (spawned afterwards): /metrics adds up every worker.
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=settings.web_concurrency,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            log_config=logging_config(),
            access_log=False,  # app.observability writes one line per request, with its id
            timeout_worker_healthcheck=settings.worker_start_timeout_s,
        )


def _poids(text: str | None) -> dict[str, float] | None:
    """`distance=0.4,capacite=0.3`: the weights given, the engine's defaults for the others."""
    from app.matching.engine import Weights

    if text is None:
        return None
    weights = Weights().as_dict()
    for pair in text.split(","):
        name, _, value = pair.partition("=")
        if name.strip() not in weights:
            raise typer.BadParameter(
                f"poids inconnu : {name.strip()} (parmi {', '.join(weights)})", param_hint="--poids"
            )
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise typer.BadParameter(
                f"valeur non numérique pour {name.strip()} : {value}", param_hint="--poids"
            ) from None
    return weights


@cli.command("simulate", help=HELP["simulate"])
def simulate_command(
    region: Annotated[str | None, typer.Option(help="Code INSEE de la région simulée (32 : Hauts-de-France)")] = None,
    departement: Annotated[str | None, typer.Option(help="Code du département simulé")] = None,
    annees: Annotated[int, typer.Option(min=1, max=10, help="Nombre d'années simulées")] = 1,
    arrivees: Annotated[
        int | None, typer.Option(min=1, help="Nouvelles mesures la première année (défaut : celles de l'an passé)")
    ] = None,
    croissance: Annotated[float, typer.Option(help="Croissance annuelle des arrivées (0.03 : 3 %)")] = 0.0,
    graine: Annotated[int, typer.Option(min=0, help="Graine du tirage : même graine, mêmes arrivées")] = 1,
    strategie: Annotated[
        list[str] | None,
        typer.Option(
            help="Stratégie à simuler, répétable : moteur, places_libres, plus_proche, frontiere (défaut : toutes)"
        ),
    ] = None,
    poids: Annotated[
        str | None, typer.Option(help="Poids d'un moteur supplémentaire, ex. « distance=0.4,capacite=0.3 »")
    ] = None,
    format: Annotated[SimulationFormat, typer.Option(help="Sortie : table, json ou csv")] = "table",
    png: Annotated[Path | None, typer.Option(help="Écrire aussi le graphique PNG dans ce fichier")] = None,
    comparer: Annotated[
        bool,
        typer.Option(
            "--comparer",
            help="La comparaison de docs/simulation.md : un an, les quatre stratégies ; en Hauts-de-France avec "
            "1 500 arrivées sauf territoire donné, pour la France entière (--france) avec les arrivées de l'an passé",
        ),
    ] = False,
    france: Annotated[
        bool, typer.Option("--france", help="Simuler la France entière (tous les départements à la fois)")
    ] = False,
    detail: Annotated[
        Detail | None,
        typer.Option(
            help="Détailler aussi par région ou par département (avec --format csv : ce détail seul) ; "
            "par région par défaut avec --france"
        ),
    ] = None,
) -> None:
    """Simuler les désignations des prochaines années sur un territoire, sans rien modifier au registre : le moteur
    de classement, les deux tris d'e-MJPM (places libres, plus proche) et le plus proche ayant de la place."""
    from pydantic import ValidationError

    from app.auth.principal import Principal
    from app.dashboards.perimeter import Filtres, resolve_perimetre
    from app.database import build_session_factory, utcnow
    from app.errors import DomainError
    from app.geo.gazetteer import load_gazetteer
    from app.planning import exports as simulation_exports
    from app.planning.schemas import SimulationIn
    from app.planning.service import run_simulation

    if france and (region or departement):
        typer.echo("erreur (france) : --france simule tous les départements, sans --region ni --departement", err=True)
        raise typer.Exit(2)
    if france:
        detail = detail or "region"
    if comparer:
        if not france:
            region = region if region or departement else COMPARISON_REGION
            arrivees = arrivees or COMPARISON_ARRIVALS
        annees, strategie = 1, None
    gazetteer = load_gazetteer()
    try:
        parametres = SimulationIn(
            annees=annees,
            arrivees=arrivees,
            croissance=croissance,
            graine=graine,
            **({"strategies": strategie} if strategie else {}),
            poids=_poids(poids),
        )
    except ValidationError as error:
        for problem in error.errors():
            field = ".".join(str(part) for part in problem["loc"])
            typer.echo(f"erreur ({field}) : {problem['msg']}", err=True)
        raise typer.Exit(2) from None
    admin = Principal(token_id=None, role=Role.ADMIN, departements=None)
    try:
        with database() as engine, build_session_factory(engine)() as session:
            perimetre = resolve_perimetre(
                session, gazetteer, admin, Filtres(region=region, departement=departement), now=utcnow()
            )
            simulation = run_simulation(
                session,
                gazetteer=gazetteer,
                settings=get_settings(),
                departements=frozenset(perimetre.codes(gazetteer)),
                parametres=parametres,
                now=perimetre.now,
            )
    except DomainError as error:
        fail(error)
    territories = gazetteer.regions if detail == "region" else gazetteer.departements
    names = {code: territory.nom for code, territory in territories.items()}
    if format == "json":
        typer.echo(json.dumps(simulation, ensure_ascii=False, indent=2))
    elif format == "csv":
        table = (
            simulation_exports.detail_csv_bytes(simulation, detail, names)
            if detail
            else simulation_exports.csv_bytes(simulation)
        )
        typer.echo(table.decode("utf-8-sig"), nl=False)
    else:
        typer.echo(simulation_exports.text_table(simulation, detail, names))
    if png is not None:
        png.write_bytes(simulation_exports.png_bytes(simulation))
        typer.echo(f"graphique écrit : {png}", err=True)


def openapi_document() -> str:
    from app.main import create_app

    return json.dumps(create_app().openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@cli.command("openapi", help=HELP["openapi"])
def export_openapi(output: Annotated[Path, typer.Option(help="Fichier à écrire")] = OPENAPI_PATH) -> None:
    """Write the API contract (the committed openapi/openapi.json is checked against the code by a test)."""
    output.write_text(openapi_document(), encoding="utf-8")
    typer.echo(f"écrit : {output}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
