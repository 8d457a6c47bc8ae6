"""The pure simulation: metrics on known values, each strategy's choice on small hand-built offers, closures,
determinism, and the offer left unchanged."""

from datetime import date, timedelta

import pytest

from app.matching.engine import LiveLoad, Profile
from app.matching.index import MatchIndex, TribunalRef
from app.planning import simulation
from app.planning.simulation import Arrival, Offer, Strategy
from tests import support
from tests.support import LILLE, NOW

DOUAI = (50.3714, 3.0800)  # about 29 km south of Lille
TRIBUNAL = TribunalRef(7, "TJ-LILLE", None, "59")


def profile(id, lat, lon, capacite=10, **overrides) -> Profile:
    natures = frozenset({"tutelle", "curatelle_renforcee"})
    return support.profile(id, lat, lon, **{"natures": natures, "capacite": capacite, **overrides})


def offer(*pairs: tuple[Profile, int]) -> Offer:
    index = MatchIndex(version=1, profiles={p.id: p for p, _ in pairs}, tribunals=[TRIBUNAL])
    return Offer(
        index=index, loads={p.id: LiveLoad(held, 0) for p, held in pairs}, departements=frozenset({"59"}), now=NOW
    )


def arrivals(count: int, *, at=LILLE, nature="tutelle", start=date(2026, 12, 1)) -> list[Arrival]:
    return [
        Arrival(start + timedelta(days=i), "59350", "59", at[0], at[1], nature, "domicile", TRIBUNAL.id)
        for i in range(count)
    ]


def test_gini_of_equal_values_is_zero_and_of_one_holder_is_near_one():
    assert simulation.gini([0.5, 0.5, 0.5, 0.5]) == 0.0
    assert simulation.gini([0, 0, 0, 1]) == pytest.approx(0.75)  # (n - 1) / n for one holder of n
    assert simulation.gini([1, 2, 3, 4]) == pytest.approx(0.25)
    assert simulation.gini([]) is None


def test_p90_p10_is_none_when_the_low_decile_is_empty():
    assert simulation.p90_p10([0.0] * 5 + [1.0] * 5) is None
    assert simulation.p90_p10([1.0, 2.0]) == pytest.approx(1.9 / 1.1)


def test_nearest_first_overfills_while_the_frontier_and_the_engine_keep_within_capacity():
    near, far = profile(1, *LILLE, capacite=3), profile(2, *DOUAI, capacite=10)
    base = offer((near, 2), (far, 0))
    results = {r.strategie: r for r in simulation.simulate_all(base, arrivals(4), simulation.default_strategies())}
    assert results["plus_proche"].au_dela_capacite == 3  # 1 place left, then 3 beyond
    assert results["plus_proche"].distance_moyenne_km == 0.0
    assert results["frontiere"].au_dela_capacite == 0
    assert results["frontiere"].distance_moyenne_km == pytest.approx(3 * 29 / 4, rel=0.05)
    assert results["moteur"].au_dela_capacite == 0
    # e-MJPM's list mode takes the professional with the most free places, however far.
    assert results["places_libres"].distance_moyenne_km == pytest.approx(29, rel=0.05)
    assert results["places_libres"].part_par_exercice == {"service": 0.0, "individuel": 1.0, "prepose": 0.0}


def test_when_everyone_is_full_each_strategy_still_designates_beyond_capacity():
    base = offer((profile(1, *LILLE, capacite=1), 1))
    for result in simulation.simulate_all(base, arrivals(2), simulation.default_strategies()):
        assert (result.designations, result.au_dela_capacite, result.sans_candidat) == (2, 2, 0)


def test_hard_rules_apply_to_every_strategy_and_an_arrival_without_eligible_professional_is_counted():
    base = offer((profile(1, *LILLE), 0))
    for result in simulation.simulate_all(base, arrivals(3, nature="mjagbf"), simulation.default_strategies()):
        assert (result.designations, result.sans_candidat) == (0, 3)
        assert result.par_departement[0].sans_candidat == 3


def test_closures_free_places_and_are_reproducible_with_a_seed():
    base = offer((profile(1, *LILLE, capacite=100), 100))
    late = arrivals(1, start=date(2027, 11, 30))
    first = arrivals(1) + late
    strategy = Strategy(simulation.FRONTIERE)
    closed = simulation.simulate(base, first, strategy, closure_rate=0.5, seed=3)
    again = simulation.simulate(base, first, strategy, closure_rate=0.5, seed=3)
    kept = simulation.simulate(base, first, strategy, closure_rate=0.0, seed=3)
    assert kept.occupations == [1.02] and kept.au_dela_capacite == 2
    assert closed.occupations == again.occupations
    assert closed.occupations[0] < 0.7 and closed.au_dela_capacite == 1  # about half closed in a year
    assert base.loads[1] == LiveLoad(100, 0)  # the offer is never changed


def test_an_offer_with_changes_adds_and_removes_professionals_without_touching_the_original():
    base = offer((profile(1, *LILLE, capacite=1), 1))
    added = base.with_changes(added=[(profile(2, *DOUAI), LiveLoad(0, 0))], removed=[1])
    assert sorted(added.index.profiles) == [2] and sorted(base.index.profiles) == [1]
    result = simulation.simulate(added, arrivals(1), Strategy(simulation.MOTEUR))
    assert result.au_dela_capacite == 0 and result.distance_moyenne_km == pytest.approx(29, rel=0.05)
