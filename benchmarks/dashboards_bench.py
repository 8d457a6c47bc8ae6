"""Dashboards benchmark on the national demo register.

    .venv/bin/python benchmarks/dashboards_bench.py [--requests 30] [--formats]

Starts a uvicorn server on 127.0.0.1 (one worker, the national database of `benchmarks.common`) and times each
dashboard endpoint for a national query with an admin token, over HTTP; prints p50 and p90 per endpoint, plus a
regional agent's query of the heaviest tables. `--formats` also times the CSV and XLSX exports.
Target (issue "Dashboards"): p50 <= 200 ms for a national query.
"""

import argparse
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.auth.constants import Role  # noqa: E402
from app.auth.service import create_token  # noqa: E402
from app.config import Settings  # noqa: E402
from app.geo.gazetteer import load_gazetteer  # noqa: E402
from benchmarks.common import national_database, percentile, running_server  # noqa: E402

TARGET_MS = 200.0
ENDPOINTS = [
    "/tableaux-de-bord/charge",
    "/tableaux-de-bord/charge?par=region",
    "/tableaux-de-bord/tension",
    "/tableaux-de-bord/couverture?nature=curatelle_renforcee&distance_km=60",
    "/tableaux-de-bord/couverture?nature=mesure_accompagnement_judiciaire&distance_km=20",
    "/tableaux-de-bord/histogramme-individuels",
    "/tableaux-de-bord/flux",
    "/tableaux-de-bord/flux?debut=2021-01-01",
    "/tableaux-de-bord/belgique",
    "/tableaux-de-bord/fraicheur",
    "/tableaux-de-bord/fraicheur?par=mandataire",
    "/tableaux-de-bord/preposes",
]
REGIONAL = [  # an agent of Hauts-de-France
    "/tableaux-de-bord/charge",
    "/tableaux-de-bord/couverture",
    "/tableaux-de-bord/flux",
]
EXPORTS = ["/tableaux-de-bord/charge", "/tableaux-de-bord/couverture?distance_km=30", "/tableaux-de-bord/preposes"]


def time_paths(client: httpx.Client, token: str, paths: list[str], count: int) -> list[tuple[str, float, float]]:
    headers = {"Authorization": f"Bearer {token}"}
    results = []
    for path in paths:
        for _ in range(2):  # warm-up: caches of the reference geography, database pages
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results.append((path, percentile(timings, 50), percentile(timings, 90)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per endpoint")
    parser.add_argument("--formats", action="store_true", help="also time the CSV and XLSX exports")
    args = parser.parse_args()

    url, db = national_database()
    settings = Settings(database_url=url)
    with sessionmaker(bind=db).begin() as session:
        tokens = {
            scope: create_token(
                session,
                secret=settings.token_secret.get_secret_value(),
                gazetteer=load_gazetteer(),
                role=role,
                nom="benchmark",
                **extra,
            )
            for scope, role, extra in (("admin", Role.ADMIN, {}), ("agent", Role.AGENT, {"region": "32"}))
        }
    db.dispose()

    with running_server(url) as client:
        national = time_paths(client, tokens["admin"], ENDPOINTS, args.requests)
        regional = time_paths(client, tokens["agent"], REGIONAL, args.requests)
        exports = []
        if args.formats:
            for suffix in (".csv", ".xlsx"):
                paths = [p.replace("?", suffix + "?") if "?" in p else p + suffix for p in EXPORTS]
                exports += time_paths(client, tokens["admin"], paths, max(5, args.requests // 3))
        health = time_paths(client, tokens["admin"], ["/healthz"], args.requests)

    print(f"uvicorn on 127.0.0.1, {args.requests} timed requests per endpoint after 2 warm-ups, database {url}")
    print(f"{'endpoint':<80} {'p50 ms':>8} {'p90 ms':>8}")
    for title, rows in (
        ("national (admin)", national),
        ("Hauts-de-France agent", regional),
        ("exports (admin)", exports),
        ("reference", health),
    ):
        if not rows:
            continue
        print(f"-- {title}")
        for path, p50, p90 in rows:
            flag = "" if p50 <= TARGET_MS or title == "exports (admin)" else "  > target"
            print(f"{path:<80} {p50:8.1f} {p90:8.1f}{flag}")
    worst = max(p50 for _, p50, _ in national)
    print(f"slowest national p50: {worst:.1f} ms (target <= {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
