"""Dashboards benchmark on the national demo register, on SQLite and PostgreSQL side by side.

    .venv/bin/python benchmarks/dashboards_bench.py [--requests 30] [--formats] [--databases sqlite,postgresql]

For each database, starts a uvicorn server on 127.0.0.1 (one worker, the national database of `benchmarks.common`)
and times each dashboard endpoint for a national query with an admin token, over HTTP; prints p50 (and p90) per
endpoint and database, plus a regional agent's query of the heaviest tables. `--formats` also times the CSV and
XLSX exports. Target (issues "Dashboards" and "Runs unattended"): slowest national p50 <= 200 ms on both databases.
"""

import argparse
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.auth.constants import Role  # noqa: E402
from app.config import Settings  # noqa: E402
from app.geo.gazetteer import load_gazetteer  # noqa: E402
from app.tokens.service import issue_token  # noqa: E402
from benchmarks.common import (  # noqa: E402
    add_database_argument,
    chosen,
    national_database,
    national_url,
    percentile,
    running_server,
    servers,
    side_by_side,
)

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
    "/tableaux-de-bord/annees",
    "/tableaux-de-bord/annees?par=region",
    "/tableaux-de-bord/implantation",
    "/tableaux-de-bord/dpf",
    "/tableaux-de-bord/charge-professionnels",
]
REGIONAL = [  # an agent of Hauts-de-France
    "/tableaux-de-bord/charge",
    "/tableaux-de-bord/couverture",
    "/tableaux-de-bord/flux",
    "/tableaux-de-bord/annees",
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


def run(url: str, args: argparse.Namespace) -> dict[str, list[tuple[str, float, float]]]:
    db = national_database(url)
    settings = Settings(database_url=url)
    with sessionmaker(bind=db).begin() as session:
        tokens = {
            scope: issue_token(
                session,
                secret=settings.token_secret.get_secret_value(),
                gazetteer=load_gazetteer(),
                role=role,
                nom="benchmark",
                **extra,
            )[0]
            for scope, role, extra in (("admin", Role.ADMIN, {}), ("agent", Role.AGENT, {"region": "32"}))
        }
    db.dispose()

    with running_server(url) as client:
        results = {
            "national (admin)": time_paths(client, tokens["admin"], ENDPOINTS, args.requests),
            "Hauts-de-France agent": time_paths(client, tokens["agent"], REGIONAL, args.requests),
            "exports (admin)": [],
        }
        if args.formats:
            for suffix in (".csv", ".xlsx"):
                paths = [p.replace("?", suffix + "?") if "?" in p else p + suffix for p in EXPORTS]
                results["exports (admin)"] += time_paths(client, tokens["admin"], paths, max(5, args.requests // 3))
        results["reference"] = time_paths(client, tokens["admin"], ["/healthz"], args.requests)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per endpoint")
    parser.add_argument("--formats", action="store_true", help="also time the CSV and XLSX exports")
    add_database_argument(parser)
    args = parser.parse_args()
    names = chosen(args)
    with servers(names) as found:
        results = {name: run(national_url(name, found[name]), args) for name in names}

    print(f"uvicorn on 127.0.0.1, {args.requests} timed requests per endpoint after 2 warm-ups; p50 (p90) in ms")
    for title in results[names[0]]:
        count = len(results[names[0]][title])
        if not count:
            continue
        rows = [
            (
                results[names[0]][title][i][0],
                {name: f"{results[name][title][i][1]:.1f} ({results[name][title][i][2]:.0f})" for name in names},
            )
            for i in range(count)
        ]
        print(side_by_side(f"-- {title}", rows, names, width=84))
    worst = {name: max(p50 for _, p50, _ in results[name]["national (admin)"]) for name in names}
    print(
        side_by_side(
            "slowest national p50 (target <= 200 ms)", [("", {n: f"{worst[n]:.1f}" for n in names})], names, width=84
        )
    )


if __name__ == "__main__":
    main()
