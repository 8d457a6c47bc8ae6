"""Simulation benchmark: a one-year simulation of the Hauts-de-France demo register, on SQLite and PostgreSQL side
by side.

    .venv/bin/python benchmarks/simulation.py [--arrivals 2500] [--databases sqlite,postgresql]

Times what `mjpm simulate --region 32 --arrivees 2500` does (the offer read through the matching index, the
observed flows, the arrivals drawn, then each strategy replayed in memory), and each strategy alone: wall clock, and
this process's CPU time (on a busy machine the difference is the wait).
The register is the regional demo, seeded once per database (`var/bench-region.db`; the `bench_region` database on
the benchmark PostgreSQL server of `benchmarks.common`). Target (issue 19): a one-year regional simulation of about
2 500 arrivals <= 60 s on SQLite.
"""

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import Settings  # noqa: E402
from app.database import build_engine, build_session_factory, utcnow  # noqa: E402
from app.demo.seed import database_is_empty, seed_demo  # noqa: E402
from app.geo.gazetteer import load_gazetteer  # noqa: E402
from app.geo.repository import sync_tribunaux  # noqa: E402
from app.planning import simulation  # noqa: E402
from app.planning.schemas import SimulationIn  # noqa: E402
from app.planning.service import run_simulation  # noqa: E402
from benchmarks.common import (  # noqa: E402
    VAR,
    add_database_argument,
    chosen,
    postgres_database,
    rows_of,
    servers,
    side_by_side,
    upgrade,
)

TARGET_S = 60.0
REGION = "32"


def regional_url(kind: str, server: str) -> str:
    return f"sqlite:///{VAR / 'bench-region.db'}" if kind == "sqlite" else postgres_database(server, "bench_region")


def regional_engine(url: str):
    engine = build_engine(url)
    upgrade(engine)
    gazetteer = load_gazetteer().read_all()  # every file read now, outside the timings
    with sessionmaker(bind=engine).begin() as session:
        sync_tribunaux(session, gazetteer)
        empty = database_is_empty(session)
    if empty:
        print("seeding the regional demo register (once) ...", flush=True)
        seed_demo(engine, gazetteer, scale="region", seed=1)
    return engine


def measure(url: str, arrivals: int) -> dict:
    engine = regional_engine(url)
    gazetteer = load_gazetteer().read_all()  # every file read now, outside the timings
    departements = frozenset(c for c, d in gazetteer.departements.items() if d.region == REGION)
    settings = Settings(database_url=url)
    try:
        with build_session_factory(engine)() as session:
            started, cpu = time.perf_counter(), time.process_time()
            answer = run_simulation(
                session,
                gazetteer=gazetteer,
                settings=settings,
                departements=departements,
                parametres=SimulationIn(arrivees=arrivals),
                now=utcnow(),
            )
            whole, whole_cpu = time.perf_counter() - started, time.process_time() - cpu
        # Each strategy alone, on arrivals drawn as the command draws them.
        alone = {}
        for resultat in answer["resultats"]:
            with build_session_factory(engine)() as session:
                started = time.perf_counter()
                run_simulation(
                    session,
                    gazetteer=gazetteer,
                    settings=settings,
                    departements=departements,
                    parametres=SimulationIn(arrivees=arrivals, strategies=[resultat["strategie"]]),
                    now=utcnow(),
                )
                alone[resultat["strategie"]] = time.perf_counter() - started
    finally:
        engine.dispose()
    return {"whole": whole, "whole_cpu": whole_cpu, "alone": alone, "answer": answer}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrivals", type=int, default=2500)
    add_database_argument(parser)
    arguments = parser.parse_args()
    names = chosen(arguments)
    results = {}
    with servers(names) as found:
        for name, server in found.items():
            results[name] = measure(regional_url(name, server), arguments.arrivals)
    row = rows_of(results)
    rows = [
        row("professionals that can receive a measure", lambda r: str(r["answer"]["hypotheses"]["professionnels"])),
        row("arrivals in the year", lambda r: str(sum(r["answer"]["hypotheses"]["arrivees_par_an"]))),
        row(f"whole simulation, 4 strategies (target <= {TARGET_S:.0f} s)", lambda r: f"{r['whole']:.1f} s"),
        row("  of which CPU time of this process", lambda r: f"{r['whole_cpu']:.1f} s"),
    ]
    rows += [
        row(f"  {code} alone (read, draw, replay)", lambda r, c=code: f"{r['alone'][c]:.1f} s")
        for code in simulation.KINDS
    ]
    print(side_by_side(f"one-year simulation of region {REGION}, demo register", rows, names, width=56))


if __name__ == "__main__":
    main()
