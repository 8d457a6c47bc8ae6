"""Arrivals drawn for a territory: reproducible with a seed, in the observed mix, from the populated communes,
persons in an establishment placed at one, each at the nearest tribunal seat of its département."""

from collections import Counter
from datetime import date

from app.geo.gazetteer import Commune
from app.planning.arrivals import Seat, draw_arrivals, tribunal_of_communes, yearly_counts
from app.planning.repository import EtablissementRef

LILLE = Commune("59350", "Lille", "59", "32", ("59000",), 230_000, 50.63, 3.07)
DOUAI = Commune("59178", "Douai", "59", "32", ("59500",), 40_000, 50.37, 3.08)
EMPTY = Commune("59999", "Nulle part", "59", "32", (), 0, 50.5, 3.0)
SEATS = [Seat(1, "59", 50.63, 3.06), Seat(2, "59", 50.37, 3.09)]
EHPAD = EtablissementRef(9, "59178", "59", 50.36, 3.07, 80)


def draw(seed=4, counts=(400,), mix=None):
    mix = mix or {("tutelle", "domicile"): 3, ("curatelle_renforcee", "etablissement"): 1}
    return draw_arrivals(
        communes=[LILLE, DOUAI, EMPTY],
        seats=SEATS,
        etablissements=[EHPAD],
        mix=mix,
        counts=list(counts),
        start=date(2027, 1, 1),
        seed=seed,
    )


def test_the_same_seed_gives_the_same_arrivals_and_another_seed_others():
    assert draw(4) == draw(4)
    assert draw(4) != draw(5)


def test_arrivals_follow_the_mix_and_the_population_in_day_order():
    arrivals = draw()
    assert [a.day for a in arrivals] == sorted(a.day for a in arrivals)
    assert date(2027, 1, 1) <= arrivals[0].day and arrivals[-1].day <= date(2027, 12, 31)
    kinds = Counter((a.nature, a.lieu_vie) for a in arrivals)
    assert 0.65 < kinds["tutelle", "domicile"] / 400 < 0.85
    at_home = Counter(a.insee for a in arrivals if a.lieu_vie == "domicile")
    assert at_home["59999"] == 0 and at_home["59350"] > 3 * at_home["59178"]
    in_care = [a for a in arrivals if a.lieu_vie == "etablissement"]
    assert in_care and all((a.etablissement_id, a.lat, a.tribunal_id) == (9, 50.36, 2) for a in in_care)


def test_each_commune_goes_to_the_nearest_seat_and_years_grow():
    assert tribunal_of_communes([LILLE, DOUAI], SEATS) == {"59350": 1, "59178": 2}
    assert yearly_counts(1000, 0.1, 3) == [1000, 1100, 1210]
    assert len(draw(counts=(10, 20))) == 30
