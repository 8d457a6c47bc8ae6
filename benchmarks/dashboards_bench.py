"""Dashboards benchmark on the national demo register, on SQLite and PostgreSQL side by side.

    .venv/bin/python benchmarks/dashboards_bench.py [--requests 30] [--formats] [--new-only | --older-only]
        [--only annees,objectifs] [--databases sqlite,postgresql]

For each database, starts a uvicorn server on 127.0.0.1 (one worker, the national database of `benchmarks.common`)
and times each dashboard endpoint over HTTP, for a national query with an admin token and a regional one with the
token of an agent of Hauts-de-France; prints p50 (and p90) per endpoint and database. The tables of issue 18
(annees, implantation, dpf, charge-professionnels, objectifs, preposes) are timed in JSON, CSV and XLSX, nationally
and regionally; `--formats` also times the CSV and XLSX exports of the older tables, `--new-only` skips those,
`--older-only` times only them; `--only` keeps the tables whose names are given (comma-separated).
Before timing, the schéma's targets are recorded once through `POST /schema/objectifs` (every indicator in every
département, the register's value as the starting point) so that `objectifs` has rows to compute, and, where no
service declared its ETP yet, every service declares ETP for two years through `PUT /mandataires/{id}/etp/{année}`
so that the per-ETP figures (`dpf`, `charge-professionnels`) have declarations to share.
Targets: slowest national p50 <= 200 ms for the tables of issue 7 ("Dashboards", "Runs unattended"), <= 300 ms for
every new national table of issue 18, on both databases.
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from app.auth.constants import Role  # noqa: E402
from app.config import Settings  # noqa: E402
from app.geo.gazetteer import load_gazetteer  # noqa: E402
from app.registry.constants import MandataireType  # noqa: E402
from app.registry.models import EtpService, Mandataire  # noqa: E402
from app.tokens.service import issue_token  # noqa: E402
from benchmarks.common import (  # noqa: E402
    LABELS,
    add_database_argument,
    chosen,
    national_database,
    national_url,
    percentile,
    running_server,
    servers,
    side_by_side,
)

TARGET_MS = 200.0  # the tables of issue 7
NEW_TARGET_MS = 300.0  # the tables of issue 18
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
]
REGIONAL = [  # an agent of Hauts-de-France
    "/tableaux-de-bord/charge",
    "/tableaux-de-bord/couverture",
    "/tableaux-de-bord/flux",
]
EXPORTS = ["/tableaux-de-bord/charge", "/tableaux-de-bord/couverture?distance_km=30"]
NEW = [  # the tables of issue 18, with the parameters that change their work
    "/tableaux-de-bord/annees",
    "/tableaux-de-bord/annees?par=region",
    "/tableaux-de-bord/implantation",
    "/tableaux-de-bord/dpf",
    "/tableaux-de-bord/charge-professionnels",
    "/tableaux-de-bord/objectifs",
    "/tableaux-de-bord/objectifs?date=2025-06-30",
    "/tableaux-de-bord/preposes",
    "/tableaux-de-bord/preposes?par=etablissement",
    "/tableaux-de-bord/preposes?par=departement",
]
NEW_EXPORTS = [path for path in NEW if "date=" not in path]
# The targets recorded once: (indicator, target at the deadline); the starting point is the register's value.
OBJECTIFS = (("mandataires_individuels", 30), ("services", 3), ("preposes", 12), ("mesures_en_cours", 2_500))


def exported(paths: list[str], suffix: str) -> list[str]:
    return [p.replace("?", suffix + "?") if "?" in p else p + suffix for p in paths]


def time_paths(
    client: httpx.Client, token: str, paths: list[str], count: int, warmups: int = 2
) -> list[tuple[str, float, float]]:
    headers = {"Authorization": f"Bearer {token}"}
    results = []
    for path in paths:
        for _ in range(warmups):  # warm-up: caches of the reference geography, database pages
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


def table_name(path: str) -> str:
    """`annees` of `/tableaux-de-bord/annees.xlsx?par=region`."""
    return path.split("?")[0].rsplit("/", 1)[-1].split(".")[0]


def wait_ready(client: httpx.Client, seconds: float = 300) -> None:
    """On a loaded machine the server may take more than a minute to import and start."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer within {seconds:.0f} s")


def record_objectifs(client: httpx.Client, token: str) -> None:
    """The schéma's targets of every département, recorded once as an agent would (the register's value at the
    starting point), so that the objectifs table compares them with the register."""
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/schema/objectifs", headers=headers)
    assert listed.status_code == 200, listed.text[:300]
    if listed.json():
        return
    started = time.perf_counter()
    for departement in sorted(load_gazetteer().departements):
        for indicateur, cible in OBJECTIFS:
            body = {
                "departement": departement,
                "indicateur": indicateur,
                "cible": cible,
                "echeance": "2028-12-31",
                "date_initiale": "2024-01-01",
                "libelle": "Objectif du schéma (benchmark)",
            }
            response = client.post("/schema/objectifs", headers=headers, json=body)
            assert response.status_code == 201, (departement, indicateur, response.text[:300])
    print(f"  schéma's targets recorded in {time.perf_counter() - started:.1f} s", flush=True)


def record_etp(client: httpx.Client, token: str, services: list[int], last: int) -> None:
    """Every service declares its ETP (5 to 24.5) for the year before the default period and for two years ago, as
    a service would through the API: the later years take the latest declaration."""
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    for mandataire_id in services:
        for annee, etp in ((last - 6, 5 + mandataire_id % 20), (last - 2, 5.5 + mandataire_id % 20)):
            response = client.put(f"/mandataires/{mandataire_id}/etp/{annee}", headers=headers, json={"etp": etp})
            assert response.status_code == 200, (mandataire_id, response.text[:300])
    print(f"  ETP of {len(services)} services declared in {time.perf_counter() - started:.1f} s", flush=True)


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
        declared = session.scalar(select(EtpService.mandataire_id).limit(1)) is not None
        all_services = select(Mandataire.id).where(Mandataire.type == MandataireType.SERVICE)
        services = [] if declared else list(session.scalars(all_services))
    db.dispose()

    exports = max(1, args.requests // 3)

    def timed(client: httpx.Client, token: str, paths: list[str], count: int = args.requests):
        """The paths of the tables chosen by `--only`, timed."""
        chosen = [path for path in paths if args.only is None or table_name(path) in args.only]
        return time_paths(client, token, chosen, count, args.warmups)

    results: dict[str, list[tuple[str, float, float]]] = {}
    with running_server(url, timeout_s=300) as client:  # a loaded machine: the slowest tables take seconds
        wait_ready(client)
        record_objectifs(client, tokens["admin"])
        if services:
            record_etp(client, tokens["admin"], services, date.today().year)
        admin, agent = tokens["admin"], tokens["agent"]
        if not args.older_only:
            results["issue 18, national (admin)"] = timed(client, admin, NEW)
            results["issue 18 exports, national (admin)"] = [
                *timed(client, admin, exported(NEW_EXPORTS, ".csv"), exports),
                *timed(client, admin, exported(NEW_EXPORTS, ".xlsx"), exports),
            ]
            results["issue 18, Hauts-de-France agent"] = timed(client, agent, NEW)
        if not args.new_only:
            results["issue 7, national (admin)"] = timed(client, admin, ENDPOINTS)
            results["issue 7, Hauts-de-France agent"] = timed(client, agent, REGIONAL)
            if args.formats:
                results["issue 7 exports, national (admin)"] = [
                    *timed(client, admin, exported(EXPORTS, ".csv"), exports),
                    *timed(client, admin, exported(EXPORTS, ".xlsx"), exports),
                ]
        results["reference"] = time_paths(client, admin, ["/healthz"], args.requests, args.warmups)
    return results


def slowest(results: dict[str, list[tuple[str, float, float]]], titles: list[str]) -> tuple[str, float]:
    timed = [(path, p50) for title in titles for path, p50, _ in results.get(title, [])]
    return max(timed, key=lambda item: item[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per endpoint (a third for exports)")
    parser.add_argument("--formats", action="store_true", help="also time the exports of the tables of issue 7")
    parser.add_argument("--warmups", type=int, default=2, help="untimed requests before each endpoint's timing")
    parser.add_argument("--new-only", action="store_true", help="only the tables of issue 18 (and the reference)")
    parser.add_argument("--older-only", action="store_true", help="only the tables of issue 7 (and the reference)")
    parser.add_argument(
        "--only", type=lambda text: set(text.split(",")), help="only these tables (comma-separated names)"
    )
    add_database_argument(parser)
    args = parser.parse_args()
    if args.new_only and args.older_only:
        parser.error("--new-only and --older-only exclude each other")
    names = chosen(args)
    with servers(names) as found:
        results = {name: run(national_url(name, found[name]), args) for name in names}

    print(
        f"uvicorn on 127.0.0.1, {args.requests} timed requests per endpoint ({max(1, args.requests // 3)} per "
        f"export) after {args.warmups} warm-up(s); p50 (p90) in ms"
    )
    for title in results[names[0]]:
        count = len(results[names[0]][title])
        rows = [
            (
                results[names[0]][title][i][0],
                {name: f"{results[name][title][i][1]:.1f} ({results[name][title][i][2]:.0f})" for name in names},
            )
            for i in range(count)
        ]
        print(side_by_side(f"-- {title}", rows, names, width=84))
    targets = []
    if not args.older_only:
        new_titles = ["issue 18, national (admin)", "issue 18 exports, national (admin)"]
        targets.append(("issue 18", new_titles, NEW_TARGET_MS))
    if not args.new_only:
        targets.append(("issue 7", ["issue 7, national (admin)"], TARGET_MS))
    for label, titles, target in targets:
        if not any(results[names[0]].get(title) for title in titles):
            continue  # no table of that issue among those chosen
        worst = {name: slowest(results[name], titles) for name in names}
        rows = [("p50", {n: f"{worst[n][1]:.1f}" for n in names})]
        rows += [(f"  {n}: {worst[n][0]}", {}) for n in names]
        print(side_by_side(f"slowest national p50, {label} (target <= {target:.0f} ms)", rows, names, width=84))
        met = all(worst[n][1] <= target for n in names)
        print(f"  target {'met' if met else 'NOT met'} on {', '.join(LABELS[n] for n in names)}")


if __name__ == "__main__":
    main()
