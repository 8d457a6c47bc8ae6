"""Matching benchmark on the national demo register.

    .venv/bin/python benchmarks/match_bench.py [--requests 1000] [--http-requests 300]

Prints: engine p50/p99 over random requests (pure code: index and live loads in memory), HTTP `/match` p50 and
`/healthz` p50 measured in the same run against a uvicorn server on 127.0.0.1, their ratio, and the memory of
the index. Targets (issue "Matching engine"): engine p99 <= 2 ms; /match p50 <= 2 x /healthz p50; index <= 50 MB.
"""

import argparse
import gc
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
from app.auth.service import create_token  # noqa: E402
from app.config import Settings  # noqa: E402
from app.database import utcnow  # noqa: E402
from app.geo.gazetteer import load_gazetteer  # noqa: E402
from app.geo.models import Tribunal  # noqa: E402
from app.matching import engine  # noqa: E402
from app.matching.repository import build_index, live_loads  # noqa: E402
from app.matching.service import TUNING  # noqa: E402
from benchmarks.common import UVICORN, national_database, percentile, running_server  # noqa: E402

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


def bench_http(
    url: str, token: str, requests: list[dict], count: int, command: list[str] = UVICORN
) -> tuple[list[float], list[float]]:
    headers = {"Authorization": f"Bearer {token}"}
    with running_server(url, command=command) as client:
        bodies = [{k: v for k, v in r.items() if k not in ("tribunal_row", "point")} for r in requests[:count]]
        client.post("/match", json=bodies[0], headers=headers)  # builds the index once, before timing
        match_ms, health_ms = [], []
        for body in bodies:  # interleaved, so both see the same machine state
            started = time.perf_counter()
            response = client.post("/match", json=body, headers=headers)
            match_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            started = time.perf_counter()
            client.get("/healthz")
            health_ms.append((time.perf_counter() - started) * 1000)
    return match_ms, health_ms


def benchmark_token(session, settings: Settings) -> str:
    secret = settings.token_secret.get_secret_value()
    return create_token(session, secret=secret, gazetteer=load_gazetteer(), role=Role.ADMIN, nom="benchmark")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--http-requests", type=int, default=300)

    args = parser.parse_args()

    url, db = national_database()
    rng = random.Random(42)
    settings = Settings(database_url=url)
    with sessionmaker(bind=db).begin() as session:
        tribunals = list(session.scalars(select(Tribunal).order_by(Tribunal.id)))
        requests = random_requests(rng, tribunals, args.requests)
        engine_ms, index_mb, professionals = bench_engine(session, requests)
        token = benchmark_token(session, settings)
    match_ms, health_ms = bench_http(url, token, requests, args.http_requests)
    db.dispose()

    lines = [
        f"professionals in the index: {professionals}",
        f"index memory: {index_mb:.1f} MB (target <= 50 MB)",
        f"engine over {len(engine_ms)} random requests: p50 {percentile(engine_ms, 50):.3f} ms, "
        f"p99 {percentile(engine_ms, 99):.3f} ms (target p99 <= 2 ms)",
        f"HTTP over {len(match_ms)} requests: /match p50 {percentile(match_ms, 50):.2f} ms, "
        f"/healthz p50 {percentile(health_ms, 50):.2f} ms, "
        f"ratio {percentile(match_ms, 50) / percentile(health_ms, 50):.2f} (target <= 2)",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
