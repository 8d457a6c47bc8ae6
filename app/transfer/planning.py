"""From measures to the solver's problem and back to explained proposals. Pure code: no FastAPI, no SQLAlchemy.

Each measure is asked what `/match` would ask for it (its tribunal, nature, residence, lieu de vie, établissement,
the person's year of birth, the professional who stops excluded), so every proposal passes every eligibility rule
`/match` applies. The engine scores each eligible professional; the solver's static cost is what the engine's score
leaves to gain on every criterion but capacity (`1 - sub-score`, weighted as the engine weighs it), and capacity is
the solver's occupancy cost, so that the plan's total cost is the engine's score summed over the plan.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from app.matching import engine
from app.matching.index import MatchIndex
from app.transfer.solver import Demand, Option, Room, solve

ALTERNATIVES = 3
NO_CANDIDATE = "aucun_candidat"
ALL_FULL = "capacite_epuisee"
REASONS = {
    NO_CANDIDATE: "aucun professionnel ne remplit les règles de désignation pour cette mesure",
    ALL_FULL: "les professionnels éligibles n'ont plus de place libre une fois le plan réparti",
}


@dataclass(frozen=True, slots=True)
class MeasureRequest:
    """A measure of the plan and the engine's question about it."""

    mesure_id: int
    query: engine.Query


@dataclass(slots=True)
class Proposal:
    mandataire_id: int
    nom: str
    type: str
    site_id: int | None
    site_nom: str | None
    distance_km: float | None
    cout: float
    explication: str


@dataclass(slots=True)
class MeasurePlan:
    mesure_id: int
    proposition: Proposal | None
    alternatives: list[Proposal]
    motif: str | None  # why nobody is proposed
    exclusions: dict[str, int]


@dataclass(slots=True)
class TransferPlan:
    mesures: list[MeasurePlan]
    cout_total: float
    sans_proposition: int
    poids: engine.Weights


def static_cost(scored: engine.Scored, weights: engine.Weights) -> float:
    """What the engine's score leaves to gain on every criterion but capacity, as a share of the total weight."""
    weight_of = weights.as_dict()
    total = sum(weight_of.values()) or 1.0
    return sum(
        weight_of[name] / total * (1.0 - sub)
        for (name, _), sub in zip(engine.CRITERIA, scored.subs, strict=True)
        if name != "capacite"
    )


def occupancy_weight(weights: engine.Weights) -> float:
    weight_of = weights.as_dict()
    return weight_of["capacite"] / (sum(weight_of.values()) or 1.0)


def plan(
    requests: list[MeasureRequest],
    *,
    index: MatchIndex,
    read_loads: Callable[[list[int]], dict[int, engine.LiveLoad]],
    weights_for: Callable[[str], engine.Weights],
    tuning: engine.Tuning,
) -> TransferPlan:
    """The optimal plan for these measures. `read_loads` reads the live load of the professionals it is given
    (once, for every eligible one); `weights_for` gives a département's weights. Static costs use each measure's
    département's weights; the occupancy weight is that of the département holding most of the measures."""
    queries = [request.query for request in requests]
    candidates = [index.candidates(query) for query in queries]
    loads = read_loads(sorted({profile.id for passing, _ in candidates for profile in passing}))
    demands, scored_by_measure, exclusions_by_measure = [], {}, {}
    for request, query, (passing, exclusions) in zip(requests, queries, candidates, strict=True):
        weights = weights_for(query.tribunal_departement)
        eligible = [(profile, loads[profile.id]) for profile in passing if profile.id in loads]
        scored = {s.profile.id: s for s in engine.score_all(eligible, query, weights, tuning)}
        scored_by_measure[request.mesure_id] = (scored, weights)
        exclusions_by_measure[request.mesure_id] = dict(exclusions)
        options = tuple(
            Option(s.profile.id, s.site.id if s.site else None, round(static_cost(s, weights), 6))
            for s in scored.values()
        )
        demands.append(Demand(request.mesure_id, options))
    main_departement = Counter(query.tribunal_departement for query in queries).most_common(1)
    used_weights = weights_for(main_departement[0][0]) if main_departement else engine.Weights()

    rooms, site_free = {}, {}
    for demand in demands:
        for option in demand.options:
            if option.mandataire_id in rooms:
                continue
            profile, load = index.profiles[option.mandataire_id], loads[option.mandataire_id]
            rooms[option.mandataire_id] = Room(profile.id, profile.capacite - load.held, load.held, profile.capacite)
            for site in profile.sites:
                if site.capacite is not None:
                    site_free[site.id] = site.capacite - load.sites.get(site.id, 0)
    solved = solve(demands, rooms, site_free, occupancy_weight(used_weights))

    taken: Counter[int] = Counter(o.mandataire_id for o in solved.chosen.values() if o is not None)
    measures = []
    for demand in demands:
        scored, weights = scored_by_measure[demand.mesure_id]
        chosen = solved.chosen[demand.mesure_id]
        proposal = _proposal(scored[chosen.mandataire_id], chosen, rooms, taken, weights) if chosen else None
        others = sorted(
            (o for o in demand.options if chosen is None or o.mandataire_id != chosen.mandataire_id),
            key=lambda o: (o.cost, o.mandataire_id),
        )[:ALTERNATIVES]
        alternatives = [_proposal(scored[o.mandataire_id], o, rooms, taken, weights) for o in others]
        motif = None if chosen else (ALL_FULL if demand.options else NO_CANDIDATE)
        measures.append(
            MeasurePlan(demand.mesure_id, proposal, alternatives, motif, exclusions_by_measure[demand.mesure_id])
        )
    return TransferPlan(measures, round(solved.cost, 6), solved.unassigned, used_weights)


def _proposal(
    scored: engine.Scored, option: Option, rooms: dict[int, Room], taken: Counter[int], weights: engine.Weights
) -> Proposal:
    profile, room = scored.profile, rooms[option.mandataire_id]
    after = room.held + taken[option.mandataire_id]
    distance = scored.raw[0]
    parts = [engine.EXERCICE_LABEL.get(profile.type, profile.type)]
    if distance is not None:
        parts.append(f"à {distance:.0f} km" + (f" ({scored.site.nom})" if scored.site else ""))
    if room.capacite:
        parts.append(f"occupation après le transfert {after / room.capacite:.0%} ({after}/{room.capacite})")
    if room.free - taken[option.mandataire_id] < 0 or room.free <= 0:
        parts.append("complet")
    sentence = ", ".join(parts)
    return Proposal(
        mandataire_id=profile.id,
        nom=profile.nom,
        type=profile.type,
        site_id=scored.site.id if scored.site else None,
        site_nom=scored.site.nom if scored.site else None,
        distance_km=None if distance is None else round(distance, 2),
        cout=option.cost,
        explication=sentence[0].upper() + sentence[1:] + ".",
    )
