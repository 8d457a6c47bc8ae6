"""Transfer plan benchmark on the national demo register, on SQLite and PostgreSQL side by side.

    .venv/bin/python benchmarks/transfer_bench.py [--measures 300] [--runs 5] [--databases sqlite,postgresql]

Takes the professional whose caseload in progress is closest to `--measures` measures, and:
- times the whole plan computation as `POST /transferts` runs it (requests built from the registry, eligibility,
  scores, live loads, the exact solve), over `--runs` runs (nothing is written: the transaction is rolled back);
- compares, for the same measures, the plan with what sequential `/match` top-1 choices would give: once with the
  loads updated after each designation (one judge after another) and once on the same state (judges of several
  tribunals at the same time): total and p90 distance, designations beyond capacity, measures left without anyone.
Target (issue "Transfer a caseload"): a plan for 300 measures in <= 2 s; the plan never exceeds capacity.
"""

import argparse
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import Settings  # noqa: E402
from app.database import utcnow  # noqa: E402
from app.geo.gazetteer import load_gazetteer  # noqa: E402
from app.matching import engine  # noqa: E402
from app.matching.service import TUNING, IndexCache, weights_for  # noqa: E402
from app.registry.constants import MesureStatut  # noqa: E402
from app.registry.models import Mandataire, Mesure  # noqa: E402
from app.transfer import planning  # noqa: E402
from app.transfer.service import _loads, _requests  # noqa: E402
from benchmarks.common import (  # noqa: E402
    add_database_argument,
    chosen,
    national_database,
    national_url,
    percentile,
    rows_of,
    servers,
    side_by_side,
)


def pick_source(session, measures: int) -> tuple[Mandataire, list[Mesure]]:
    counts = session.execute(
        select(Mesure.mandataire_id, func.count())
        .where(Mesure.statut == MesureStatut.EN_COURS)
        .group_by(Mesure.mandataire_id)
    ).all()
    mandataire_id = min(counts, key=lambda row: (abs(row[1] - measures), row[0]))[0]
    mesures = list(
        session.scalars(
            select(Mesure)
            .where(Mesure.mandataire_id == mandataire_id, Mesure.statut == MesureStatut.EN_COURS)
            .order_by(Mesure.id)
        )
    )
    return session.get(Mandataire, mandataire_id), mesures


def beyond_capacity(taken: Counter, index, loads) -> int:
    """Measures given beyond the free places each professional had before the transfer."""
    return sum(max(0, count - max(index.profiles[pid].capacite - loads[pid].held, 0)) for pid, count in taken.items())


def sequential(requests, index, loads, settings, update: bool):
    """Top-1 of `/match` for each measure in turn; with `update`, each designation adds to the professional's load
    before the next request (one judge after another), else every request sees the same state."""
    current = dict(loads)
    distances, nobody, taken = [], 0, Counter()
    for request in requests:
        query = replace(request.query, limit=1)
        passing, exclusions = index.candidates(query)
        eligible = [(p, current[p.id]) for p in passing if p.id in current]
        weights = weights_for(index, settings, query.tribunal_departement)
        result = engine.rank(len(index.profiles), exclusions, eligible, query, weights, TUNING)
        if not result.candidats:
            nobody += 1
            continue
        best = result.candidats[0]
        distances.append(best.distance_km or 0.0)
        taken[best.profile.id] += 1
        if update:
            load = current[best.profile.id]
            current[best.profile.id] = replace(load, en_attente=load.en_attente + 1)
    return distances, beyond_capacity(taken, index, loads), nobody


def plan_figures(result: planning.TransferPlan):
    distances = [m.proposition.distance_km or 0.0 for m in result.mesures if m.proposition]
    return distances, result.sans_proposition


def run(url: str, args: argparse.Namespace) -> dict:
    db = national_database(url)
    settings = Settings(database_url=url)
    gazetteer = load_gazetteer().read_all()  # every file read now, outside the timings
    cache = IndexCache()
    figures = {}
    with sessionmaker(bind=db)() as session:
        source, mesures = pick_source(session, args.measures)
        index = cache.get(session)
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            now = utcnow()
            requests = _requests(session, mesures, gazetteer, source, now=now, exclure=frozenset({source.id}))
            result = planning.plan(
                requests,
                index=index,
                read_loads=_loads(session, now),
                weights_for=lambda d: weights_for(index, settings, d),
                tuning=TUNING,
            )
            timings.append((time.perf_counter() - started) * 1000)
        loads = _loads(session, now)(sorted(index.profiles))
        taken = Counter(m.proposition.mandataire_id for m in result.mesures if m.proposition)
        beyond_plan = beyond_capacity(taken, index, loads)
        plan_distances, plan_nobody = plan_figures(result)
        seq = sequential(requests, index, loads, settings, update=True)
        par = sequential(requests, index, loads, settings, update=False)
        label = f"{source.id} ({len(mesures)})"
        session.rollback()
    db.dispose()
    figures.update(
        source=label,
        plan_ms=timings,
        rows={
            "plan": (plan_distances, beyond_plan, plan_nobody),
            "top-1, one after another": seq,
            "top-1, all at once": par,
        },
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measures", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    add_database_argument(parser)
    args = parser.parse_args()
    names = chosen(args)
    with servers(names) as found:
        results = {name: run(national_url(name, found[name]), args) for name in names}

    row = rows_of(results)

    rows = [
        row("professional id (measures in progress)", lambda r: r["source"]),
        row("plan computation p50 (target <= 2000 ms)", lambda r: f"{percentile(r['plan_ms'], 50):.0f} ms"),
        row("plan computation max", lambda r: f"{max(r['plan_ms']):.0f} ms"),
    ]
    for strategy in ("plan", "top-1, one after another", "top-1, all at once"):
        rows += [
            row(f"{strategy}: total distance", lambda r, s=strategy: f"{sum(r['rows'][s][0]):,.0f} km"),
            row(f"{strategy}: p90 distance", lambda r, s=strategy: f"{percentile(r['rows'][s][0] or [0], 90):.1f} km"),
            row(f"{strategy}: beyond capacity", lambda r, s=strategy: f"{r['rows'][s][1]}"),
            row(f"{strategy}: without anyone", lambda r, s=strategy: f"{r['rows'][s][2]}"),
        ]
    print(side_by_side("transfer of one professional's caseload, national register", rows, names, width=56))


if __name__ == "__main__":
    main()
