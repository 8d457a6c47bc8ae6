"""Bulk measures benchmark: `POST /mesures/lot` against a raw SQLAlchemy Core insert of the same rows, on SQLite and
PostgreSQL side by side.

    .venv/bin/python benchmarks/bulk_bench.py [--batches 100] [--size 1000] [--databases sqlite,postgresql]

On each database both sides start from the same fresh scratch database (SQLite: var/bench-bulk-api.db and
var/bench-bulk-raw.db; PostgreSQL: bench_bulk_api and bench_bulk_raw), set up alike: schema, tribunals, one
professional with two antennes. The API side is a uvicorn server on
127.0.0.1 (one worker, as `./scripts/run` runs it) receiving the batches one after the other over HTTP (bodies
encoded beforehand; each batch is one transaction). After each batch, the rows it stored are read back (untimed)
and inserted into the raw copy with `connection.execute(insert(mesure), rows)` in one transaction, so both sides
insert the very same rows into tables of the same size and run in the same machine state. Also printed: the
same batches sent again (every measure `unchanged`, nothing written).
Target (issue "Professionals' API"): the API at least a third of the raw throughput.
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.auth.constants import Role  # noqa: E402
from app.auth.principal import Principal  # noqa: E402
from app.config import Settings  # noqa: E402
from app.database import build_engine  # noqa: E402
from app.geo.gazetteer import load_gazetteer  # noqa: E402
from app.geo.repository import sync_tribunaux  # noqa: E402
from app.registry import service  # noqa: E402
from app.registry.models import Mesure  # noqa: E402
from app.registry.schemas import MandataireCreate  # noqa: E402
from app.tokens.service import issue_token  # noqa: E402
from benchmarks.common import (  # noqa: E402
    VAR,
    add_database_argument,
    chosen,
    percentile,
    postgres_database,
    rows_of,
    running_server,
    servers,
    side_by_side,
    upgrade,
)

TRIBUNALS = ["17590111500709", "17590111500576", "17590111500170"]  # Lille, Douai, Valenciennes (Nord)
PLACES = [("59000", "LILLE"), ("59100", "ROUBAIX"), ("59200", "Tourcoing"), ("59500", "Douai"), ("59300", None)]
NATURES = ["curatelle_renforcee"] * 4 + ["tutelle"] * 3 + ["curatelle_simple", "sauvegarde_justice"]
LIEUX = ["domicile"] * 3 + ["etablissement", "etablissement_conservation_domicile"]
CHAMPS = ["protection_bien_personne", "protection_bien", "protection_personne", None]


def fresh_url(kind: str, server: str, name: str) -> str:
    """An empty scratch database named `name` (`bench_bulk_api`, `bench_bulk_raw`)."""
    if kind == "postgresql":
        return postgres_database(server, name, fresh=True)
    path = VAR / f"{name.replace('_', '-')}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def set_up(url: str) -> tuple[str, list[int]]:
    """A fresh database with one professional; returns its token and its antennes (the same on every database)."""
    engine = build_engine(url)
    upgrade(engine)
    gazetteer = load_gazetteer().read_all()  # every file read now, outside the timings
    settings = Settings(database_url=url)
    with sessionmaker(bind=engine).begin() as session:
        sync_tribunaux(session, gazetteer)
        mandataire = service.create_mandataire(
            session,
            principal=Principal(token_id=0, role=Role.ADMIN, departements=None),
            gazetteer=gazetteer,
            payload=MandataireCreate(
                type="service",
                nom="Association tutélaire de démonstration",
                natures=["curatelle_simple", "curatelle_renforcee", "tutelle", "sauvegarde_justice"],
                departements=["59"],
                sites=[{"nom": "Siège", "insee": "59350"}, {"nom": "Antenne", "insee": "59178"}],
                capacite=20_000,
            ),
        )
        sites = [site.id for site in mandataire.sites]
        token = issue_token(
            session,
            secret=settings.token_secret.get_secret_value(),
            gazetteer=gazetteer,
            role=Role.MANDATAIRE,
            mandataire_id=mandataire.id,
        )[0]
    engine.dispose()
    return token, sites


def batches(count: int, size: int, sites: list[int]) -> list[list[dict]]:
    rng = random.Random(7)
    result = []
    for b in range(count):
        batch = []
        for n in range(size):
            code, ville = rng.choice(PLACES)
            measure = {
                "numero_rg": f"{b:03d}/{n:05d}",
                "tribunal_siret": rng.choice(TRIBUNALS),
                "nature_mesure": rng.choice(NATURES),
                "champ_mesure": rng.choice(CHAMPS),
                "lieu_vie": rng.choice(LIEUX),
                "code_postal": code,
                "pays": "FR",
                "civilite": rng.choice(["madame", "monsieur"]),
                "annee_naissance": rng.randint(1925, 2000),
                "date_nomination": f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "numero_dossier": f"D{b}-{n}",
                "antenne_id": rng.choice([None, *sites]),
            }
            if ville:
                measure["ville"] = ville
            if rng.random() < 0.05:
                measure["code_postal"], measure["pays"], measure["ville"] = "7500", "BE", "Tournai"
            if rng.random() < 0.1:
                measure["cause_sortie"], measure["date_fin_mesure"] = "deces", "2025-01-15"
            batch.append(measure)
        result.append(batch)
    return result


def bench(api_url: str, raw_url: str, token: str, bodies: list[bytes]) -> tuple[list[float], list[float], list[float]]:
    """Interleaved, so both sides see the same machine state: API batch i over HTTP, then the raw insert of the
    rows that batch stored (read back from the API's file, untimed) into the raw copy. Then the batches again."""
    table = Mesure.__table__
    columns = [c for c in table.c if c.name != "id"]
    api_db, raw_db = build_engine(api_url), build_engine(raw_url)
    api_ms, raw_ms, again_ms = [], [], []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        with running_server(api_url, timeout_s=120) as client:
            # Warm-up through every code path, writing nothing: a strict batch with one invalid measure.
            warm = json.loads(bodies[0])["mesures"][:50] + [{"numero_rg": "x"}]
            client.post("/mesures/lot", json={"mesures": warm}, params={"strict": "true"}, headers=headers)
            for body in bodies:
                started = time.perf_counter()
                response = client.post("/mesures/lot", content=body, headers=headers)
                api_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text[:500]
                report = response.json()
                assert report["created"] == len(report["resultats"]), report["rejected"]
                ids = [item["id"] for item in report["resultats"]]
                with api_db.connect() as connection:
                    query = select(*columns).where(table.c.id.in_(ids)).order_by(table.c.id)
                    rows = [dict(row._mapping) for row in connection.execute(query)]
                started = time.perf_counter()
                with raw_db.begin() as connection:
                    connection.execute(insert(table), rows)
                raw_ms.append((time.perf_counter() - started) * 1000)
            for body in bodies:
                started = time.perf_counter()
                response = client.post("/mesures/lot", content=body, headers=headers)
                again_ms.append((time.perf_counter() - started) * 1000)
                assert response.json()["unchanged"] == len(response.json()["resultats"])
        return api_ms, raw_ms, again_ms
    finally:
        api_db.dispose()
        raw_db.dispose()


def run(kind: str, server: str, args: argparse.Namespace) -> dict:
    api_url, raw_url = fresh_url(kind, server, "bench_bulk_api"), fresh_url(kind, server, "bench_bulk_raw")
    token, sites = set_up(api_url)
    set_up(raw_url)
    bodies = [json.dumps({"mesures": batch}).encode() for batch in batches(args.batches, args.size, sites)]
    api_ms, raw_ms, again_ms = bench(api_url, raw_url, token, bodies)
    measures = args.batches * args.size
    return {
        "api": api_ms,
        "raw": raw_ms,
        "again": again_ms,
        "api_rate": measures / (sum(api_ms) / 1000),
        "raw_rate": measures / (sum(raw_ms) / 1000),
        "again_rate": measures / (sum(again_ms) / 1000),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--size", type=int, default=1000)
    add_database_argument(parser)
    args = parser.parse_args()
    names = chosen(args)
    with servers(names) as found:
        results = {name: run(name, found[name], args) for name in names}

    row = rows_of(results)

    print(f"POST /mesures/lot, uvicorn on 127.0.0.1 (1 worker), {args.batches} batches of {args.size} measures")
    print(
        side_by_side(
            "figure",
            [
                row("API: measures/s", lambda r: f"{r['api_rate']:,.0f}"),
                row("API: per batch p50", lambda r: f"{percentile(r['api'], 50):.0f} ms"),
                row("API: per batch p99", lambda r: f"{percentile(r['api'], 99):.0f} ms"),
                row("raw Core insert of the same rows: measures/s", lambda r: f"{r['raw_rate']:,.0f}"),
                row("raw: per batch p50", lambda r: f"{percentile(r['raw'], 50):.0f} ms"),
                row("ratio API / raw (target >= 0.33)", lambda r: f"{r['api_rate'] / r['raw_rate']:.2f}"),
                row("same batches again (all unchanged): measures/s", lambda r: f"{r['again_rate']:,.0f}"),
            ],
            names,
            width=50,
        )
    )


if __name__ == "__main__":
    main()
