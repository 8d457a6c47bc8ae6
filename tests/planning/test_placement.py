"""Where to add new MI: the assignment against a hand-made optimum, the greedy against the exhaustive optimum."""

import itertools
import random

import numpy as np
import pytest

from app.planning.placement import Commune, Supplier, assign, population_demand, propose


def commune(insee: str, lat: float, lon: float, demande: float, population: int = 1000) -> Commune:
    return Commune(insee, f"Commune {insee}", lat, lon, population, demande)


# Along a parallel near Lille: 0.1° of longitude ≈ 7.3 km. A professional at the west end with room for 10;
# a town 80 km east (out of every reach) with 6 arrivals.
LAT = 50.6
WEST = [commune("59001", LAT, 3.0, 4), commune("59002", LAT, 3.1, 4)]
EAST = commune("59900", LAT, 4.1, 6, population=5000)
MIDDLE = commune("59500", LAT, 3.55, 0, population=20000)  # the most populated, with no arrivals of its own
COMMUNES = [*WEST, MIDDLE, EAST]
OFFER = [Supplier(1, ((LAT, 3.0),), 50.0, 10)]


def test_assign_covers_within_radius_and_capacity():
    result = assign(OFFER, COMMUNES)
    assert result.couvertes == pytest.approx(8)
    assert result.sans_candidat == pytest.approx(6)
    assert result.per_commune.tolist() == pytest.approx([4, 4, 0, 0])
    assert result.distance_moyenne_km == pytest.approx(7.07 / 2, abs=0.1)  # half at 0 km, half at ~7 km


def test_assign_takes_the_nearest_arrivals_when_places_are_short():
    short = [Supplier(1, ((LAT, 3.0),), 50.0, 5)]
    result = assign(short, COMMUNES)
    assert result.couvertes == pytest.approx(5)
    assert result.per_commune.tolist() == pytest.approx([4, 1, 0, 0])  # the farther commune waits


def test_the_greedy_picks_the_uncovered_town_first():
    proposal = propose(OFFER, COMMUNES, k=1, capacite=40, rayon_km=30)
    assert [p.insee for p in proposal.picks] == ["59900"]  # not the big town in the middle, which reaches nobody new
    assert proposal.picks[0].couvertes == pytest.approx(6)
    assert proposal.avant.sans_candidat == pytest.approx(6)
    assert proposal.apres.sans_candidat == pytest.approx(0)


def test_once_everyone_is_covered_the_greedy_saves_distance():
    covered = [Supplier(1, ((LAT, 3.0),), 200.0, 100)]
    proposal = propose(covered, COMMUNES, k=1, capacite=40, rayon_km=30)
    assert proposal.avant.sans_candidat == pytest.approx(0)
    assert proposal.picks[0].insee == "59900"  # its 6 arrivals travel 80 km today
    assert proposal.apres.distance_moyenne_km < proposal.avant.distance_moyenne_km


def test_capacity_limits_what_one_mi_covers():
    proposal = propose(OFFER, COMMUNES, k=1, capacite=4, rayon_km=30)
    assert proposal.picks[0].couvertes == pytest.approx(4)
    assert proposal.apres.sans_candidat == pytest.approx(2)


def test_population_demand_spreads_the_total():
    communes = population_demand([("1", "A", 0, 0, 300), ("2", "B", 0, 1, 100), ("3", "C", 0, 2, 0)], 8)
    assert [c.demande for c in communes] == pytest.approx([6, 2, 0])


def random_instance(rng: random.Random):
    communes = [
        commune(f"{i:05d}", 50 + rng.random(), 2.5 + 1.5 * rng.random(), rng.randint(0, 12), rng.randint(1, 9999))
        for i in range(7)
    ]
    suppliers = [
        Supplier(s, ((50 + rng.random(), 2.5 + 1.5 * rng.random()),), rng.choice([20.0, 40.0]), rng.randint(0, 15))
        for s in range(rng.randint(0, 3))
    ]
    return suppliers, communes


@pytest.mark.parametrize("seed", range(5))
def test_the_greedy_against_every_choice_of_communes(seed):
    """The exhaustive optimum of the covered arrivals over every K-subset of communes: the greedy reaches at least
    (1 − 1/e) of the arrivals the best subset adds; with capacity above any reachable demand, the guarantee's case."""
    rng = random.Random(seed)
    suppliers, communes = random_instance(rng)
    k, radius = 2, 35.0
    for capacite in (200, 6):
        proposal = propose(suppliers, communes, k=k, capacite=capacite, rayon_km=radius)
        base = proposal.avant.couvertes
        best = max(
            assign(
                [
                    *suppliers,
                    *(
                        Supplier(-1 - n, ((communes[i].lat, communes[i].lon),), radius, capacite)
                        for n, i in enumerate(subset)
                    ),
                ],
                communes,
            ).couvertes
            for subset in itertools.combinations(range(len(communes)), k)
        )
        assert proposal.apres.couvertes <= best + 1e-6
        if capacite == 200:
            assert proposal.apres.couvertes - base >= (1 - 1 / np.e) * (best - base) - 1e-6
