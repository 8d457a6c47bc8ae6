"""The pure ranking engine: one test per eligibility rule, properties of the score, diversity, determinism."""

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.matching import engine
from app.matching.engine import LiveLoad, Query, SiteProfile, Tuning, Weights
from tests.support import LILLE, NOW, profile

TUNING = Tuning()


def query(**overrides) -> Query:
    values = dict(
        tribunal_id=7,
        tribunal_departement="59",
        nature="tutelle",
        lat=LILLE[0],
        lon=LILLE[1],
        pays="FR",
        lieu_vie="domicile",
        today=NOW.date(),
        now=NOW,
    )
    values.update(overrides)
    return Query(**values)


def run(profiles_and_loads, q=None, weights=Weights()):
    q = q or query()
    exclusions, passing = Counter(), []
    for p, load in profiles_and_loads:
        reason = engine.static_exclusion(p, q)
        if reason:
            exclusions[reason] += 1
        else:
            passing.append((p, load))
    return engine.rank(len(profiles_and_loads), exclusions, passing, q, weights, TUNING)


FREE = LiveLoad(en_cours=10, en_attente=0)


@pytest.mark.parametrize(
    ("changes", "request_changes", "reason"),
    [
        ({"departements": frozenset({"62"})}, {}, engine.HORS_DEPARTEMENT),
        ({"tribunaux": frozenset({8})}, {}, engine.RESTREINT_AUTRES_TRIBUNAUX),
        ({"statut": "suspendu"}, {}, engine.STATUT_INACTIF),
        ({"statut": "cessation"}, {}, engine.STATUT_INACTIF),
        ({}, {"exclure": frozenset({1})}, engine.EXCLU_PAR_JUGE),
        ({"absences": ((date(2026, 11, 20), date(2026, 11, 30)),)}, {}, engine.ABSENT),
        ({"accepte_nouvelles_mesures": False}, {}, engine.N_ACCEPTE_PAS),
        ({}, {"nature": "curatelle_simple"}, engine.NATURE_NON_COUVERTE),
        ({"natures": frozenset({"mjagbf"})}, {"nature": "mjagbf"}, engine.MJAGBF_SANS_DPF),
        (
            {"type": "prepose", "etablissements": frozenset({5})},
            {"etablissement_id": 6},
            engine.PREPOSE_HORS_ETABLISSEMENT,
        ),
        ({"type": "prepose", "etablissements": frozenset({5})}, {}, engine.PREPOSE_HORS_ETABLISSEMENT),
        ({}, {"pays": "BE"}, engine.BELGIQUE_NON_COUVERTE),
    ],
)
def test_each_eligibility_rule_excludes_with_its_reason(changes, request_changes, reason):
    assert engine.static_exclusion(profile(), query()) is None
    assert engine.static_exclusion(profile(**changes), query(**request_changes)) == reason


def test_passing_each_rule_is_possible():
    listed_for_tribunal = profile(departements=frozenset({"62"}), tribunaux=frozenset({7}))
    assert engine.static_exclusion(listed_for_tribunal, query()) is None
    dpf = profile(dpf=True, natures=frozenset({"mjagbf"}))
    assert engine.static_exclusion(dpf, query(nature="mjagbf")) is None
    prepose = profile(type="prepose", etablissements=frozenset({5}))
    assert engine.static_exclusion(prepose, query(etablissement_id=5, lieu_vie="etablissement")) is None
    belgian = profile(specialites=frozenset({"belgique"}))
    assert engine.static_exclusion(belgian, query(pays="BE")) is None
    absent_later = profile(absences=((date(2026, 12, 1), date(2026, 12, 31)),))
    assert engine.static_exclusion(absent_later, query()) is None


def test_full_professionals_are_excluded_unless_asked_then_listed_last():
    full = (profile(id=1), LiveLoad(en_cours=38, en_attente=2))
    free = (profile(id=2, lat=49.0), FREE)
    result = run([full, free])
    assert [c.profile.id for c in result.candidats] == [2]
    assert result.exclusions == {engine.COMPLET: 1}
    with_full = run([full, free], query(inclure_complets=True))
    assert [(c.profile.id, c.complet) for c in with_full.candidats] == [(2, False), (1, True)]


def test_antenne_with_its_own_capacity_decides_capacity_and_distance():
    near_full = SiteProfile(11, "Antenne pleine", *LILLE, 5)
    far_free = SiteProfile(12, "Antenne libre", 50.3, 3.0, 20)
    service = profile(id=1, type="service", capacite=200, sites=(near_full, far_free))
    (candidate,) = run([(service, LiveLoad(en_cours=25, en_attente=0, sites={11: 5, 12: 0}))]).candidats
    assert candidate.site.id == 12
    assert candidate.composantes[1].valeur == 1.0


def test_exclusion_counts_add_up_to_the_number_considered():
    population = [
        (profile(id=1), FREE),
        (profile(id=2, statut="retire"), FREE),
        (profile(id=3, departements=frozenset({"80"})), FREE),
        (profile(id=4), LiveLoad(40, 0)),
        (profile(id=5, accepte_nouvelles_mesures=False), FREE),
        (profile(id=6), FREE),
    ]
    result = run(population, query(limit=1))
    assert result.considered == 6
    assert result.eligibles + sum(result.exclusions.values()) == result.considered
    assert result.eligibles == 2 and len(result.candidats) == 1


def test_diversity_adds_the_best_of_a_missing_exercice_and_flags_it():
    near = [(profile(id=i), FREE) for i in range(1, 4)]
    far_service = (profile(id=9, type="service", lat=50.2, capacite=300), LiveLoad(150, 0))
    result = run([*near, far_service], query(limit=2))
    assert [c.profile.id for c in result.candidats] == [1, 2, 9]
    assert [c.ajoute_pour_diversite for c in result.candidats] == [False, False, True]
    assert "ajouté pour proposer un service mandataire" in result.candidats[2].explication
    without = run([*near, far_service], query(limit=2, diversite=False))
    assert [c.profile.id for c in without.candidats] == [1, 2]


def test_ties_break_on_distance_then_id_and_answers_are_repeatable():
    population = [(profile(id=i), FREE) for i in (5, 3, 4)]
    first = run(population)
    assert [c.profile.id for c in first.candidats] == [3, 4, 5]
    assert [c.rang for c in first.candidats] == [1, 2, 3]
    again = run(list(reversed(population)))
    assert [(c.profile.id, c.score, c.explication) for c in again.candidats] == [
        (c.profile.id, c.score, c.explication) for c in first.candidats
    ]


def test_score_is_the_weighted_sum_of_its_components():
    (candidate,) = run(
        [(profile(specialites=frozenset({"psychiatrie"})), LiveLoad(20, 0, designations_recentes=1))],
        query(besoins=frozenset({"psychiatrie", "handicap"})),
    ).candidats
    assert 0 <= candidate.score <= 1
    assert candidate.score == pytest.approx(sum(c.contribution for c in candidate.composantes), abs=1e-3)
    by_name = {c.critere: c for c in candidate.composantes}
    assert by_name["capacite"].valeur == 0.5 and by_name["profil"].sous_score == 0.75
    assert candidate.explication.startswith("Mandataire individuel, à 0 km")


def test_beyond_the_declared_radius_the_score_is_small_and_flagged():
    near = engine.distance_score(5, 60, TUNING)
    at_radius = engine.distance_score(60, 60, TUNING)
    beyond = engine.distance_score(120, 60, TUNING)
    assert near == 1.0 and at_radius == pytest.approx(TUNING.score_at_radius) and beyond < at_radius / 2
    far = profile(lat=LILLE[0] + 1.0, rayon_km=50)
    (candidate,) = run([(far, FREE)]).candidats
    assert candidate.hors_zone_declaree and "au-delà de sa zone" in candidate.explication


def test_stale_data_weighs_less_and_is_flagged():
    fresh, stale = profile(id=1), profile(id=2, derniere_mise_a_jour=NOW - timedelta(days=90))
    result = run([(stale, FREE), (fresh, FREE)])
    assert [c.profile.id for c in result.candidats] == [1, 2]
    assert result.candidats[1].donnees_anciennes and not result.candidats[0].donnees_anciennes


def test_urgency_doubles_capacity_and_freshness_weights():
    result = run([(profile(), FREE)], query(urgence=True))
    assert result.weights == Weights(distance=0.65, capacite=0.3, profil=0.15, fraicheur=0.05, equite=0.025)


kms = st.floats(min_value=0, max_value=300, allow_nan=False)
loads = st.integers(min_value=0, max_value=39)


def score(p, load, q=None):
    return engine.evaluate(p, load, q or query(), Weights(), TUNING).score


@given(closer=kms, further=kms, radius=st.one_of(st.none(), st.integers(20, 150)))
def test_moving_closer_never_lowers_the_score(closer, further, radius):
    closer, further = sorted((closer, further))
    to_lat = lambda km: LILLE[0] + km / 111.195  # noqa: E731 - due north, 1 degree of latitude
    near, far = profile(lat=to_lat(closer), rayon_km=radius), profile(lat=to_lat(further), rayon_km=radius)
    assert score(near, FREE) >= score(far, FREE)


@given(more=loads, less=loads)
def test_more_free_capacity_never_lowers_the_score(more, less):
    busy, free = sorted((more, less), reverse=True)
    assert score(profile(), LiveLoad(free, 0)) >= score(profile(), LiveLoad(busy, 0))


@given(
    have=st.frozensets(st.sampled_from(["psychiatrie", "handicap", "fin_de_vie", "belgique"])),
    extra=st.sampled_from(["psychiatrie", "handicap", "fin_de_vie", "belgique"]),
    needs=st.frozensets(st.sampled_from(["psychiatrie", "handicap", "fin_de_vie"]), min_size=1),
)
def test_a_requested_speciality_never_lowers_the_score(have, extra, needs):
    q = query(besoins=needs)
    assert score(profile(specialites=have | {extra}), FREE, q) >= score(profile(specialites=have), FREE, q)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["actif", "suspendu"]),
            st.booleans(),
            st.integers(0, 45),
            st.sampled_from(["59", "62"]),
            st.sampled_from(["individuel", "service", "prepose"]),
        ),
        max_size=30,
    ),
    st.integers(1, 5),
)
def test_counts_always_add_up(rows, limit):
    population = [
        (
            profile(
                id=i,
                statut=statut,
                accepte_nouvelles_mesures=accepts,
                departements=frozenset({dep}),
                type=kind,
                etablissements=frozenset({1}),
            ),
            LiveLoad(held, 0),
        )
        for i, (statut, accepts, held, dep, kind) in enumerate(rows, start=1)
    ]
    result = run(population, query(limit=limit, etablissement_id=1, lieu_vie="etablissement"))
    assert result.eligibles + sum(result.exclusions.values()) == result.considered == len(rows)
    assert len([c for c in result.candidats if not c.ajoute_pour_diversite]) == min(limit, result.eligibles)


def test_replacing_weights_changes_the_order():
    near_busy = (profile(id=1), LiveLoad(36, 0))
    far_free = (profile(id=2, lat=LILLE[0] + 0.4), LiveLoad(0, 0))
    assert run([near_busy, far_free], weights=Weights(1, 0, 0, 0, 0)).candidats[0].profile.id == 1
    assert run([near_busy, far_free], weights=replace(Weights(), distance=0, capacite=1)).candidats[0].profile.id == 2


def test_a_prepose_of_the_etablissement_is_at_hand_and_first_among_comparable_candidates():
    """Its site may be its own hospital, elsewhere: it exercises inside the établissements it covers."""
    at_ehpad = profile(id=5, type="prepose", lat=LILLE[0] + 0.3, etablissements=frozenset({3}))
    others = [(profile(id=i, lat=LILLE[0] + 0.01 * i), FREE) for i in range(1, 5)]
    q = query(etablissement_id=3, lieu_vie="etablissement")
    result = run([*others, (at_ehpad, FREE)], q)
    first = result.candidats[0]
    assert (first.profile.id, first.distance_km, first.ajoute_pour_diversite) == (5, 0.0, False)
    assert "exerce dans l'établissement où vit la personne" in first.explication
    # Not covering the établissement, the same préposé is measured from its site (as "why not" shows it).
    elsewhere = engine.evaluate(at_ehpad, FREE, query(etablissement_id=4, lieu_vie="etablissement"), Weights(), TUNING)
    assert elsewhere.distance_km > 30 and not elsewhere.dans_etablissement


def test_what_was_asked_for_comes_first_however_free_or_new_the_others_are():
    """Psychiatrie and personnes âgées asked for: the professional who has them is not overtaken by an empty new
    profile without them, nor by a freer one a little nearer."""
    asked = frozenset({"psychiatrie", "personnes_agees"})
    specialist = profile(id=1, lat=LILLE[0] + 0.05, specialites=asked, derniere_mise_a_jour=NOW - timedelta(days=60))
    busy = LiveLoad(en_cours=36, en_attente=0, designations_recentes=3)
    empty_new = profile(id=2, inscrit_le=NOW - timedelta(days=2), derniere_mise_a_jour=NOW)
    half = profile(id=3, specialites=frozenset({"psychiatrie"}))
    # Weights where free places weigh enough for the empty new profile to score higher than the busy specialist.
    freer = Weights(distance=0.35, capacite=0.25, profil=0.2, fraicheur=0.1, equite=0.1)
    result = run([(empty_new, LiveLoad(0, 0)), (half, FREE), (specialist, busy)], query(besoins=asked), weights=freer)
    assert [c.profile.id for c in result.candidats] == [1, 3, 2]
    assert result.candidats[0].score < result.candidats[2].score  # ahead by what was asked, not by score
    assert "spécialité(s) demandée(s) : personnes âgées, psychiatrie" in result.candidats[0].explication
    # Beyond its declared zone, a specialist does not jump ahead of those at hand.
    far = profile(id=4, lat=LILLE[0] + 1.5, rayon_km=50, specialites=asked)
    assert run([(far, FREE), (half, FREE)], query(besoins=asked)).candidats[0].profile.id == 3


def test_a_new_professional_enters_capped_for_its_first_days():
    """The stated rule: capacity and equity count at most `newcomer_cap` for `newcomer_days` days."""
    established = profile(id=1, lat=LILLE[0] + 0.05)  # 5.6 km: within the full-score distance, like the new one
    load = LiveLoad(en_cours=12, en_attente=0, designations_recentes=1)  # 70 % free, one recent designation
    new = profile(id=2, inscrit_le=NOW - timedelta(days=TUNING.newcomer_days - 1))
    result = run([(new, LiveLoad(0, 0)), (established, load)])
    assert [c.profile.id for c in result.candidats] == [1, 2]
    entering = result.candidats[1]
    by_name = {c.critere: c for c in entering.composantes}
    assert by_name["capacite"].valeur == 1.0 and by_name["capacite"].sous_score == TUNING.newcomer_cap
    assert by_name["equite"].sous_score == TUNING.newcomer_cap
    assert entering.nouveau and "nouveau sur la liste" in entering.explication
    settled = replace(new, inscrit_le=NOW - timedelta(days=TUNING.newcomer_days))
    assert [c.profile.id for c in run([(settled, LiveLoad(0, 0)), (established, load)]).candidats] == [2, 1]


def test_a_language_asked_for_ranks_who_speaks_it_first_and_says_so():
    dutch = profile(id=2, lat=LILLE[0] + 0.2, langues=frozenset({"nl", "en"}))
    result = run([(profile(id=1), FREE), (dutch, FREE)], query(langues=frozenset({"nl"})))
    assert [c.profile.id for c in result.candidats] == [2, 1]
    assert "parle néerlandais" in result.candidats[0].explication
    assert "parle" not in result.candidats[1].explication
    assert [c.profile.id for c in run([(profile(id=1), FREE), (dutch, FREE)]).candidats] == [1, 2]
