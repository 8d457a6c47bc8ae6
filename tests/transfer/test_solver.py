"""The transfer solver against independent solves of the same problem: an exhaustive search on tiny instances and
a linear programme in another formulation (the occupancy cost as an epigraph, solved by HiGHS's interior point)."""

import itertools
import random

import numpy as np
import pytest
from scipy.optimize import linprog

from app.transfer.solver import Demand, Option, Room, occupancy_cost, plan_cost, solve


def random_instance(rng: random.Random, measures: int, professionals: int):
    rooms = {}
    sites = {}  # site id → professional
    for p in range(1, professionals + 1):
        capacite = rng.randint(1, 12)
        held = rng.randint(0, capacite)
        rooms[p] = Room(p, capacite - held, held, capacite)
        for s in range(rng.randint(1, 2)):
            sites[p * 10 + s] = p
    site_free = {s: rng.randint(0, 3) for s in sites if rng.random() < 0.4}
    demands = []
    for i in range(1, measures + 1):
        options = []
        for p in rng.sample(sorted(rooms), rng.randint(0, professionals)):
            for s in [s for s, owner in sites.items() if owner == p]:
                options.append(Option(p, s, round(rng.random(), 4)))
        demands.append(Demand(i, tuple(options)))
    return demands, rooms, site_free, sites


def feasible(chosen, rooms, site_free) -> bool:
    taken, at_site = {}, {}
    for option in chosen.values():
        if option is None:
            continue
        taken[option.mandataire_id] = taken.get(option.mandataire_id, 0) + 1
        if option.site_id in site_free:
            at_site[option.site_id] = at_site.get(option.site_id, 0) + 1
    return all(count <= rooms[p].free for p, count in taken.items()) and all(
        count <= site_free[s] for s, count in at_site.items()
    )


def brute_force(demands, rooms, site_free, weight):
    best = None
    for picks in itertools.product(*[(None, *d.options) for d in demands]):
        chosen = {d.mesure_id: pick for d, pick in zip(demands, picks, strict=True)}
        if not feasible(chosen, rooms, site_free):
            continue
        cost, _ = plan_cost(chosen, rooms, weight)
        key = (sum(pick is None for pick in picks), round(cost, 9))
        best = key if best is None or key < best else best
    return best


def epigraph_lp(demands, rooms, site_free, weight, unassigned_cost):
    """Variables: x (measure, option), u (measure unassigned), w (a professional's occupancy cost); w is at least
    every chord of its convex piecewise-linear cost in the number of measures taken."""
    options = [(i, option) for i, d in enumerate(demands) for option in d.options]
    professionals = sorted(rooms)
    n_x, n_u = len(options), len(demands)
    size = n_x + n_u + len(professionals)
    c = np.zeros(size)
    c[:n_x] = [option.cost for _, option in options]
    c[n_x : n_x + n_u] = unassigned_cost
    c[n_x + n_u :] = 1.0
    a_eq = np.zeros((len(demands), size))
    for column, (i, _) in enumerate(options):
        a_eq[i, column] = 1
    for i in range(len(demands)):
        a_eq[i, n_x + i] = 1
    a_ub, b_ub = [], []
    for j, p in enumerate(professionals):
        room = rooms[p]
        taken = np.array([1.0 if option.mandataire_id == p else 0.0 for _, option in options])
        row = np.zeros(size)
        row[:n_x] = taken
        a_ub.append(row), b_ub.append(max(room.free, 0))  # capacity
        values = [0.0]
        for k in range(1, max(room.free, 0) + 1):
            values.append(values[-1] + occupancy_cost(room, k, weight))
        for k in range(len(values) - 1):  # w_p >= values[k] + slope_k (n_p - k)
            slope = values[k + 1] - values[k]
            row = np.zeros(size)
            row[:n_x] = slope * taken
            row[n_x + n_u + j] = -1
            a_ub.append(row), b_ub.append(slope * k - values[k])
    for s, free in site_free.items():
        row = np.zeros(size)
        row[:n_x] = [1.0 if option.site_id == s else 0.0 for _, option in options]
        a_ub.append(row), b_ub.append(free)
    bounds = [(0, 1)] * (n_x + n_u) + [(0, None)] * len(professionals)
    result = linprog(
        c,
        A_ub=np.array(a_ub) if a_ub else None,
        b_ub=b_ub or None,
        A_eq=a_eq,
        b_eq=np.ones(len(demands)),
        bounds=bounds,
        method="highs-ipm",
    )
    assert result.status == 0, result.message
    return result.fun


@pytest.mark.parametrize("seed", range(25))
def test_tiny_instances_match_an_exhaustive_search(seed: int) -> None:
    rng = random.Random(seed)
    demands, rooms, site_free, _ = random_instance(rng, rng.randint(1, 4), rng.randint(1, 3))
    plan = solve(demands, rooms, site_free, occupancy_weight=0.25)
    assert feasible(plan.chosen, rooms, site_free)
    assert (plan.unassigned, round(plan.cost, 9)) == brute_force(demands, rooms, site_free, 0.25)


@pytest.mark.parametrize("seed", range(10))
def test_random_instances_cost_the_optimum_of_an_independent_linear_programme(seed: int) -> None:
    rng = random.Random(1000 + seed)
    demands, rooms, site_free, _ = random_instance(rng, rng.randint(10, 60), rng.randint(3, 12))
    weight = rng.choice([0.0, 0.1, 0.25, 0.6])
    plan = solve(demands, rooms, site_free, occupancy_weight=weight)
    assert feasible(plan.chosen, rooms, site_free)
    for demand in demands:  # every proposal is one of the measure's own options
        assert plan.chosen[demand.mesure_id] is None or plan.chosen[demand.mesure_id] in demand.options
    unassigned_cost = 1000.0
    optimum = epigraph_lp(demands, rooms, site_free, weight, unassigned_cost)
    assert plan.unassigned * unassigned_cost + plan.cost == pytest.approx(optimum, abs=1e-5)


def test_later_measures_cost_more_at_the_same_professional() -> None:
    room = Room(1, free=3, held=7, capacite=10)
    costs = [occupancy_cost(room, k, 0.25) for k in (1, 2, 3)]
    assert costs == sorted(costs) and costs[0] < costs[-1]


def test_a_measure_nobody_can_take_stays_unassigned_and_capacity_holds() -> None:
    rooms = {1: Room(1, free=1, held=9, capacite=10)}
    demands = [Demand(1, (Option(1, None, 0.1),)), Demand(2, (Option(1, None, 0.2),)), Demand(3, ())]
    plan = solve(demands, rooms, {}, occupancy_weight=0.25)
    assert plan.unassigned == 2
    assert plan.chosen[3] is None
    assert [m for m, option in plan.chosen.items() if option] == [1]  # the cheaper one
