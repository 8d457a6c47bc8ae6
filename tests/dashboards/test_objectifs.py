"""The objectifs table's actual at a date (`reel`), recomputed here from the measures and professionals by the
definitions of its note, at dates on both sides of the counters' half-year split: 1 January, the first half,
30 June and 1 July, the second half, 31 December, a date before any measure, yesterday and today. First on
measures written through the API with every case the counters treat apart (ended in either half, on a boundary,
ended without an end date, named at an unknown date), then on the regional demo's history with plain SQL."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from app.database import utcnow
from tests.registry.factories import mandataire_body, mesure_body

LILLE_TJ, MARSEILLE_TJ = "17590111500709", "TGIMARSEIL"
TYPES = {"mandataires_individuels": "individuel", "services": "service", "preposes": "prepose"}
ECHEANCE = "2031-06-30"  # apart from the other modules' targets on the regional demo


@dataclass(frozen=True)
class Measure:
    departement: str
    nomination: date | None
    fin: date | None
    statut: str
    entered: date  # the day of its entry in the register


def in_progress(measures: list[Measure], departement: str, at: date) -> int:
    """Measures in progress at the end of `at`: named by then (entered by then when the nomination is unknown),
    not pending, and not ended by then (an ended measure without end date never is in progress)."""
    return sum(
        1
        for m in measures
        if m.departement == departement
        and m.statut != "en_attente"
        and (m.nomination <= at if m.nomination else m.entered <= at)
        and (m.fin > at if m.fin else m.statut == "en_cours")
    )


def around(days: list[date]) -> list[date]:
    """Each day, the day before and the day after, with the year's boundaries and halves of each year touched."""
    years = {d.year for d in days}
    marks = {*days, *(date(y, 1, 1) for y in years), *(date(y, 6, 30) for y in years)}
    marks |= {date(y, 7, 1) for y in years} | {date(y, 12, 31) for y in years}
    return sorted({d + timedelta(days=k) for d in marks for k in (-1, 0, 1)})


def reel_by_date(client, headers, at: date) -> dict[tuple[str, str], int | None]:
    response = client.get("/tableaux-de-bord/objectifs", headers=headers, params={"date": at.isoformat()})
    assert response.status_code == 200, response.text
    return {
        (row["departement"], row["indicateur"]): row["reel"]
        for row in response.json()["lignes"]
        if row["echeance"] == ECHEANCE
    }


def test_measures_in_progress_at_any_date_follow_every_case_of_the_counters(client, admin):
    today = utcnow().date()
    last, before = today.year - 1, today.year - 2
    lille = client.post("/mandataires", json=mandataire_body(capacite=100), headers=admin).json()["id"]
    cases = [  # (tribunal, nomination, end, status)
        (LILLE_TJ, date(before, 3, 10), None, "en_cours"),
        (LILLE_TJ, date(before, 11, 20), date(last, 2, 10), "eteinte"),  # ended in the first half
        (LILLE_TJ, date(before, 5, 5), date(last, 9, 15), "eteinte"),  # in the second half
        (LILLE_TJ, date(last, 1, 1), date(last, 12, 31), "eteinte"),  # the year's first and last days
        (LILLE_TJ, date(last, 6, 30), date(last, 7, 1), "eteinte"),  # across the split
        (LILLE_TJ, date(last, 7, 1), None, "en_cours"),
        (LILLE_TJ, date(last, 12, 31), None, "en_cours"),
        (LILLE_TJ, date(last, 4, 4), None, "eteinte"),  # ended, end date unknown: never counted
        (LILLE_TJ, date(before, 2, 2), None, "eteinte"),
        (LILLE_TJ, date(last, 2, 2), date(today.year, 1, 1), "eteinte"),
        (LILLE_TJ, date(today.year, 3, 3), None, "en_cours"),
        (LILLE_TJ, None, None, "en_cours"),  # named at an unknown date: counted from its entry, today
        (LILLE_TJ, today, None, "en_cours"),
        (MARSEILLE_TJ, date(last, 3, 3), None, "en_cours"),  # another département
    ]
    measures = []
    for tribunal, nomination, fin, statut in cases:
        body = mesure_body(mandataire=lille, tribunal=tribunal, statut=statut)
        body |= {"date_nomination": nomination and nomination.isoformat(), "date_fin_mesure": fin and fin.isoformat()}
        if statut == "eteinte":
            body["cause_sortie"] = "deces"
        if tribunal == MARSEILLE_TJ:
            body["residence"] = {"insee": "13055"}
        response = client.post("/mesures", json=body, headers=admin)
        assert response.status_code == 201, response.text
        measures.append(Measure("59" if tribunal == LILLE_TJ else "13", nomination, fin, statut, today))
    for departement in ("59", "13"):
        target = {"departement": departement, "indicateur": "mesures_en_cours", "cible": 20, "echeance": ECHEANCE}
        response = client.post("/schema/objectifs", json=target, headers=admin)
        assert response.status_code == 201, response.text
    days = around([d for c in cases for d in c[1:3] if d] + [date(before - 1, 6, 1), today]) + [today]
    assert days[0] < min(m.nomination for m in measures if m.nomination)  # a date before any measure
    seen = set()
    for at in [d for d in days if d <= today]:
        expected = {(dep, "mesures_en_cours"): in_progress(measures, dep, at) for dep in ("59", "13")}
        assert reel_by_date(client, admin, at) == expected, at
        seen.add(expected[("59", "mesures_en_cours")])
    assert len(seen) >= 6  # the dates do tell the cases apart


@pytest.fixture(scope="module")
def targets(regional) -> list[str]:
    """A target of every indicator in each département of Hauts-de-France, its starting value left to the
    register (at a date in the first half of a past year)."""
    departements = ["02", "59", "60", "62", "80"]
    start = date(utcnow().year - 2, 3, 15)
    for departement in departements:
        for indicateur in (*TYPES, "mesures_en_cours"):
            response = regional.client.post(
                "/schema/objectifs",
                headers=regional.headers["admin"],
                json={
                    "departement": departement,
                    "indicateur": indicateur,
                    "cible": 1000,
                    "echeance": ECHEANCE,
                    "date_initiale": start.isoformat(),
                },
            )
            assert response.status_code == 201, response.text
    return departements


def _day(value) -> date:
    """A date, or the day of a datetime, as either database returns them."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def test_actual_of_the_regional_demo_at_any_date_matches_a_recount(regional, targets):
    today = utcnow().date()
    measures = [
        Measure(departement, nomination and _day(nomination), fin and _day(fin), statut, _day(created_at))
        for departement, nomination, fin, statut, created_at in regional.rows(
            """SELECT t.departement, m.date_nomination, m.date_fin_mesure, m.statut, m.created_at
               FROM mesure m JOIN tribunal t ON t.id = m.tribunal_id"""
        )
    ]
    professionals = [
        (departement, kind, _day(created_at))
        for departement, kind, created_at in regional.rows(
            """SELECT d.departement, x.type, x.created_at FROM mandataire_departement d
               JOIN mandataire x ON x.id = d.mandataire_id WHERE x.statut = 'actif'"""
        )
    ]
    assert any(m.nomination and m.nomination.year < today.year - 3 for m in measures)  # a history to go through
    first = min(m.nomination for m in measures if m.nomination)
    days = [first - timedelta(days=1), today - timedelta(days=1), today]
    for year in range(today.year - 3, today.year + 1):
        days += [date(year, 1, 1), date(year, 3, 15), date(year, 6, 30), date(year, 7, 1), date(year, 10, 20)]
        days += [date(year, 12, 31)]
    starts = {}
    for at in sorted(d for d in set(days) if d <= today):
        expected = {}
        for departement in targets:
            expected[(departement, "mesures_en_cours")] = in_progress(measures, departement, at)
            for indicateur, kind in TYPES.items():
                expected[(departement, indicateur)] = sum(
                    1 for d, k, entered in professionals if (d, k) == (departement, kind) and entered <= at
                )
        assert reel_by_date(regional.client, regional.headers["admin"], at) == expected, at
        starts[at] = expected
    assert len({tuple(sorted(e.items())) for e in starts.values()}) > len(starts) // 2  # figures that move
    # The starting value a target takes from the register is the same count.
    start = date(today.year - 2, 3, 15)
    recorded = regional.get("/schema/objectifs").json()
    given = {(o["departement"], o["indicateur"]): o["valeur_initiale"] for o in recorded if o["echeance"] == ECHEANCE}
    assert given == starts[start]
