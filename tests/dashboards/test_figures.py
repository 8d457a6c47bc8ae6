"""Dashboard figures recomputed with plain SQL on the measures (not on the load counters the dashboards read) of
the Hauts-de-France demo register, and compared with what the endpoints answer."""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest

from app.database import utcnow

# Département de rattachement of professional x: its first site, else its first listing.
RATTACHEMENT = """COALESCE(
    (SELECT s.departement FROM site s WHERE s.mandataire_id = x.id ORDER BY s.id LIMIT 1),
    (SELECT MIN(d.departement) FROM mandataire_departement d WHERE d.mandataire_id = x.id))"""
HAUTS_DE_FRANCE = {"02", "59", "60", "62", "80"}


def by_key(rows: list[dict], *keys: str) -> dict[tuple, dict]:
    return {tuple(row[key] for key in keys): row for row in rows}


def test_charge_per_departement_and_type_matches_a_recount_of_the_measures(regional):
    table = regional.get("/tableaux-de-bord/charge").json()
    recount = regional.rows(
        f"""SELECT {RATTACHEMENT} AS dep, x.type,
                   SUM(CASE WHEN m.statut = 'en_cours' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN m.statut = 'en_attente' THEN 1 ELSE 0 END)
            FROM mesure m JOIN mandataire x ON x.id = m.mandataire_id
            WHERE x.statut != 'retire'
            GROUP BY dep, x.type"""
    )
    professionals = regional.rows(
        f"""SELECT dep, type, COUNT(*), SUM(capacite) FROM (
                SELECT {RATTACHEMENT} AS dep, x.type, x.capacite FROM mandataire x WHERE x.statut != 'retire'
            ) AS p GROUP BY dep, type"""
    )
    rows = by_key(table["lignes"], "departement", "type")
    assert set(rows) == {(dep, kind) for dep, kind, _, _ in professionals}
    for dep, kind, count, capacity in professionals:
        assert (rows[(dep, kind)]["professionnels"], rows[(dep, kind)]["capacite"]) == (count, capacity)
    for dep, kind, en_cours, en_attente in recount:
        row = rows[(dep, kind)]
        assert (row["mesures_en_cours"], row["mesures_en_attente"]) == (en_cours, en_attente), (dep, kind)
        held = en_cours + en_attente
        assert row["taux_occupation"] == pytest.approx(held / row["capacite"], abs=1e-4)
    assert {dep for dep, _ in rows} <= HAUTS_DE_FRANCE
    # Each professional counted once: the totals are those of the whole register.
    (total_en_cours,) = regional.rows(
        """SELECT COUNT(*) FROM mesure m JOIN mandataire x ON x.id = m.mandataire_id
           WHERE m.statut = 'en_cours' AND x.statut != 'retire'"""
    )[0]
    assert table["totaux"]["mesures_en_cours"] == total_en_cours
    assert table["totaux"]["professionnels"] == sum(row["professionnels"] for row in table["lignes"])


def test_free_places_and_over_capacity_follow_their_definition(regional):
    table = regional.get("/tableaux-de-bord/charge", par="region").json()
    assert [row["region"] for row in table["lignes"]] == ["32"] * len(table["lignes"])
    loads = regional.rows(
        """SELECT x.capacite, COUNT(m.id) FROM mandataire x
           LEFT JOIN mesure m ON m.mandataire_id = x.id AND m.statut IN ('en_cours', 'en_attente')
           WHERE x.statut != 'retire' GROUP BY x.id, x.capacite"""
    )
    assert table["totaux"]["places_libres"] == sum(max(0, capacity - held) for capacity, held in loads)
    assert table["totaux"]["en_surcapacite"] == sum(1 for capacity, held in loads if held > capacity)


def test_tension_uses_the_population_of_the_communes(regional, gazetteer):
    # Nationally every département is ranked, those without any professional first (no free place).
    national = regional.get("/tableaux-de-bord/tension").json()
    assert len(national["lignes"]) == len(gazetteer.departements)
    assert {row["departement"] for row in national["lignes"][-5:]} <= HAUTS_DE_FRANCE
    table = regional.get("/tableaux-de-bord/tension", caller="agent").json()
    rows = by_key(table["lignes"], "departement")
    assert set(rows) == {(dep,) for dep in HAUTS_DE_FRANCE}
    for (dep,), row in rows.items():
        population = sum(c.population for c in gazetteer.communes.values() if c.departement == dep)
        assert row["population"] == population
        assert row["places_pour_1000"] == pytest.approx(1000 * row["places_libres"] / population, abs=1e-3)
    ranked = [row["places_pour_1000"] for row in table["lignes"]]
    assert ranked == sorted(ranked) and [row["rang"] for row in table["lignes"]] == [1, 2, 3, 4, 5]
    by_occupation = sorted(table["lignes"], key=lambda row: row["rang_occupation"])
    assert [row["taux_occupation"] for row in by_occupation] == sorted(
        (row["taux_occupation"] for row in table["lignes"]), reverse=True
    )


def test_mi_histogram_bands_match_a_recount(regional):
    table = regional.get("/tableaux-de-bord/histogramme-individuels").json()
    loads = [
        held
        for (held,) in regional.rows(
            """SELECT COUNT(m.id) FROM mandataire x
               LEFT JOIN mesure m ON m.mandataire_id = x.id AND m.statut IN ('en_cours', 'en_attente')
               WHERE x.type = 'individuel' AND x.statut != 'retire' GROUP BY x.id"""
        )
    ]
    # Inclusive bounds: 1-30, 31-50, 51-80, 81-100, 101-120, 121-140, 141-160, 161-200, 201 and more.
    bounds = [(0, 0), (1, 30), (31, 50), (51, 80), (81, 100), (101, 120), (121, 140), (141, 160), (161, 200)]
    expected = [sum(1 for n in loads if low <= n <= high) for low, high in bounds] + [sum(1 for n in loads if n > 200)]
    assert [row["individuels"] for row in table["lignes"]] == expected
    assert [row["reference_2012"] for row in table["lignes"]] == [None, 555, 266, 127, 28, 20, 6, 4, 9, 3]
    assert table["totaux"]["individuels"] == len(loads) and table["totaux"]["reference_2012"] == 1018
    assert table["lignes"][1]["tranche"] == "1 à 30" and table["lignes"][-1]["tranche"] == "plus de 200"


def test_belgian_measures_per_year_and_per_professional(regional):
    table = regional.get("/tableaux-de-bord/belgique").json()
    measures = regional.rows(
        "SELECT mandataire_id, date_nomination FROM mesure WHERE pays = 'BE' AND date_nomination IS NOT NULL"
    )
    assert measures, "the regional demo has Belgian measures"
    per_year = Counter(_day(day).year for _, day in measures)
    yearly = {int(key.removeprefix("annee_")): n for key, n in table["totaux"].items() if key.startswith("annee_")}
    assert yearly == dict(per_year)
    per_professional = Counter(mandataire for mandataire, _ in measures)
    assert {row["mandataire_id"]: row["total"] for row in table["lignes"]} == dict(per_professional)
    assert table["totaux"]["total"] == len(measures)
    # A period keeps the years inside it.
    last = max(per_year)
    recent = regional.get("/tableaux-de-bord/belgique", debut=f"{last}-01-01").json()
    assert recent["totaux"]["total"] == per_year[last]
    assert [c["cle"] for c in recent["colonnes"] if c["cle"].startswith("annee_")] == [f"annee_{last}"]


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def test_flux_opened_and_closed_per_month_match_the_measures(regional):
    today = utcnow().date()
    table = regional.get("/tableaux-de-bord/flux").json()
    assert len(table["lignes"]) == 12 and table["lignes"][-1]["mois"] == f"{today:%Y-%m}"
    debut = date.fromisoformat(table["filtres"]["debut"])
    assert debut.day == 1 and table["filtres"]["fin"] == today.isoformat()
    for column, prefix in (("date_nomination", "ouvertes"), ("date_fin_mesure", "eteintes")):
        recount: dict[tuple[str, str], int] = defaultdict(int)
        for day, kind, count in regional.rows(
            f"""SELECT m.{column}, x.type, COUNT(*) FROM mesure m JOIN mandataire x ON x.id = m.mandataire_id
                WHERE m.{column} >= :debut AND m.{column} <= :fin GROUP BY m.{column}, x.type""",
            debut=debut,
            fin=today,
        ):
            recount[(f"{_day(day):%Y-%m}", kind)] += count
        assert sum(recount.values()) > 0
        for row in table["lignes"]:
            for kind in ("service", "individuel", "prepose"):
                assert row[f"{prefix}_{kind}"] == recount.get((row["mois"], kind), 0), (prefix, row["mois"], kind)
            assert row[prefix] == sum(row[f"{prefix}_{kind}"] for kind in ("service", "individuel", "prepose"))
    # The type filter keeps that type's columns only.
    services = regional.get("/tableaux-de-bord/flux", type="service").json()
    keys = [c["cle"] for c in services["colonnes"]]
    assert "ouvertes_service" in keys and "ouvertes_individuel" not in keys and "ouvertes" not in keys
    assert [r["ouvertes_service"] for r in services["lignes"]] == [r["ouvertes_service"] for r in table["lignes"]]


def _median_of_tenths(tenths: list[int]) -> float | None:
    """The note's median: each delay in tenths of a day, halfway between the two middle ones rounded up."""
    if not tenths:
        return None
    ordered = sorted(tenths)
    return (ordered[(len(ordered) - 1) // 2] + ordered[len(ordered) // 2] + 1) // 2 / 10


@pytest.mark.parametrize("departement", [None, "59"])
def test_flux_answers_and_median_delays_match_the_reservations(regional, departement):
    """Whole months come from the monthly counters, the cut ends of a period from the reservations themselves:
    both agree with a recount of the answers one by one, nationally and in a département."""
    today = utcnow().date()
    cut = date(today.year - 1, today.month, 15), today.replace(day=1) - timedelta(days=10)
    for period in ({}, {"debut": cut[0].isoformat(), "fin": cut[1].isoformat()}):
        params = period | ({"departement": departement} if departement else {})
        table = regional.get("/tableaux-de-bord/flux", **params).json()
        debut, fin = (date.fromisoformat(table["filtres"][key]) for key in ("debut", "fin"))
        answers: Counter = Counter()
        delays: dict[str, list[int]] = defaultdict(list)
        for answered, created, statut, dep in regional.rows(
            """SELECT r.answered_at, r.created_at, r.statut, t.departement
               FROM reservation r JOIN tribunal t ON t.id = r.tribunal_id
               WHERE r.statut IN ('acceptee', 'refusee', 'expiree') AND r.answered_at IS NOT NULL"""
        ):
            answered, created = (datetime.fromisoformat(str(v)).replace(microsecond=0) for v in (answered, created))
            if not debut <= answered.date() <= fin or (departement and dep != departement):
                continue
            answers[(f"{answered:%Y-%m}", statut)] += 1
            if statut == "acceptee":
                seconds = max(int((answered - created).total_seconds()), 0)
                delays[f"{answered:%Y-%m}"].append((seconds + 4320) // 8640)
        assert answers[(f"{debut:%Y-%m}", "acceptee")], "cut month at the start"
        # The default period ends today, whose month may hold no answer yet (the 1st): the cut period tests that end.
        assert answers[(f"{fin:%Y-%m}", "acceptee")] or not period, "cut month at the end"
        for row in table["lignes"]:
            for statut in ("acceptee", "refusee", "expiree"):
                assert row[f"reservations_{statut}s"] == answers[(row["mois"], statut)], (row["mois"], statut)
            assert row["delai_median_acceptation_jours"] == _median_of_tenths(delays[row["mois"]]), row["mois"]
        every = [tenths for month in delays.values() for tenths in month]
        assert table["totaux"]["delai_median_acceptation_jours"] == _median_of_tenths(every)


def test_flux_period_is_validated(regional):
    response = regional.client.get(
        "/tableaux-de-bord/flux", headers=regional.headers["admin"], params={"debut": "2026-05-01", "fin": "2026-01-01"}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "periode_invalide"
    response = regional.client.get(
        "/tableaux-de-bord/flux", headers=regional.headers["admin"], params={"debut": "1900-01-01"}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "periode_trop_longue"
    table = regional.get("/tableaux-de-bord/flux", debut="2024-02-15", fin="2024-04-03").json()
    assert [row["mois"] for row in table["lignes"]] == ["2024-02", "2024-03", "2024-04"]


def test_fraicheur_counts_stale_availability(regional):
    threshold = utcnow() - timedelta(days=31)
    stale = {
        dep: (total, old)
        for dep, total, old in regional.rows(
            f"""SELECT dep, COUNT(*), SUM(CASE WHEN old THEN 1 ELSE 0 END) FROM (
                    SELECT {RATTACHEMENT} AS dep, x.derniere_mise_a_jour < :threshold AS old
                    FROM mandataire x WHERE x.statut = 'actif') AS p GROUP BY dep""",
            threshold=threshold.replace(tzinfo=None),
        )
    }
    table = regional.get("/tableaux-de-bord/fraicheur").json()
    assert {row["departement"]: (row["professionnels"], row["perimes"]) for row in table["lignes"]} == stale
    assert table["totaux"]["perimes"] > 0
    listed = regional.get("/tableaux-de-bord/fraicheur", par="mandataire").json()
    assert len(listed["lignes"]) == table["totaux"]["perimes"]
    assert all(row["jours"] > 31 for row in listed["lignes"])


def test_preposes_lists_obliged_establishments_without_one(regional):
    expected = {
        finess
        for (finess,) in regional.rows(
            """SELECT e.finess FROM etablissement e WHERE e.public AND e.places_permanentes > 80
               AND e.categorie IN ('ehpad', 'usld', 'residence_autonomie', 'foyer_accueil_medicalise',
                                   'maison_accueil_specialisee', 'foyer_personnes_handicapees') AND NOT EXISTS (
                   SELECT 1 FROM mandataire_etablissement me JOIN mandataire x ON x.id = me.mandataire_id
                   WHERE me.etablissement_id = e.id AND x.type = 'prepose' AND x.statut = 'actif')"""
        )
    }
    table = regional.get("/tableaux-de-bord/preposes").json()
    assert expected and {row["finess"] for row in table["lignes"]} == expected
    assert all(row["places_permanentes"] > 80 for row in table["lignes"])
    nord = regional.get("/tableaux-de-bord/preposes", caller="agent_59").json()
    assert {row["departement"] for row in nord["lignes"]} == {"59"}
