""" "Where to add" benchmark: a proposal for one département, on a demo register in SQLite.

    .venv/bin/python benchmarks/placement.py [--departement 62] [--nombre 3] [--capacite 40] [--scale region]

Seeds the demo register once into `var/bench-placement-<scale>.db` (delete it to start clean), then times:
- the greedy alone (`placement.propose`: the exact assignment before, then K picks each followed by a re-solve);
- the whole `POST /planification/implantations` flow: the offer read through the matching index, the yearly
  arrivals, the proposal, and its simulated effect (one year, the engine, current offer and scenario).
Target (issue 19): a proposal for one département <= 30 s.
"""

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import Settings  # noqa: E402
from app.database import build_engine, utcnow  # noqa: E402
from app.demo.seed import database_is_empty, seed_demo  # noqa: E402
from app.geo.gazetteer import load_gazetteer  # noqa: E402
from app.geo.repository import sync_tribunaux  # noqa: E402
from app.matching.service import default_weights  # noqa: E402
from app.planning import flows, placement, service  # noqa: E402
from app.planning.schemas import ImplantationsIn  # noqa: E402
from benchmarks.common import VAR, upgrade  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departement", default="62")
    parser.add_argument("--nombre", type=int, default=3)
    parser.add_argument("--capacite", type=int, default=40)
    parser.add_argument("--norme", type=float, default=70.0)
    parser.add_argument("--scale", choices=("region", "national"), default="region")
    arguments = parser.parse_args()

    VAR.mkdir(exist_ok=True)
    engine = build_engine(f"sqlite:///{VAR / f'bench-placement-{arguments.scale}.db'}")
    upgrade(engine)
    gazetteer = load_gazetteer().read_all()  # every file read now, outside the timings
    with sessionmaker(bind=engine).begin() as session:
        sync_tribunaux(session, gazetteer)
        empty = database_is_empty(session)
    if empty:
        print(f"seeding the {arguments.scale} demo register (once) ...", flush=True)
        seed_demo(engine, gazetteer, scale=arguments.scale, seed=1)

    settings = Settings()
    departements = frozenset({arguments.departement})
    parametres = ImplantationsIn(nombre=arguments.nombre, capacite=arguments.capacite, norme_km=arguments.norme)
    now = utcnow()
    with sessionmaker(bind=engine)() as session:
        started = time.perf_counter()
        offer = service.build_offer(session, departements=departements, now=now, weights=default_weights(settings))
        read = time.perf_counter() - started
        arrivees = flows._yearly_arrivals(session, departements, now)
        communes = placement.population_demand(
            [
                (c.insee, c.nom, c.lat, c.lon, c.population)
                for _, c in sorted(gazetteer.communes.items())
                if c.departement in departements
            ],
            float(arrivees),
        )
        suppliers = placement.suppliers_of(offer, default_radius_km=arguments.norme)
        started = time.perf_counter()
        proposal = placement.propose(
            suppliers, communes, k=arguments.nombre, capacite=arguments.capacite, rayon_km=arguments.norme
        )
        greedy = time.perf_counter() - started
        started = time.perf_counter()
        answer = flows.propose(
            session,
            gazetteer=gazetteer,
            settings=settings,
            departements=departements,
            parametres=parametres,
            now=now,
        )
        whole = time.perf_counter() - started
        session.rollback()

    print(
        f"département {arguments.departement}: {len(communes)} communes, {len(suppliers)} professionals with "
        f"sites, {arrivees} arrivals a year; K = {arguments.nombre} MI of {arguments.capacite} places, "
        f"norm {arguments.norme:g} km"
    )
    print(f"  offer read through the matching index      {read:6.2f} s")
    print(f"  greedy (exact assignment + {arguments.nombre} picks)       {greedy:6.2f} s")
    print(f"  whole flow with the simulated effect        {whole:6.2f} s   (target <= 30 s)")
    print("  proposed:", ", ".join(f"{p.nom} ({p.insee})" for p in proposal.picks))
    avant, apres = proposal.avant, proposal.apres
    print(
        f"  without a place within the norm: {avant.sans_candidat:.0f} -> {apres.sans_candidat:.0f}; "
        f"mean distance {avant.distance_moyenne_km or 0:.1f} -> {apres.distance_moyenne_km or 0:.1f} km"
    )
    for before, after in zip(
        answer["effet"]["actuel"]["resultats"], answer["effet"]["modifie"]["resultats"], strict=True
    ):
        print(
            f"  simulated ({before['libelle']}): mean distance {before['distance_moyenne_km']} -> "
            f"{after['distance_moyenne_km']} km, p90 {before['distance_p90_km']} -> {after['distance_p90_km']} km, "
            f"beyond capacity {before['au_dela_capacite']} -> {after['au_dela_capacite']}, Gini "
            f"{before['gini_occupation']} -> {after['gini_occupation']}, no candidate {before['sans_candidat']} -> "
            f"{after['sans_candidat']}"
        )


if __name__ == "__main__":
    main()
