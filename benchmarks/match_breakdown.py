"""Where the time of a `/match` goes beyond `/healthz`: the HTTP loop of match_bench.py against servers in which
parts of `/match` are stubbed out. An investigation tool, never a way to run the service.

    .venv/bin/python benchmarks/match_breakdown.py [--http-requests 300]
    .venv/bin/python benchmarks/match_breakdown.py --before DIR [--rounds 2] [--throughput-seconds 20]

Prints, for each variant, the client-side p50 of `/match` and the readiness route measured in the same run and
their ratio. With `--before DIR` (a checkout of an earlier commit, e.g. `git worktree add DIR main`), compares that
code with this one instead: the same HTTP loop against a server of each, in alternate rounds so that the machine's
load weighs on both alike, with p50 and p99 of both routes; with `--throughput-seconds N` as well, match_bench.py's
throughput of 1 and 2 workers of each code, the four servers driven in turn by wrk, N seconds each.
"""

import argparse
import os
import random
import sys
from pathlib import Path

from sqlalchemy import literal, select
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import Settings  # noqa: E402
from app.geo.models import Tribunal  # noqa: E402
from benchmarks.common import (  # noqa: E402
    UVICORN,
    add_database_argument,
    chosen,
    national_database,
    national_url,
    percentile,
    servers,
)
from benchmarks.match_bench import (  # noqa: E402
    bench_http,
    bench_throughput,
    benchmark_token,
    idle_per_request,
    per_request,
    random_requests,
)

# What each stub removes from a /match: the ranking (scoring, explanations and the ~14 kB answer: the shortlist
# comes back empty), the live-load query, the audit insert (a SELECT 1 instead), or all the work (an empty answer:
# what is left is the validated POST with its token).
VARIANTS = {
    "as shipped": (),
    "no ranking": ("ranking",),
    "no live-load query": ("loads",),
    "neither": ("ranking", "loads"),
    "neither, nor the audit insert": ("ranking", "loads", "audit"),
    "no work at all": ("everything",),
}


def serve(stubs: list[str], host: str, port: int) -> None:
    import uvicorn

    from app.main import create_app
    from app.matching import engine, repository, service

    if "ranking" in stubs:
        engine.rank = lambda considered, exclusions, eligible, query, weights, tuning: engine.Result(
            [], considered, len(eligible), dict(exclusions), weights
        )
    if "loads" in stubs:
        # /match reads the loads with the registry's stamp (`loads_and_version`): the stamp alone is left.
        repository.loads_and_version = lambda session, ids, now: (
            {i: engine.LiveLoad(0, 0) for i in ids},
            repository.registry_version(session),
        )
    if "audit" in stubs:
        service._RECORD = select(literal(1))
    if "everything" in stubs:
        empty = service.MatchAnswer()
        empty.encoded = b"{}"
        service.run_match = lambda session, **_: empty
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


def prepared(name: str, server: str, count: int) -> tuple[str, str, list[dict]]:
    """The database's URL, a benchmark token and `count` random requests."""
    url = national_url(name, server)
    db = national_database(url)
    with sessionmaker(bind=db).begin() as session:
        tribunals = list(session.scalars(select(Tribunal).order_by(Tribunal.id)))
        requests = random_requests(random.Random(42), tribunals, count)
        token = benchmark_token(session, Settings(database_url=url))
    db.dispose()
    return url, token, requests


def compare(args: argparse.Namespace) -> None:
    # uvicorn's --app-dir comes first on the server's import path: its `app` is the earlier code.
    commands = {"before": [*UVICORN, "--app-dir", str(args.before.resolve())], "after": UVICORN}
    names = chosen(args)
    with servers(names) as found:
        for name in names:
            url, token, requests = prepared(name, found[name], args.http_requests)
            timings: dict[str, dict[str, list[float]]] = {v: {"match": [], "ready": []} for v in commands}
            for _ in range(args.rounds):
                for variant, command in commands.items():
                    figures = bench_http(url, token, requests, args.http_requests, command=command)
                    for route in ("match", "ready"):
                        timings[variant][route] += figures[route]
            print(f"-- {name}, load average {os.getloadavg()[0]:.1f}")
            print(f"{'code':8} {'/match p50':>11} {'p99':>9} {'ready p50':>10} {'p99':>9} {'ratio p50':>10} {'p99':>6}")
            for variant, measured in timings.items():
                m50, m99 = percentile(measured["match"], 50), percentile(measured["match"], 99)
                r50, r99 = percentile(measured["ready"], 50), percentile(measured["ready"], 99)
                times = f"{m50:8.2f} ms {m99:6.2f} ms {r50:7.2f} ms {r99:6.2f} ms"
                print(f"{variant:8} {times} {m50 / r50:10.2f} {m99 / r99:6.2f}", flush=True)
            if args.throughput_seconds:
                throughput = bench_throughput(url, token, requests, args.throughput_seconds, commands=commands)
                print(
                    f"{'code':8} {'1 worker':>13} {'2 workers':>13} {'ratio':>6}   CPU ms/request 1 and 2 workers"
                    "   idle periods per request (2 workers), mean length"
                )
                for variant in commands:
                    one, two = throughput[variant, 1], throughput[variant, 2]
                    rates = f"{one['rps']:7.1f} req/s {two['rps']:7.1f} req/s {two['rps'] / one['rps']:6.2f}"
                    cpu = f"{per_request(one)} | {per_request(two)}"
                    print(f"{variant:8} {rates}   {cpu}   {idle_per_request(two)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--http-requests", type=int, default=300)
    parser.add_argument("--serve", nargs="*", help=argparse.SUPPRESS)  # the stubbed server, run by this script
    parser.add_argument("--host", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--before", type=Path, help="a checkout of earlier code to compare with this one")
    parser.add_argument("--rounds", type=int, default=2, help="with --before: alternate rounds of each")
    parser.add_argument(
        "--throughput-seconds", type=int, default=0, help="with --before: throughput of each code too, N s each"
    )
    add_database_argument(parser)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.host, args.port)
        return
    if args.before is not None:
        compare(args)
        return

    names = chosen(args)
    with servers(names) as found:
        for name in names:
            url, token, requests = prepared(name, found[name], args.http_requests)
            print(f"-- {name}")
            print(f"{'/match with':34} {'/match p50':>11} {'ready p50':>13} {'ratio':>6}")
            for variant, stubs in VARIANTS.items():
                command = [sys.executable, __file__, "--serve", *stubs]
                timings = bench_http(url, token, requests, args.http_requests, command=command)
                match_p50, ready_p50 = percentile(timings["match"], 50), percentile(timings["ready"], 50)
                print(f"{variant:34} {match_p50:8.2f} ms {ready_p50:10.2f} ms {match_p50 / ready_p50:6.2f}", flush=True)


if __name__ == "__main__":
    main()
