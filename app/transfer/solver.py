"""The transfer plan's optimisation: which professional takes each measure, solved exactly. Pure code.

The problem: every measure has options (an eligible professional, at one of its sites), each with a static cost
(the engine's criteria but capacity: distance, profile, freshness, equity, each weighted as `/match` weighs them);
a professional takes at most its free places, an antenne with its own capacity at most its own; each measure a
professional takes also costs `occupancy_weight` × its occupancy right after taking it, so that the k-th measure
given to the same professional costs more than the first (the engine's capacity criterion, summed along the
transfer). A measure may stay unassigned at a cost greater than any whole plan, so the plan first assigns as many
measures as capacity allows, then minimises the total cost.

It is a min-cost flow (source → measure → [antenne →] professional → sink, the occupancy cost as unit arcs of
increasing cost), written as a linear programme whose constraint matrix is totally unimodular (measure rows and
professional/antenne rows form two laminar families): its basic optimal solutions are integral, so HiGHS's dual
simplex (SciPy) solves the integer problem exactly. Should a solution come back fractional, the same programme is
solved again with integrality constraints (HiGHS's MIP), so the answer is always an exact optimum.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy.optimize import LinearConstraint

# scipy is imported by the functions that solve, when first called: importing it costs every process of the
# application about a second on a busy machine.

INTEGRALITY_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Option:
    """One way to place a measure: a professional, at one of its sites (None: no site), and its static cost."""

    mandataire_id: int
    site_id: int | None
    cost: float


@dataclass(frozen=True, slots=True)
class Demand:
    mesure_id: int
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class Room:
    """A professional's room before the transfer: free places, measures held and declared capacity."""

    mandataire_id: int
    free: int
    held: int
    capacite: int


@dataclass(frozen=True, slots=True)
class Plan:
    chosen: dict[int, Option | None]  # measure id → its option, None when nobody can take it
    cost: float  # of the assigned measures: static costs plus occupancy costs
    unassigned: int


def occupancy_cost(room: Room, k: int, occupancy_weight: float) -> float:
    """What the k-th measure given to this professional (k = 1, 2, …) costs: the weight × occupancy after it.
    Increasing in k, so the programme fills a professional's cheaper units first."""
    if room.capacite <= 0:
        return occupancy_weight
    return occupancy_weight * min((room.held + k) / room.capacite, 1.0)


def plan_cost(
    chosen: dict[int, Option | None], rooms: dict[int, Room], occupancy_weight: float
) -> tuple[float, dict[int, int]]:
    """The cost of an assignment (static costs plus each professional's occupancy costs) and the measures each
    professional takes."""
    taken: dict[int, int] = defaultdict(int)
    static = 0.0
    for option in chosen.values():
        if option is not None:
            static += option.cost
            taken[option.mandataire_id] += 1
    occupancy = sum(
        occupancy_cost(rooms[p], k, occupancy_weight) for p, count in taken.items() for k in range(1, count + 1)
    )
    return static + occupancy, dict(taken)


def solve(
    demands: Sequence[Demand], rooms: dict[int, Room], site_free: dict[int, int], occupancy_weight: float
) -> Plan:
    """The optimal plan. `rooms` holds every professional named by an option; `site_free` the free places of the
    antennes that carry their own capacity (others are absent)."""
    if not demands:
        return Plan({}, 0.0, 0)
    largest = max((option.cost for demand in demands for option in demand.options), default=0.0)
    unassigned_cost = (len(demands) + 1) * (1.0 + largest + max(occupancy_weight, 0.0))  # above any whole plan

    program = _Program(len(demands))
    placements: dict[int, tuple[int, Option]] = {}  # column → (demand index, option)
    demanded: dict[int, int] = defaultdict(int)
    for i, demand in enumerate(demands):
        for option in demand.options:
            rows = [i, program.row("mandataire", option.mandataire_id)]
            if option.site_id is not None and option.site_id in site_free:
                rows.append(program.row("site", option.site_id))
            placements[program.column(option.cost, {row: 1.0 for row in rows})] = (i, option)
        for mandataire_id in {option.mandataire_id for option in demand.options}:
            demanded[mandataire_id] += 1
        program.column(unassigned_cost, {i: 1.0})
    for (kind, mandataire_id), row in list(program.rows.items()):
        if kind != "mandataire":
            continue
        room = rooms[mandataire_id]
        for k in range(1, min(max(room.free, 0), demanded[mandataire_id]) + 1):
            program.column(occupancy_cost(room, k, occupancy_weight), {row: -1.0})  # measures taken = units used
    limits = {row: float(max(site_free[key], 0)) for (kind, key), row in program.rows.items() if kind == "site"}
    x = program.solve(limits)

    chosen: dict[int, Option | None] = {demand.mesure_id: None for demand in demands}
    for column, (i, option) in placements.items():
        if x[column] > 0.5:
            chosen[demands[i].mesure_id] = option
    cost, _ = plan_cost(chosen, rooms, occupancy_weight)
    return Plan(chosen, cost, sum(1 for option in chosen.values() if option is None))


class _Program:
    """The linear programme, built column by column. Rows 0..n-1 place each measure once (= 1); a professional's
    row balances its measures against its occupancy units (= 0); an antenne's row bounds its measures (≤ free)."""

    def __init__(self, measures: int) -> None:
        self.measures = measures
        self.rows: dict[tuple[str, int], int] = {}
        self.costs: list[float] = []
        self.entries: tuple[list[int], list[int], list[float]] = ([], [], [])

    def row(self, kind: str, key: int) -> int:
        return self.rows.setdefault((kind, key), self.measures + len(self.rows))

    def column(self, cost: float, coefficients: dict[int, float]) -> int:
        column = len(self.costs)
        self.costs.append(cost)
        for row, value in coefficients.items():
            self.entries[0].append(row)
            self.entries[1].append(column)
            self.entries[2].append(value)
        return column

    def solve(self, upper_limits: dict[int, float]) -> np.ndarray:
        from scipy.optimize import LinearConstraint
        from scipy.sparse import csr_array

        count = self.measures + len(self.rows)
        lower = np.zeros(count)
        lower[: self.measures] = 1.0
        upper = lower.copy()
        for row, limit in upper_limits.items():
            lower[row], upper[row] = -np.inf, limit
        rows, columns, values = self.entries
        matrix = csr_array((values, (rows, columns)), shape=(count, len(self.costs)))
        return _solve(np.asarray(self.costs), LinearConstraint(matrix, lower, upper))


def _solve(c: np.ndarray, constraint: "LinearConstraint") -> np.ndarray:
    """The relaxation first (integral at a basic optimum, see the module's docstring), integrality only if not."""
    from scipy.optimize import Bounds, milp

    for integrality in (np.zeros_like(c), np.ones_like(c)):
        result = milp(c, constraints=constraint, integrality=integrality, bounds=Bounds(0, 1))
        if result.status != 0:
            raise RuntimeError(f"plan de transfert : échec du solveur ({result.message})")
        if np.abs(result.x - np.round(result.x)).max(initial=0.0) <= INTEGRALITY_TOLERANCE:
            break
    return np.round(result.x)
