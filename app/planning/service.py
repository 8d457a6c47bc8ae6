"""Simulation flows: the offer read from the registry (the matching's own index and live loads, never copied),
the territory's observed flows, arrivals drawn from them, then the pure simulation. Nothing is written."""

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.config import Settings
from app.geo.gazetteer import Gazetteer
from app.matching import repository as matching_repository
from app.matching.engine import Weights
from app.matching.service import default_weights
from app.planning import repository
from app.planning.arrivals import Seat, draw_arrivals, yearly_counts
from app.planning.exceptions import AucuneMesureObservee, SimulationTropGrande
from app.planning.schemas import SimulationIn
from app.planning.simulation import MOTEUR, Offer, Strategy, simulate_all

EXTRA_ENGINE = "moteur_poids"
# Arrivals of all the years of one simulation, at most (each strategy replays them all).
MAX_ARRIVALS = 200_000


def build_offer(
    session: Session, *, departements: frozenset[str], now: datetime, weights: Weights | None = None
) -> Offer:
    """The offer as it stands: every profile of the matching index and its live load (with the designations of
    the equity window before `now`)."""
    index = matching_repository.build_index(session, today=now.date())
    loads = matching_repository.live_loads(session, sorted(index.profiles), now=now)
    return Offer(index=index, loads=loads, departements=departements, now=now, default_weights=weights or Weights())


def last_year_flows(
    session: Session, *, departements: frozenset[str], now: datetime, remedy: str, loc: list
) -> repository.Flows:
    """The territory's flows of the year before `now`; a 422 when no measure was opened, since the arrivals are
    drawn from them. `remedy` ends the message: what the caller can do about it."""
    today = now.date()
    flows = repository.observed_flows(
        session, departements=departements, since=today - timedelta(days=365), until=today
    )
    if not flows.nouvelles:
        raise AucuneMesureObservee(f"aucune mesure ouverte l'an passé dans ce territoire : {remedy}", loc=loc)
    return flows


def strategies_of(parametres: SimulationIn) -> list[Strategy]:
    chosen = [Strategy(kind) for kind in parametres.strategies]
    if parametres.poids is not None:
        weights = Weights(**parametres.poids.model_dump())
        described = ", ".join(f"{name} {value:g}" for name, value in weights.as_dict().items())
        chosen.append(Strategy(MOTEUR, weights, EXTRA_ENGINE, f"moteur de classement, poids : {described}"))
    return chosen


def run_simulation(
    session: Session,
    *,
    gazetteer: Gazetteer,
    settings: Settings,
    departements: frozenset[str],
    parametres: SimulationIn,
    now: datetime,
    offer: Offer | None = None,
    loc: tuple[str, ...] = ("body",),
) -> dict:
    """The simulation of the territory's next years, in the shape of `SimulationOut`. `offer` replaces the
    current one (a scenario); the arrivals and closures are those of the registry's last year either way. `loc`
    is where the simulation's parameters sit in the request, for the errors."""
    today = now.date()
    flows = last_year_flows(
        session, departements=departements, now=now, remedy="la répartition des arrivées est inconnue", loc=["body"]
    )
    offer = replace(
        offer or build_offer(session, departements=departements, now=now, weights=default_weights(settings)),
        departements=departements,
    )
    counts = yearly_counts(parametres.arrivees or flows.nouvelles, parametres.croissance, parametres.annees)
    if sum(counts) > MAX_ARRIVALS:
        # Checked before anything is drawn: 100 000 arrivals doubling for ten years would be a hundred million.
        raise SimulationTropGrande(
            f"la simulation compterait {sum(counts)} arrivées en tout, au-delà de {MAX_ARRIVALS} : réduisez le "
            "nombre d'arrivées, la croissance ou le nombre d'années",
            loc=[*loc, "arrivees"],
        )
    seats = [
        Seat(t.id, t.departement, entry.lat, entry.lon)
        for t in offer.index.tribunals
        if t.departement in departements and (entry := gazetteer.tribunaux.get(t.code)) is not None
    ]
    # Picked, then sorted: France has 35 000 communes, a territory a few hundred.
    communes = sorted((c for c in gazetteer.communes.values() if c.departement in departements), key=lambda c: c.insee)
    start = today + timedelta(days=1)
    arrivals = draw_arrivals(
        communes=communes,
        seats=seats,
        etablissements=repository.etablissements(session, departements=departements),
        mix=flows.mix,
        counts=counts,
        start=start,
        seed=parametres.graine,
    )
    results = simulate_all(
        offer,
        arrivals,
        strategies_of(parametres),
        closure_rate=flows.taux_cloture,
        seed=parametres.graine,
    )
    region_of = {code: d.region for code, d in gazetteer.departements.items() if code in departements and d.region}
    return {
        "territoire": sorted(departements),
        "hypotheses": {
            "annees": parametres.annees,
            "arrivees_par_an": counts,
            "croissance": parametres.croissance,
            "graine": parametres.graine,
            "taux_cloture_annuel": round(flows.taux_cloture, 4),
            "debut": start.isoformat(),
            "professionnels": len(offer.territorial_ids()),
        },
        "resultats": [result.as_dict(region_of) for result in results],
    }
