"""Where to add K new mandataires individuels (MI) of a given capacity in a territory. Pure code.

The model, for one horizon (a year of arrivals):
- demand: the expected arrivals of each commune of the territory (`population_demand` spreads a total by
  population, or the caller passes the simulation's arrivals);
- offer: the professionals able to take them, each with its sites, its radius (declared, or the distance norm)
  and its free places; a new MI sits at a commune, with `capacite` places and the norm as radius;
- an arrival is *covered* when it can be given to a professional with a free place within that professional's
  radius. The assignment of arrivals to places is the best one (`assign`), a transport problem solved exactly by
  HiGHS (SciPy): first as many covered arrivals as possible, then, among those plans, the least total distance.
  Everything else (eligibility by nature, préposés, absences) is left to the simulation, which measures the
  proposal's effect with the engine itself.

The objective is lexicographic: first the arrivals without a candidate within the norm, then the mean distance.

Choosing the K communes is a capacitated facility-location problem (NP-hard). It is solved by the greedy: K
times, each candidate commune is scored by what a new MI there would take at once, lexicographically (arrivals
it covers among those still uncovered within its radius, at most `capacite`; then the distance it saves on the
remaining places, moving the arrivals that gain most), the best is added (ties: the most populated commune, then
the INSEE code), and the assignment is solved again exactly with it, which also re-balances the places it frees.
Guarantee: the gains are those of weighted maximum coverage (a new MI covers the uncovered arrivals within its
radius, up to its capacity), and for that monotone submodular function the greedy covers at least (1 − 1/e) ≈ 63 %
of what the best K communes would (Nemhauser, Wolsey & Fisher 1978), the best ratio a polynomial algorithm can
promise (Feige 1998), when the capacity exceeds the demand within reach. The exact re-solve after each pick may
cover more than that function counts (places the new MI frees elsewhere), so for the whole model the bound is
checked, not proven: the tests compare the greedy with the exhaustive optimum on small random instances.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.geo.distance import haversine_km, nearest_km
from app.matching.engine import ACTIVE, Tuning
from app.planning.simulation import Offer
from app.registry.constants import MandataireType

# Below this many arrivals, nothing is covered (no mean distance).
COVER_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune of the territory: a place of demand and a candidate site."""

    insee: str
    nom: str
    lat: float
    lon: float
    population: int
    demande: float  # expected arrivals over the horizon


@dataclass(frozen=True, slots=True)
class Supplier:
    """A professional able to take arrivals: its sites' coordinates, its radius and its free places."""

    id: int
    sites: tuple[tuple[float, float], ...]
    rayon_km: float
    places_libres: float


@dataclass(frozen=True, slots=True)
class Assignment:
    sans_candidat: float  # arrivals with no free place within reach
    couvertes: float
    distance_moyenne_km: float | None  # over the covered arrivals
    per_commune: np.ndarray  # covered arrivals of each commune, in the order given
    km_per_commune: np.ndarray  # their mean distance (0 where none is covered)
    per_supplier: np.ndarray  # arrivals taken by each supplier, in the order given


@dataclass(frozen=True, slots=True)
class Pick:
    insee: str
    nom: str
    couvertes: float  # arrivals without a candidate that this MI covers, as scored when picked
    gain_km: float  # distance saved on the arrivals it takes from others, as scored when picked


@dataclass(frozen=True, slots=True)
class Proposal:
    picks: list[Pick]
    avant: Assignment
    apres: Assignment


def population_demand(communes: Sequence[tuple[str, str, float, float, int]], total: float) -> list[Commune]:
    """Spread `total` arrivals over (insee, nom, lat, lon, population) in proportion to population."""
    population = sum(max(c[4], 0) for c in communes)
    return [
        Commune(insee, nom, lat, lon, pop, total * max(pop, 0) / population if population else 0.0)
        for insee, nom, lat, lon, pop in communes
    ]


def suppliers_of(offer: Offer, *, default_radius_km: float = Tuning().default_radius_km) -> list[Supplier]:
    """The offer's professionals that can take a resident's measure of the territory: active, accepting new
    measures, not préposés (they take their établissements' residents only), with their free places (never below
    zero) and their declared radius, or the default one (the engine's, or the norm the caller gives)."""
    suppliers = []
    for mandataire_id in offer.territorial_ids():
        profile = offer.index.profiles[mandataire_id]
        if profile.statut != ACTIVE or not profile.accepte_nouvelles_mesures or not profile.sites:
            continue
        if profile.type == MandataireType.PREPOSE:
            continue
        load = offer.loads.get(mandataire_id)
        held = load.held if load is not None else 0
        suppliers.append(
            Supplier(
                id=mandataire_id,
                sites=tuple((site.lat, site.lon) for site in profile.sites),
                rayon_km=float(profile.rayon_km or default_radius_km),
                places_libres=float(max(profile.capacite - held, 0)),
            )
        )
    return suppliers


def supplier_distances(suppliers: Sequence[Supplier], communes: Sequence[Commune]) -> np.ndarray:
    """(suppliers × communes) distance from each commune to the supplier's nearest site, in km."""
    lat = np.array([c.lat for c in communes])
    lon = np.array([c.lon for c in communes])
    out = np.full((len(suppliers), len(communes)), np.inf)
    for row, supplier in enumerate(suppliers):
        sites = np.array(supplier.sites, dtype=np.float64).reshape(-1, 2)
        out[row] = nearest_km(lat, lon, sites[:, 0], sites[:, 1])
    return out


def assign(
    suppliers: Sequence[Supplier], communes: Sequence[Commune], distances: np.ndarray | None = None
) -> Assignment:
    """The best assignment of the communes' arrivals to the suppliers' free places within their radius: the most
    covered arrivals, then the least total distance (a linear programme; a transport matrix is totally unimodular,
    so with whole numbers of arrivals and places the optimum is whole too). `distances`: `supplier_distances`'s."""
    # scipy is imported here, by the one function that solves: importing it costs every process of the application
    # about a second on a busy machine.
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    demand = np.array([c.demande for c in communes], dtype=np.float64)
    distances = supplier_distances(suppliers, communes) if distances is None else distances
    free = np.array([max(s.places_libres, 0.0) for s in suppliers], dtype=np.float64)
    radius = np.array([s.rayon_km for s in suppliers], dtype=np.float64)
    rows, cols = np.nonzero((distances <= radius[:, None]) & (free[:, None] > 0) & (demand[None, :] > 0))
    x = np.zeros(rows.size)
    cost = distances[rows, cols]
    if rows.size:
        n = rows.size
        variables = np.arange(n)
        matrix = csr_array(
            (np.ones(2 * n), (np.concatenate([cols, len(communes) + rows]), np.concatenate([variables, variables]))),
            shape=(len(communes) + len(suppliers), n),
        )
        # One programme, lexicographic by construction: each covered arrival earns `bonus`, more than any
        # rearrangement can add in distance (an augmenting path crosses at most min(suppliers, communes) arcs), so
        # the optimum covers the most arrivals, and among those plans the least total distance.
        bonus = (min(len(suppliers), len(communes)) + 1) * float(cost.max()) + 1.0
        result = linprog(cost - bonus, A_ub=matrix, b_ub=np.concatenate([demand, free]), method="highs")
        if result.status != 0:
            raise RuntimeError(f"implantations : échec du solveur ({result.message})")
        x = np.round(np.clip(result.x, 0.0, None), 6)  # to a millionth of an arrival
    per_commune = np.bincount(cols, weights=x, minlength=len(communes)).astype(np.float64)
    km = np.bincount(cols, weights=x * cost, minlength=len(communes)).astype(np.float64)
    covered = float(per_commune.sum())
    return Assignment(
        sans_candidat=max(float(demand.sum()) - covered, 0.0),
        couvertes=covered,
        distance_moyenne_km=float(km.sum() / covered) if covered > COVER_TOLERANCE else None,
        per_commune=per_commune,
        km_per_commune=np.divide(km, per_commune, out=np.zeros_like(km), where=per_commune > 0),
        per_supplier=np.bincount(rows, weights=x, minlength=len(suppliers)).astype(np.float64),
    )


def propose(
    suppliers: Sequence[Supplier],
    communes: Sequence[Commune],
    k: int,
    capacite: float,
    rayon_km: float,
) -> Proposal:
    """The K communes where a new MI of `capacite` places and radius `rayon_km` does most good, by the greedy
    of the module's docstring, with the assignment before and after."""
    lat = np.array([c.lat for c in communes])
    lon = np.array([c.lon for c in communes])
    demand = np.array([c.demande for c in communes], dtype=np.float64)
    between = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])  # candidate × commune
    reach = (between <= rayon_km).astype(np.float64)
    # Ties go to the most populated commune, then the smallest INSEE code.
    order = np.array(sorted(range(len(communes)), key=lambda i: (-communes[i].population, communes[i].insee)))

    offer = list(suppliers)
    distances = supplier_distances(offer, communes)
    avant = current = assign(offer, communes, distances)
    picks: list[Pick] = []
    open_ = np.ones(len(communes), dtype=bool)
    for step in range(min(k, len(communes))):
        uncovered = np.clip(demand - current.per_commune, 0.0, None)
        covers = np.minimum(reach @ uncovered, capacite)
        saving = _savings(between, current.km_per_commune, current.per_commune, capacite - covers)
        # Lexicographic best among the open candidates, the first in `order` on ties (rounding absorbs noise).
        keys = np.lexsort((-np.arange(len(order)), np.round(saving[order], 6), np.round(covers[order], 6)))
        ranked = [order[j] for j in keys[::-1] if open_[order[j]]]
        i = int(ranked[0])
        open_[i] = False
        picks.append(Pick(communes[i].insee, communes[i].nom, float(covers[i]), float(saving[i])))
        offer.append(Supplier(-(step + 1), ((communes[i].lat, communes[i].lon),), rayon_km, capacite))
        distances = np.vstack([distances, between[i][None, :]])
        current = assign(offer, communes, distances)
    return Proposal(picks, avant, current)


def _savings(between: np.ndarray, served_km: np.ndarray, served: np.ndarray, room: np.ndarray) -> np.ndarray:
    """For each candidate, the distance saved by moving to it the covered arrivals that gain most, up to its
    remaining room: per candidate, savings sorted in decreasing order, amounts summed up to the room."""
    gain = np.clip(served_km[None, :] - between, 0.0, None) * (served[None, :] > 0)
    order = np.argsort(-gain, axis=1)
    gain_sorted = np.take_along_axis(gain, order, axis=1)
    amount = served[order] * (gain_sorted > 0)
    before = np.cumsum(amount, axis=1) - amount
    taken = np.clip(np.minimum(amount, room[:, None] - before), 0.0, None)
    return (taken * gain_sorted).sum(axis=1)
