"""Replay arrivals of new measures against an offer of professionals, in memory: pure code, no SQLAlchemy.

The offer is a snapshot (the engine's profiles and their live loads); each arrival is designated by a strategy,
the chosen professional's load grows, and measures close day by day at a given annual rate. The registry is never
touched: the state lives in the simulation's own counters.

Every strategy applies the same hard rules (the engine's: territory, status, absence, nature, préposé's
establishment...) and differs only in the order of the eligible professionals:
- `moteur`: the engine's score (as `engine.rank` orders it: score, then distance, then id), full ones skipped;
- `places_libres`: e-MJPM's list mode, most free places first (full ones are not skipped: e-MJPM shows them);
- `plus_proche`: e-MJPM's map mode, nearest first (full ones not skipped either);
- `frontiere`: nearest first among those with room, the distance frontier under the rules.
When every eligible professional is full, each strategy designates its first one anyway (a judge must designate):
that designation is counted beyond capacity. An arrival with no eligible professional is counted without candidate.
"""

from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from math import inf

import numpy as np

from app.matching import engine
from app.matching.engine import LiveLoad, Profile, Query, Scored, Tuning, Weights
from app.matching.index import MatchIndex

MOTEUR = "moteur"
PLACES_LIBRES = "places_libres"
PLUS_PROCHE = "plus_proche"
FRONTIERE = "frontiere"
KINDS = (MOTEUR, PLACES_LIBRES, PLUS_PROCHE, FRONTIERE)
KIND_LABELS = {
    MOTEUR: "moteur de classement",
    PLACES_LIBRES: "e-MJPM, liste : plus de places libres d'abord",
    PLUS_PROCHE: "e-MJPM, carte : plus proche d'abord",
    FRONTIERE: "plus proche ayant de la place (frontière)",
}


@dataclass(frozen=True, slots=True)
class Strategy:
    kind: str
    weights: Weights | None = None  # `moteur` only; None: the weights `/match` uses (the offer's)
    code: str = ""  # how the results name it: the kind by default
    libelle: str = ""  # in French: the kind's label by default


def default_strategies(weights: Weights | None = None) -> list[Strategy]:
    """The engine with the given (or default) weights, e-MJPM's two sorts and the frontier."""
    return [Strategy(MOTEUR, weights), Strategy(PLACES_LIBRES), Strategy(PLUS_PROCHE), Strategy(FRONTIERE)]


@dataclass(frozen=True)
class Offer:
    """The professionals as the simulation starts: the index (static rules, tribunals) and each one's load.

    `departements` is the territory simulated; `now` the snapshot's time (freshness is measured at it, as if every
    professional kept their data as up to date as today)."""

    index: MatchIndex
    loads: Mapping[int, LiveLoad]
    departements: frozenset[str]
    now: datetime
    default_weights: Weights = Weights()  # the engine's, where a département has none of its own

    def weights_for(self, departement: str) -> Weights:
        """The weights `/match` would use for a tribunal of this département."""
        return self.index.weights_by_departement.get(departement) or self.default_weights

    def with_changes(self, *, added: Iterable[tuple[Profile, LiveLoad]] = (), removed: Iterable[int] = ()) -> "Offer":
        """Another offer: professionals added (new ids) or removed; the index is rebuilt, this one unchanged."""
        gone = set(removed)
        profiles = {pid: p for pid, p in self.index.profiles.items() if pid not in gone}
        loads = {pid: load for pid, load in self.loads.items() if pid not in gone}
        for profile, load in added:
            profiles[profile.id] = profile
            loads[profile.id] = load
        return replace(self, index=replace(self.index, profiles=profiles), loads=loads)

    def territorial_ids(self) -> list[int]:
        """The professionals that can receive a measure of the territory: listed in one of its départements or
        for one of its tribunals."""
        tribunals = {t.id for t in self.index.tribunals if t.departement in self.departements}
        return sorted(
            p.id for p in self.index.profiles.values() if p.departements & self.departements or p.tribunaux & tribunals
        )


@dataclass(frozen=True, slots=True)
class Arrival:
    """One new measure to designate: where the person lives, what is asked, which tribunal, when."""

    day: date
    insee: str
    departement: str
    lat: float
    lon: float
    nature: str
    lieu_vie: str
    tribunal_id: int
    etablissement_id: int | None = None


@dataclass(frozen=True, slots=True)
class DepartementResult:
    departement: str
    arrivees: int
    designations: int
    distance_moyenne_km: float | None
    au_dela_capacite: int
    sans_candidat: int


def by_region(departements: Sequence[DepartementResult], region_of: Mapping[str, str]) -> list[dict]:
    """The per-département counts added up by région (`region_of`: a département's région), in région code order;
    a région's mean distance weighs each département's by its designations."""
    totals: dict[str, list] = {}  # region -> [arrivals, designations, distance sum, beyond, none]
    for d in departements:
        counts = totals.setdefault(region_of.get(d.departement, ""), [0, 0, 0.0, 0, 0])
        counts[0] += d.arrivees
        counts[1] += d.designations
        counts[2] += (d.distance_moyenne_km or 0.0) * d.designations
        counts[3] += d.au_dela_capacite
        counts[4] += d.sans_candidat
    return [
        {
            "region": code,
            "arrivees": c[0],
            "designations": c[1],
            "distance_moyenne_km": round(c[2] / c[1], 2) if c[1] else None,
            "au_dela_capacite": c[3],
            "sans_candidat": c[4],
        }
        for code, c in sorted(totals.items())
    ]


@dataclass(frozen=True)
class SimulationResult:
    strategie: str
    libelle: str
    arrivees: int
    designations: int
    distance_moyenne_km: float | None
    distance_p90_km: float | None
    au_dela_capacite: int
    sans_candidat: int
    gini_occupation: float | None  # at the end
    p90_p10_occupation: float | None  # None when the 10th percentile is zero
    occupation_moyenne: float | None
    part_par_exercice: dict[str, float]
    par_departement: list[DepartementResult]
    distances_km: list[float] = field(repr=False, default_factory=list)  # one per designation, for plots
    occupations: list[float] = field(repr=False, default_factory=list)  # one per professional, at the end

    def as_dict(self, region_of: Mapping[str, str] | None = None) -> dict:
        """Plain data for JSON (without the per-designation series); with `region_of` (a département's région),
        the counts by région too."""
        regions = {"par_region": by_region(self.par_departement, region_of)} if region_of is not None else {}
        return {
            "strategie": self.strategie,
            "libelle": self.libelle,
            "arrivees": self.arrivees,
            "designations": self.designations,
            "distance_moyenne_km": self.distance_moyenne_km,
            "distance_p90_km": self.distance_p90_km,
            "au_dela_capacite": self.au_dela_capacite,
            "sans_candidat": self.sans_candidat,
            "gini_occupation": self.gini_occupation,
            "p90_p10_occupation": self.p90_p10_occupation,
            "occupation_moyenne": self.occupation_moyenne,
            "part_par_exercice": self.part_par_exercice,
            "par_departement": [
                {name: getattr(d, name) for name in DepartementResult.__slots__} for d in self.par_departement
            ],
            **regions,
        }


# --- metrics ---------------------------------------------------------------------------------------------


def gini(values: Sequence[float]) -> float | None:
    """Gini coefficient of non-negative values: 0 when all are equal, towards 1 when one holds everything."""
    data = np.sort(np.asarray(values, dtype=np.float64))
    if data.size == 0:
        return None
    total = data.sum()
    if total <= 0:
        return 0.0
    ranks = np.arange(1, data.size + 1)
    return float((2.0 * (ranks * data).sum()) / (data.size * total) - (data.size + 1) / data.size)


def percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if len(values) else None


def p90_p10(values: Sequence[float]) -> float | None:
    low, high = percentile(values, 10), percentile(values, 90)
    if low is None or high is None or low <= 0:
        return None
    return high / low


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --- the simulation ----------------------------------------------------------------------------------------


def daily_closure_probability(annual_rate: float) -> float:
    """The daily chance that a measure closes, given the share of measures that close within a year."""
    return 1.0 - (1.0 - min(max(annual_rate, 0.0), 1.0)) ** (1.0 / 365.0)


@dataclass
class _State:
    """Mutable loads of the simulation: measures held per professional and per antenne with its own capacity, and
    the days of recent designations (the equity criterion's window)."""

    held: dict[int, int]
    sites: dict[int, dict[int, int]]
    recent: dict[int, deque[date]]

    def load(self, profile_id: int, day: date, window: timedelta) -> LiveLoad:
        days = self.recent.get(profile_id)
        if days:
            while days and days[0] <= day - window:
                days.popleft()
        return LiveLoad(self.held.get(profile_id, 0), 0, len(days) if days else 0, self.sites.get(profile_id, {}))


def _order_key(kind: str):
    def distance(s: Scored) -> float:
        return inf if s.raw[0] is None else s.raw[0]

    if kind == MOTEUR:
        return lambda s: (-s.score, distance(s), s.profile.id)
    if kind == PLACES_LIBRES:
        return lambda s: (-s.places_libres, distance(s), s.profile.id)
    return lambda s: (distance(s), s.profile.id)


def choose(kind: str, scored: list[Scored]) -> Scored:
    """The professional a strategy designates among the eligible ones (never empty)."""
    key = _order_key(kind)
    if kind in (MOTEUR, FRONTIERE):
        with_room = [s for s in scored if not s.complet]
        if with_room:
            return min(with_room, key=key)
    return min(scored, key=key)


def simulate(
    offer: Offer,
    arrivals: Sequence[Arrival],
    strategy: Strategy,
    *,
    closure_rate: float = 0.0,
    seed: int = 0,
    tuning: Tuning | None = None,
) -> SimulationResult:
    """Designate every arrival in day order with `strategy`, closing measures at `closure_rate` a year (the same
    seeded draws for every strategy given the same loads), and measure distances, capacity and spread."""
    if strategy.kind not in KINDS:
        raise ValueError(f"stratégie inconnue : {strategy.kind}")
    tuning = tuning or Tuning()
    window = timedelta(days=tuning.equity_window_days)
    index = offer.index
    tracked = offer.territorial_ids()
    start = min((a.day for a in arrivals), default=offer.now.date())
    state = _State(
        held={pid: load.held for pid, load in offer.loads.items()},
        sites={pid: dict(load.sites) for pid, load in offer.loads.items() if load.sites},
        recent={
            pid: deque([start] * load.designations_recentes)
            for pid, load in offer.loads.items()
            if load.designations_recentes
        },
    )
    rng = np.random.default_rng(seed)
    daily = daily_closure_probability(closure_rate)
    closing_ids = np.array(tracked, dtype=np.int64)

    distances: list[float] = []
    by_departement: dict[str, list] = {}  # departement -> [arrivals, designations, distance sum, beyond, none]
    exercices: Counter[str] = Counter()
    beyond = without = 0
    day = start
    ordered = sorted(arrivals, key=lambda a: a.day)
    for arrival in ordered:
        while day < arrival.day:  # close the measures of the days until this arrival
            day += timedelta(days=1)
            if daily > 0 and closing_ids.size:
                _close(state, closing_ids, rng, daily)
        counts = by_departement.setdefault(arrival.departement, [0, 0, 0.0, 0, 0])
        counts[0] += 1
        query = Query(
            tribunal_id=arrival.tribunal_id,
            tribunal_departement=arrival.departement,
            nature=arrival.nature,
            lat=arrival.lat,
            lon=arrival.lon,
            pays="FR",
            lieu_vie=arrival.lieu_vie,
            today=arrival.day,
            now=offer.now,
            etablissement_id=arrival.etablissement_id,
            limit=1,
            diversite=False,
        )
        passing, _ = index.candidates(query)
        if not passing:
            without += 1
            counts[4] += 1
            continue
        eligible = [(profile, state.load(profile.id, arrival.day, window)) for profile in passing]
        weights = strategy.weights or offer.weights_for(arrival.departement)
        chosen = choose(strategy.kind, engine.score_all(eligible, query, weights, tuning))
        profile = chosen.profile
        state.held[profile.id] = state.held.get(profile.id, 0) + 1
        if chosen.site is not None and chosen.site.capacite is not None:
            own = state.sites.setdefault(profile.id, {})
            own[chosen.site.id] = own.get(chosen.site.id, 0) + 1
        state.recent.setdefault(profile.id, deque()).append(arrival.day)
        exercices[profile.type] += 1
        counts[1] += 1
        if chosen.complet:
            beyond += 1
            counts[3] += 1
        if chosen.raw[0] is not None:
            distances.append(chosen.raw[0])
            counts[2] += chosen.raw[0]

    occupations = [
        state.held.get(pid, 0) / index.profiles[pid].capacite
        for pid in tracked
        if index.profiles[pid].capacite > 0 and index.profiles[pid].statut == engine.ACTIVE
    ]
    designated = sum(exercices.values())
    return SimulationResult(
        strategie=strategy.code or strategy.kind,
        libelle=strategy.libelle or KIND_LABELS[strategy.kind],
        arrivees=len(ordered),
        designations=designated,
        distance_moyenne_km=_rounded(float(np.mean(distances)) if distances else None, 2),
        distance_p90_km=_rounded(percentile(distances, 90), 2),
        au_dela_capacite=beyond,
        sans_candidat=without,
        gini_occupation=_rounded(gini(occupations), 4),
        p90_p10_occupation=_rounded(p90_p10(occupations), 3),
        occupation_moyenne=_rounded(float(np.mean(occupations)) if occupations else None, 4),
        part_par_exercice={
            exercice: round(exercices[exercice] / designated, 4) if designated else 0.0 for exercice in engine.EXERCICES
        },
        par_departement=[
            DepartementResult(
                departement=code,
                arrivees=c[0],
                designations=c[1],
                distance_moyenne_km=round(c[2] / c[1], 2) if c[1] else None,
                au_dela_capacite=c[3],
                sans_candidat=c[4],
            )
            for code, c in sorted(by_departement.items())
        ],
        distances_km=distances,
        occupations=occupations,
    )


def _close(state: _State, ids: np.ndarray, rng: np.random.Generator, daily: float) -> None:
    """One day of closures: each measure held closes with probability `daily`; an antenne with its own capacity
    loses its share of them (drawn without replacement among the professional's measures)."""
    held = np.fromiter((state.held.get(int(pid), 0) for pid in ids), dtype=np.int64, count=ids.size)
    closed = rng.binomial(held, daily)
    for position in np.flatnonzero(closed).tolist():
        pid, count = int(ids[position]), int(closed[position])
        state.held[pid] -= count
        own = state.sites.get(pid)
        if own:
            site_ids = list(own)
            colors = [own[s] for s in site_ids]
            colors.append(max(int(held[position]) - sum(colors), 0))
            drawn = rng.multivariate_hypergeometric(colors, min(count, sum(colors)))
            for site_id, removed in zip(site_ids, drawn.tolist(), strict=False):
                own[site_id] -= removed


def simulate_all(
    offer: Offer,
    arrivals: Sequence[Arrival],
    strategies: Iterable[Strategy],
    *,
    closure_rate: float = 0.0,
    seed: int = 0,
    tuning: Tuning | None = None,
) -> list[SimulationResult]:
    """Each strategy on the same arrivals and the same closure draws' seed."""
    return [
        simulate(offer, arrivals, strategy, closure_rate=closure_rate, seed=seed, tuning=tuning)
        for strategy in strategies
    ]
