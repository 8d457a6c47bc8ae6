"""Matching benchmark on the national demo register, on SQLite and PostgreSQL side by side.

    .venv/bin/python benchmarks/match_bench.py [--requests 1000] [--http-requests 300] [--databases sqlite,postgresql]

Prints, per database: the engine's p50/p99 over random requests (pure code: index and live loads in memory) and the
memory of the index; HTTP `/match` and the readiness route (`/readyz`: one database round trip) p50 and p99,
measured interleaved in the same run against a uvicorn server on 127.0.0.1, and their ratios; `/match` throughput
with one uvicorn worker and with two, driven by four client processes.
Targets (issues "Matching engine" and "Runs unattended"): engine p99 <= 2 ms; index <= 50 MB; /match p50 <= 2.5 x
readiness p50 and p99 <= 4 x readiness p99, on both databases; throughput with 2 workers >= 1.6 x one worker.
"""

import argparse
import gc
import multiprocessing
import random
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.auth.constants import Role  # noqa: E402
from app.config import Settings  # noqa: E402
from app.database import utcnow  # noqa: E402
from app.geo.gazetteer import load_gazetteer  # noqa: E402
from app.geo.models import Tribunal  # noqa: E402
from app.matching import engine  # noqa: E402
from app.matching.repository import build_index, live_loads  # noqa: E402
from app.matching.service import TUNING  # noqa: E402
from app.tokens.service import issue_token  # noqa: E402
from benchmarks.common import (  # noqa: E402
    UVICORN,
    add_database_argument,
    chosen,
    national_database,
    national_url,
    percentile,
    readiness_path,
    rows_of,
    running_server,
    servers,
    side_by_side,
)

NATURES = (
    ["curatelle_renforcee"] * 5
    + ["tutelle"] * 4
    + ["curatelle_simple", "sauvegarde_justice", "mesure_accompagnement_judiciaire"]
)
NEEDS = ["psychiatrie", "handicap", "personnes_agees", "situations_complexes", "fin_de_vie"]


def random_requests(rng: random.Random, tribunals: list[Tribunal], count: int) -> list[dict]:
    gazetteer = load_gazetteer()
    by_departement: dict[str, list] = {}
    for commune in gazetteer.communes.values():
        by_departement.setdefault(commune.departement, []).append(commune)
    requests = []
    for _ in range(count):
        tribunal = rng.choice(tribunals)
        communes = by_departement[tribunal.departement]
        commune = rng.choices(communes, weights=[c.population + 1 for c in communes])[0]
        requests.append(
            {
                "tribunal": tribunal.siret or tribunal.code,
                "tribunal_row": tribunal,
                "nature": rng.choice(NATURES),
                "residence": {"insee": commune.insee},
                "point": (commune.lat, commune.lon),
                "lieu_vie": rng.choice(["domicile", "domicile", "etablissement"]),
                "besoins": rng.sample(NEEDS, rng.randint(0, 2)),
                "annee_naissance": rng.randint(1925, 2005),
            }
        )
    return requests


def engine_query(request: dict, now) -> engine.Query:
    tribunal = request["tribunal_row"]
    return engine.Query(
        tribunal_id=tribunal.id,
        tribunal_departement=tribunal.departement,
        nature=request["nature"],
        lat=request["point"][0],
        lon=request["point"][1],
        pays="FR",
        lieu_vie=request["lieu_vie"],
        today=now.date(),
        now=now,
        besoins=frozenset(request["besoins"]),
        annee_naissance=request["annee_naissance"],
    )


def bench_engine(session, requests: list[dict]) -> tuple[list[float], float, int]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    index = build_index(session, today=utcnow().date())
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    index_bytes = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    now = utcnow()
    loads = live_loads(session, list(index.profiles), since=now - timedelta(days=TUNING.equity_window_days))
    weights = engine.Weights()
    timings = []
    for request in requests:
        query = engine_query(request, now)
        started = time.perf_counter()
        passing, exclusions = index.candidates(query)
        engine.rank(len(index.profiles), exclusions, [(p, loads[p.id]) for p in passing], query, weights, TUNING)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, index_bytes / 1e6, len(index.profiles)


def bench_http(url: str, token: str, requests: list[dict], count: int, command: list[str] = UVICORN) -> dict:
    """Interleaved `/match` and readiness requests (both see the same machine state): their latencies in ms."""
    headers = {"Authorization": f"Bearer {token}"}
    with running_server(url, command=command) as client:
        ready = readiness_path(client)
        bodies = [http_body(r) for r in requests[:count]]
        for body in bodies[:20]:  # builds the index and warms the connection pool before timing
            client.post("/match", json=body, headers=headers)
            client.get(ready)
        match_ms, ready_ms = [], []
        for body in bodies:
            started = time.perf_counter()
            response = client.post("/match", json=body, headers=headers)
            match_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            started = time.perf_counter()
            assert client.get(ready).status_code == 200
            ready_ms.append((time.perf_counter() - started) * 1000)
    return {"match": match_ms, "ready": ready_ms, "ready_path": ready}


def http_body(request: dict) -> dict:
    return {k: v for k, v in request.items() if k not in ("tribunal_row", "point")}


def _client_loop(arguments: tuple[str, str, list[dict]]) -> int:
    base_url, token, bodies = arguments
    import httpx

    with httpx.Client(base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
        for body in bodies:
            response = client.post("/match", json=body)
            assert response.status_code == 200, (response.status_code, response.text[:300])
    return len(bodies)


def bench_throughput(url: str, token: str, requests: list[dict], count: int, workers: int, clients: int = 4) -> float:
    """`/match` requests per second with `workers` uvicorn processes, driven by `clients` client processes (so the
    load generator's own interpreter lock does not cap the figure)."""
    command = [*UVICORN, "--workers", str(workers)]
    bodies = [http_body(r) for r in requests[:count]]
    with running_server(url, command=command) as client:
        base_url = str(client.base_url)
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            # Warm every worker (each builds its own index) before timing.
            pool.map(_client_loop, [(base_url, token, bodies[:10]) for _ in range(clients * workers)])
            started = time.perf_counter()
            done = sum(pool.map(_client_loop, [(base_url, token, bodies[i::clients]) for i in range(clients)]))
            return done / (time.perf_counter() - started)


def benchmark_token(session, settings: Settings) -> str:
    secret = settings.token_secret.get_secret_value()
    return issue_token(session, secret=secret, gazetteer=load_gazetteer(), role=Role.ADMIN, nom="benchmark")[0]


def run(url: str, args: argparse.Namespace) -> dict:
    db = national_database(url)
    rng = random.Random(42)
    settings = Settings(database_url=url)
    with sessionmaker(bind=db).begin() as session:
        tribunals = list(session.scalars(select(Tribunal).order_by(Tribunal.id)))
        requests = random_requests(rng, tribunals, args.requests)
        engine_ms, index_mb, professionals = bench_engine(session, requests)
        token = benchmark_token(session, settings)
    db.dispose()
    http = bench_http(url, token, requests, args.http_requests)
    one = bench_throughput(url, token, requests, args.throughput_requests, workers=1)
    two = bench_throughput(url, token, requests, args.throughput_requests, workers=2)
    return {
        "professionals": professionals,
        "index_mb": index_mb,
        "engine": engine_ms,
        **http,
        "rps1": one,
        "rps2": two,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--http-requests", type=int, default=300)
    parser.add_argument("--throughput-requests", type=int, default=400)
    add_database_argument(parser)
    args = parser.parse_args()
    names = chosen(args)

    results = {}
    with servers(names) as found:
        for name in names:
            results[name] = run(national_url(name, found[name]), args)

    row = rows_of(results)

    def ratio(r, q):
        return percentile(r["match"], q) / percentile(r["ready"], q)

    ready = {results[n]["ready_path"] for n in names}
    print(
        f"national register, uvicorn on 127.0.0.1; readiness route {', '.join(sorted(ready))}; "
        f"{args.http_requests} interleaved HTTP requests, {args.throughput_requests} for each throughput figure"
    )
    print(
        side_by_side(
            "figure",
            [
                row("professionals in the index", lambda r: f"{r['professionals']}"),
                row("index memory (target <= 50 MB)", lambda r: f"{r['index_mb']:.1f} MB"),
                row("engine p50", lambda r: f"{percentile(r['engine'], 50):.3f} ms"),
                row("engine p99 (target <= 2 ms)", lambda r: f"{percentile(r['engine'], 99):.3f} ms"),
                row("/match p50", lambda r: f"{percentile(r['match'], 50):.2f} ms"),
                row("/match p99", lambda r: f"{percentile(r['match'], 99):.2f} ms"),
                row("readiness p50", lambda r: f"{percentile(r['ready'], 50):.2f} ms"),
                row("readiness p99", lambda r: f"{percentile(r['ready'], 99):.2f} ms"),
                row("/match p50 / readiness p50 (target <= 2.5)", lambda r: f"{ratio(r, 50):.2f}"),
                row("/match p99 / readiness p99 (target <= 4)", lambda r: f"{ratio(r, 99):.2f}"),
                row("/match throughput, 1 worker", lambda r: f"{r['rps1']:.0f} req/s"),
                row("/match throughput, 2 workers", lambda r: f"{r['rps2']:.0f} req/s"),
                row("2 workers / 1 worker (target >= 1.6)", lambda r: f"{r['rps2'] / r['rps1']:.2f}"),
            ],
            names,
            width=48,
        )
    )


if __name__ == "__main__":
    main()
