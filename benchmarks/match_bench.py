"""Matching benchmark on the national demo register, on SQLite and PostgreSQL side by side.

    .venv/bin/python benchmarks/match_bench.py [--requests 1000] [--http-requests 300] [--throughput-seconds 20]
        [--databases sqlite,postgresql]

Prints, per database: the engine's p50/p99 over random requests (pure code: index and live loads in memory) and the
memory of the index; HTTP `/match` and the readiness route (`/readyz`: one database round trip) p50 and p99,
measured interleaved in the same run against a uvicorn server on 127.0.0.1, and their ratios; `/match` throughput
with one uvicorn worker and with two, driven by wrk (Debian package, installed when missing) sending pre-built
requests. Next to each throughput: the cores the server and wrk used, the cores every other process took and those
left idle, with how they were left idle (idle periods per request and their mean length, from the kernel's cpuidle
counters: many short ones are thread hand-offs, fewer long ones a core left without work while tasks waited on the
other), and the requests per server CPU second (equal in both runs when nothing serialises the workers, so a ratio
under 1.6 then means the machine lent the second core elsewhere, which the other processes' cores show, or left it
idle); and the CPU time per request of the workers (w), of the PostgreSQL server the benchmark started (p) and of
wrk (c), which depend little on the machine's other load, with the ratio they allow on 2 idle cores,
2w/(w+p+c). The engine's tail is printed three ways to tell its causes apart: wall time, the CPU time of the
calling thread (a wall tail without a CPU tail is the machine lending the core to another process), and the calls
during which the garbage collector ran.
Targets (issues "Matching engine" and "Runs unattended"): engine p99 <= 2 ms; index <= 50 MB; /match p50 <= 2.5 x
readiness p50 and p99 <= 4 x readiness p99, on both databases; throughput with 2 workers >= 1.6 x one worker.
"""

import argparse
import gc
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import ExitStack
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
    VAR,
    add_database_argument,
    chosen,
    national_database,
    national_url,
    percentile,
    readiness_path,
    rows_of,
    running_server,
    servers,
    serving,
    side_by_side,
    wrk_binary,
)

NATURES = (
    ["curatelle_renforcee"] * 5
    + ["tutelle"] * 4
    + ["curatelle_simple", "sauvegarde_justice", "mesure_accompagnement_judiciaire"]
)
# Requests in flight for the throughput figures: enough that each of the 2 workers always has one waiting.
CONNECTIONS = 8
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_match.lua"
# Throughput rounds, one server then the other: on this kind of virtual machine one core sometimes runs a quarter
# slower than the other for a while (a CPU loop alone took 1.15 s or 1.49 s), and many short rounds share such
# spells out between the two figures.
ROUNDS = 10
NEEDS = ["psychiatrie", "handicap", "personnes_agees", "situations_complexes", "fin_de_vie"]


def random_requests(rng: random.Random, tribunals: list[Tribunal], count: int) -> list[dict]:
    gazetteer = load_gazetteer().read_all()  # every file read now, outside the timings
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


def bench_engine(session, requests: list[dict]) -> dict:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    index = build_index(session, today=utcnow().date())
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    index_bytes = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    now = utcnow()
    loads = live_loads(session, list(index.profiles), now=now)
    weights = engine.Weights()
    collections: list[float] = []  # collector runs during the current call (their start times)

    def on_gc(phase: str, _info: dict) -> None:
        if phase == "start":
            collections.append(time.perf_counter())

    wall, cpu, with_gc = [], [], []
    gc.callbacks.append(on_gc)
    try:
        for request in requests:
            query = engine_query(request, now)
            collections.clear()
            started, started_cpu = time.perf_counter(), time.thread_time()
            passing, exclusions = index.candidates(query)
            engine.rank(len(index.profiles), exclusions, [(p, loads[p.id]) for p in passing], query, weights, TUNING)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
            with_gc.append(bool(collections))
    finally:
        gc.callbacks.remove(on_gc)
    return {
        "engine": wall,
        "engine_cpu": cpu,
        "engine_no_gc": [t for t, collected in zip(wall, with_gc, strict=True) if not collected],
        "gc_calls": sum(with_gc),
        "index_mb": index_bytes / 1e6,
        "professionals": len(index.profiles),
    }


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


def tree_cpu(pid: int) -> float:
    """CPU seconds taken so far by a process and its living descendants (uvicorn's workers, PostgreSQL's
    backends), from /proc."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended meanwhile
    return total


def machine_cpu() -> tuple[float, float]:
    """CPU seconds of the whole machine so far, all cores: (busy, idle), from /proc/stat. Busy less the server's and
    the client's is what every other process took (and the hypervisor, as steal) while a figure was measured."""
    fields = [int(v) / os.sysconf("SC_CLK_TCK") for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, idle


def idle_periods() -> tuple[int, int]:
    """Times the machine's cores went idle so far, and the microseconds they stayed idle, from the kernel's cpuidle
    counters (all cores, all idle states); (0, 0) where the kernel does not expose them. Idle cores with 2 workers
    are either many short waits (thread hand-offs) or fewer long ones (a core left idle while the other has two
    runnable tasks): the count per request and the mean length tell them apart."""
    count = microseconds = 0
    for state in Path("/sys/devices/system/cpu").glob("cpu[0-9]*/cpuidle/state[0-9]*"):
        try:
            count += int((state / "usage").read_text())
            microseconds += int((state / "time").read_text())
        except (OSError, ValueError):
            continue
    return count, microseconds


def autogroup() -> str:
    """Whether the kernel schedules each session as a group (`sched_autogroup_enabled`): the PostgreSQL server the
    benchmark starts is then one group and the workers another, as separate containers would be."""
    try:
        return "on" if Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1" else "off"
    except OSError:
        return "unknown"


def postgres_pid(url: str) -> int | None:
    """The benchmark's own PostgreSQL server (its backends do part of each request's work), when it runs here."""
    if not url.startswith("postgresql"):
        return None
    marker = VAR / "bench-postgres" / "postmaster.pid"
    return int(marker.read_text().split()[0]) if marker.exists() else None


def run_wrk(base_url: str, bodies: Path, token: str, seconds: int, connections: int) -> dict:
    """`/match` requests from wrk for `seconds`, `connections` in flight, each on a new connection: its summary
    (requests answered, duration). Any failure (an answer other than 2xx, a connection refused) stops the benchmark:
    a figure is only worth its answers."""
    command = [wrk_binary(), "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(WRK_SCRIPT), base_url]
    completed = subprocess.run(
        [*command, "--", str(bodies), token, "close"], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"wrk failed (exit status {completed.returncode}): {completed.stderr.strip()}")
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    if summary["status_errors"] or summary["socket_errors"] or not summary["requests"]:
        raise SystemExit(f"/match throughput: failed requests under load: {summary}")
    return summary


def bench_throughput(
    url: str,
    token: str,
    requests: list[dict],
    seconds: int,
    rounds: int = ROUNDS,
    connections: int = CONNECTIONS,
    commands: dict[str, list[str]] | None = None,
) -> dict[tuple[str, int], dict]:
    """`/match` requests per second with one uvicorn worker and with two, for `seconds` each after a warm-up, keyed
    by (label of the server command, workers): by default the one command `UVICORN`, labelled "" (`commands` maps
    other labels to other commands, e.g. earlier code: `match_breakdown.py --before`).

    All servers run side by side and are driven in turn, `rounds` times each, so that a change in the machine's
    other load weighs on all figures alike. The load comes from wrk (`run_wrk`), `connections` requests in flight
    (enough to keep every worker busy), each on a new connection: uvicorn's workers share connections out as they
    accept them, and one worker's event loop accepts a whole burst of waiting ones, so kept-alive connections opened
    at once would all go to one worker. On a 2-core machine every CPU second the load generator takes is taken from
    the server, and a client slow to send the next request leaves workers idle: wrk costs about a tenth of a
    millisecond of CPU per request, where the Python client used before took 0.3 to 0.4 and answered late. Its CPU
    time is printed next to the figure, with the server's (its workers, and the PostgreSQL backends when the
    benchmark started the server)."""
    figures: dict[tuple[str, int], dict] = {}
    database_pid = postgres_pid(url)
    per_round = max(1, round(seconds / rounds))
    with ExitStack() as stack:
        bodies = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mjpm-bench-"))) / "bodies.jsonl"
        bodies.write_text("".join(json.dumps(http_body(r), separators=(",", ":")) + "\n" for r in requests))
        targets = {}
        for label, command in (commands or {"": UVICORN}).items():
            for workers in (1, 2):
                client, pid = stack.enter_context(serving(url, command=[*command, "--workers", str(workers)]))
                base_url = str(client.base_url).rstrip("/")
                # Warm-up: every worker builds its own index on its first request.
                run_wrk(base_url, bodies, token, 2, connections)
                targets[label, workers] = (base_url, pid)
                figures[label, workers] = dict.fromkeys(
                    ("duration", "elapsed", "client_cpu", "server_cpu", "workers_cpu", "database_cpu", "busy", "idle"),
                    0.0,
                ) | {"done": 0, "idle_periods": 0, "idle_us": 0}
        for _ in range(rounds):
            for key, (base_url, pid) in targets.items():
                figure = figures[key]
                workers_cpu = tree_cpu(pid)
                database_cpu = tree_cpu(database_pid) if database_pid else 0.0
                busy, idle = machine_cpu()
                periods, idle_us = idle_periods()
                cpu, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
                summary = run_wrk(base_url, bodies, token, per_round, connections)
                figure["elapsed"] += time.perf_counter() - started
                figure["busy"] += machine_cpu()[0] - busy
                figure["idle"] += machine_cpu()[1] - idle
                periods_after, idle_us_after = idle_periods()
                figure["idle_periods"] += periods_after - periods
                figure["idle_us"] += idle_us_after - idle_us
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                figure["client_cpu"] += (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
                workers_cpu = tree_cpu(pid) - workers_cpu
                database_cpu = (tree_cpu(database_pid) if database_pid else 0.0) - database_cpu
                figure["workers_cpu"] += workers_cpu
                figure["database_cpu"] += database_cpu
                figure["server_cpu"] += workers_cpu + database_cpu
                figure["done"] += summary["requests"]
                figure["duration"] += summary["duration_us"] / 1e6
    for figure in figures.values():
        figure["rps"] = figure["done"] / figure["duration"]
    return figures


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
        engine_figures = bench_engine(session, requests)
        token = benchmark_token(session, settings)
    db.dispose()
    http = bench_http(url, token, requests, args.http_requests)
    throughput = bench_throughput(url, token, requests, args.throughput_seconds, connections=args.connections)
    return {**engine_figures, **http, "one": throughput["", 1], "two": throughput["", 2]}


def used(figure: dict) -> str:
    """CPU seconds taken per wall second: how many cores the server (with its database) and the client used."""
    return f"{figure['server_cpu'] / figure['elapsed']:.2f}, {figure['client_cpu'] / figure['elapsed']:.2f}"


def elsewhere(figure: dict) -> str:
    """Cores every other process of the machine took, and cores left idle: with none idle, a ratio under the
    target says the machine was full (of other work, or of this benchmark's own), not that the workers waited."""
    other = figure["busy"] - figure["server_cpu"] - figure["client_cpu"]
    return f"{max(other, 0.0) / figure['elapsed']:.2f}, {figure['idle'] / figure['elapsed']:.2f}"


def per_request(figure: dict) -> str:
    """CPU milliseconds per request of the workers (w), the database server (p) and the client (c), which depend
    little on the machine's other load, and the ratio 2 workers could reach on 2 cores when nothing else runs and
    none is left idle: one worker is bound by its own core, 1/w; two by the two cores, 2/(w + p + c)."""
    w, p, c = (figure[key] * 1000 / figure["done"] for key in ("workers_cpu", "database_cpu", "client_cpu"))
    return f"{w:.2f}, {p:.2f}, {c:.2f}; {2 * w / (w + p + c):.2f}"


def idle_per_request(figure: dict) -> str:
    """Idle periods of the cores per request answered, and their mean length."""
    if not figure["idle_periods"]:
        return "-"
    return f"{figure['idle_periods'] / figure['done']:.2f}, {figure['idle_us'] / figure['idle_periods'] / 1000:.2f} ms"


def per_cpu(figure: dict) -> str:
    return f"{figure['done'] / figure['server_cpu']:.1f}" if figure["server_cpu"] else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--http-requests", type=int, default=300)
    parser.add_argument(
        "--throughput-seconds", type=int, default=20, help=f"length of each throughput figure, in {ROUNDS} rounds"
    )
    parser.add_argument(
        "--connections", type=int, default=CONNECTIONS, help="requests in flight for the throughput figures"
    )
    add_database_argument(parser)
    args = parser.parse_args()
    names = chosen(args)

    load = os.getloadavg()[0]
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
        f"{args.http_requests} interleaved HTTP requests; throughput for {args.throughput_seconds} s each "
        f"({args.connections} in flight from wrk, a connection each); load average at start {load:.1f} "
        f"on {os.cpu_count()} cores; kernel autogroup {autogroup()}"
    )
    print(
        side_by_side(
            "figure",
            [
                row("professionals in the index", lambda r: f"{r['professionals']}"),
                row("index memory (target <= 50 MB)", lambda r: f"{r['index_mb']:.1f} MB"),
                row("engine p50", lambda r: f"{percentile(r['engine'], 50):.3f} ms"),
                row("engine p99 (target <= 2 ms)", lambda r: f"{percentile(r['engine'], 99):.3f} ms"),
                row("  engine p99 of CPU time", lambda r: f"{percentile(r['engine_cpu'], 99):.3f} ms"),
                row("  engine p99 without a collection", lambda r: f"{percentile(r['engine_no_gc'], 99):.3f} ms"),
                row("  calls with a collection", lambda r: f"{r['gc_calls']}/{len(r['engine'])}"),
                row("/match p50", lambda r: f"{percentile(r['match'], 50):.2f} ms"),
                row("/match p99", lambda r: f"{percentile(r['match'], 99):.2f} ms"),
                row("readiness p50", lambda r: f"{percentile(r['ready'], 50):.2f} ms"),
                row("readiness p99", lambda r: f"{percentile(r['ready'], 99):.2f} ms"),
                row("/match p50 / readiness p50 (target <= 2.5)", lambda r: f"{ratio(r, 50):.2f}"),
                row("/match p99 / readiness p99 (target <= 4)", lambda r: f"{ratio(r, 99):.2f}"),
                row("/match throughput, 1 worker", lambda r: f"{r['one']['rps']:.1f} req/s"),
                row("  cores used by the server, by the client", lambda r: used(r["one"])),
                row("  cores used by other processes, left idle", lambda r: elsewhere(r["one"])),
                row("  idle periods per request, mean length", lambda r: idle_per_request(r["one"])),
                row("  requests per server CPU second", lambda r: per_cpu(r["one"])),
                row("  CPU ms/request: workers, db, client; ratio", lambda r: per_request(r["one"])),
                row("/match throughput, 2 workers", lambda r: f"{r['two']['rps']:.1f} req/s"),
                row("  cores used by the server, by the client", lambda r: used(r["two"])),
                row("  cores used by other processes, left idle", lambda r: elsewhere(r["two"])),
                row("  idle periods per request, mean length", lambda r: idle_per_request(r["two"])),
                row("  requests per server CPU second", lambda r: per_cpu(r["two"])),
                row("  CPU ms/request: workers, db, client; ratio", lambda r: per_request(r["two"])),
                row("2 workers / 1 worker (target >= 1.6)", lambda r: f"{r['two']['rps'] / r['one']['rps']:.2f}"),
            ],
            names,
            width=48,
        )
    )


if __name__ == "__main__":
    main()
