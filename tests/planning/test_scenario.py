"""Scenarios on a hand-built offer: additions, removals and caps land in a copy, never in the offer given; the
offer's suppliers for "where to add" skip who cannot take a resident's measure."""

from app.geo.gazetteer import Commune
from app.matching.engine import LiveLoad, Profile
from app.matching.index import MatchIndex, TribunalRef
from app.planning.placement import suppliers_of
from app.planning.scenario import Ajout, Scenario, apply
from app.planning.simulation import Offer
from tests import support
from tests.support import NOW

TRIBUNAL = TribunalRef(7, "TJ-LILLE", None, "59")
COMMUNES = {"59350": Commune("59350", "Lille", "59", "32", ("59000",), 236234, 50.63, 3.07)}


def profile(id: int, **overrides) -> Profile:
    return support.profile(id, 50.4, 3.1, **{"natures": frozenset({"tutelle"}), "capacite": 10, **overrides})


PROFILES = [
    profile(1),
    profile(2, rayon_km=30, capacite=40),
    profile(3, type="prepose"),
    profile(4, statut="suspendu"),
    profile(5, departements=frozenset({"62"})),
    profile(6, capacite=5),
]
OFFER = Offer(
    index=MatchIndex(version=1, profiles={p.id: p for p in PROFILES}, tribunals=[TRIBUNAL]),
    loads={p.id: LiveLoad(8, 0) for p in PROFILES},
    departements=frozenset({"59"}),
    now=NOW,
)


def test_a_scenario_edits_a_copy():
    scenario = Scenario(
        ajouts=(Ajout("59350", 45, nombre=2), Ajout("59350", 120, "service")),
        retraits=frozenset({2}),
        plafonds={1: 30, 2: 99},
    )
    edited = apply(OFFER, scenario, COMMUNES)
    added = sorted(pid for pid in edited.index.profiles if pid < 0)
    assert added == [-3, -2, -1]
    new = edited.index.profiles[-1]
    assert (new.type, new.capacite, new.departements, new.statut) == ("individuel", 45, frozenset({"59"}), "actif")
    assert "mjagbf" not in new.natures and "tutelle" in new.natures
    assert new.sites[0].lat == 50.63 and edited.loads[-1].held == 0
    assert edited.index.profiles[-3].type == "service"
    assert 2 not in edited.index.profiles  # removed, its cap ignored
    assert edited.index.profiles[1].capacite == 30
    assert -1 in edited.territorial_ids()
    # The offer given is unchanged.
    assert sorted(OFFER.index.profiles) == [1, 2, 3, 4, 5, 6]
    assert OFFER.index.profiles[1].capacite == 10
    assert OFFER.index.by_departement["59"] == [1, 2, 3, 4, 6]


def test_an_empty_scenario_is_empty():
    assert Scenario().vide
    assert not Scenario(croissance=0.1).vide


def test_suppliers_are_those_who_can_take_a_residents_measure():
    suppliers = {s.id: s for s in suppliers_of(OFFER, default_radius_km=55)}
    assert sorted(suppliers) == [1, 2, 6]  # not the préposé, the suspended one, nor the one listed elsewhere
    assert suppliers[1].rayon_km == 55 and suppliers[2].rayon_km == 30
    assert suppliers[1].places_libres == 2 and suppliers[2].places_libres == 32
    assert suppliers[6].places_libres == 0  # over capacity: no room, never negative
    assert suppliers[1].sites == ((50.4, 3.1),)
