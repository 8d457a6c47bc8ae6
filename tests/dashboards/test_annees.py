"""The yearly table (`annees`): stock at 31 December and flows per territory, exercice and year, recomputed here
independently from the measures the test writes through the API, then again after one measure is closed late and
another imported late; and on the regional demo, recomputed with plain SQL."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest

from app.database import utcnow
from tests.dashboards.support import answered_reservations
from tests.dashboards.test_exports import expected_rows, read_csv, read_xlsx
from tests.registry.factories import mandataire_body, mesure_body

LILLE_TJ, ARRAS_TJ = "17590111500709", "17590111500535"
CAUSES = [
    "mainlevee",
    "deces",
    "caducite",
    "dessaisissement_famille",
    "dessaisissement_autre_mjpm",
    "transfert",
    "autre",
]


@dataclass
class Measure:
    """What the test knows of a measure it wrote: enough to recompute every figure of the table."""

    departement: str
    type: str
    nomination: date | None
    fin: date | None = None
    cause: str | None = None
    statut: str = "en_cours"


def expected(measures: list[Measure], first: int, last: int, today: date, departements: set[str]) -> dict:
    """{(département, type, year): figures}, from the definitions of the table's note."""
    figures = {}
    for departement, kind in {(m.departement, m.type) for m in measures if m.departement in departements}:
        mine = [m for m in measures if (m.departement, m.type) == (departement, kind) and m.nomination]
        for year in range(first - 1, last + 1):
            day = min(date(year, 12, 31), today)
            closed = Counter(m.cause for m in mine if m.fin and m.fin.year == year and m.fin <= today)
            figures[(departement, kind, year)] = {
                "stock_31_decembre": sum(
                    1 for m in mine if m.nomination <= day and (m.fin > day if m.fin else m.statut != "eteinte")
                ),
                "ouvertes": sum(1 for m in mine if m.nomination.year == year and m.nomination <= today),
                "eteintes": sum(closed.values()),
                **{f"eteintes_{cause}": closed.get(cause, 0) for cause in CAUSES},
            }
    return figures


def check(table: dict, measures: list[Measure], first: int, last: int, departements: set[str]) -> None:
    today = utcnow().date()
    figures = expected(measures, first, last, today, departements)
    rows = {(r["departement"], r["type"], r["annee"]): r for r in table["lignes"]}
    assert set(rows) == {key for key in figures if key[2] >= first}
    for key, row in rows.items():
        assert {k: row[k] for k in figures[key]} == figures[key], key
        previous = figures[(key[0], key[1], key[2] - 1)]["stock_31_decembre"]
        stock = figures[key]["stock_31_decembre"]
        assert row["evolution_stock"] == (pytest.approx(stock / previous - 1, abs=1e-4) if previous else None)
    for departement, kind in {(d, k) for d, k, _ in rows}:
        start, end = figures[(departement, kind, first)], figures[(departement, kind, last)]
        tcam = rows[(departement, kind, last)]["tcam_stock"]
        if start["stock_31_decembre"]:
            growth = (end["stock_31_decembre"] / start["stock_31_decembre"]) ** (1 / (last - first)) - 1
            assert tcam == pytest.approx(growth, abs=1e-4)
        else:
            assert tcam is None
    assert table["totaux"]["stock_31_decembre"] == sum(
        f["stock_31_decembre"] for (_, _, y), f in figures.items() if y == last
    )
    assert table["totaux"]["ouvertes"] == sum(f["ouvertes"] for (_, _, y), f in figures.items() if y >= first)


@pytest.fixture
def professionals(client, admin) -> dict[str, int]:
    ids = {}
    for key, kind, insee in (
        ("mi", "individuel", "59350"),
        ("service", "service", "59350"),
        ("arras", "individuel", "62041"),
    ):
        body = mandataire_body(
            type=kind, departements=[insee[:2]], sites=[{"nom": "Bureau", "insee": insee}], capacite=80
        )
        response = client.post("/mandataires", headers=admin, json=body)
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]
    return ids


def post_measure(client, admin, mandataire: int, tribunal: str, m: Measure) -> dict:
    body = mesure_body(
        tribunal=tribunal,
        mandataire=mandataire,
        residence={"insee": "62041" if tribunal == ARRAS_TJ else "59350"},
        date_nomination=str(m.nomination),
        statut=m.statut,
        **({"date_fin_mesure": str(m.fin), "cause_sortie": m.cause} if m.fin else {}),
    )
    response = client.post("/mesures", headers=admin, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_yearly_stock_and_flows_follow_the_measures_even_when_edited_or_imported_late(
    client, admin, make_token, professionals
):
    y = utcnow().date().year
    first, last = y - 4, y - 1
    written = [
        ("mi", LILLE_TJ, Measure("59", "individuel", date(y - 4, 3, 1))),
        ("mi", LILLE_TJ, Measure("59", "individuel", date(y - 4, 6, 1), date(y - 2, 5, 1), "deces", "eteinte")),
        ("mi", LILLE_TJ, Measure("59", "individuel", date(y - 3, 12, 31), date(y - 3, 12, 31), "mainlevee", "eteinte")),
        ("service", LILLE_TJ, Measure("59", "service", date(y - 7, 1, 1))),
        ("service", LILLE_TJ, Measure("59", "service", date(y - 6, 1, 1), date(y - 1, 7, 14), "transfert", "eteinte")),
        ("service", LILLE_TJ, Measure("59", "service", date(y - 2, 2, 2), date(y - 2, 2, 3), "autre", "eteinte")),
        ("arras", ARRAS_TJ, Measure("62", "individuel", date(y - 2, 2, 2))),
        ("arras", ARRAS_TJ, Measure("62", "individuel", date(y - 1, 10, 1))),
    ]
    measures, created = [], []
    for who, tribunal, m in written:
        created.append(post_measure(client, admin, professionals[who], tribunal, m))
        measures.append(m)
    params = {"debut": f"{first}-01-01", "fin": f"{last}-12-31"}
    table = client.get("/tableaux-de-bord/annees", headers=admin, params=params).json()
    check(table, measures, first, last, {"59", "62"})
    assert table["filtres"]["debut"] == f"{first}-01-01" and table["filtres"]["fin"] == f"{last}-12-31"

    # Closed late: the first measure ended two years ago, which the table learns today.
    late = created[0]
    response = client.patch(
        f"/mesures/{late['id']}",
        headers=admin,
        json={
            "version": late["version"],
            "statut": "eteinte",
            "date_fin_mesure": f"{y - 2}-03-03",
            "cause_sortie": "caducite",
        },
    )
    assert response.status_code == 200, response.text
    measures[0].fin, measures[0].cause, measures[0].statut = date(y - 2, 3, 3), "caducite", "eteinte"
    # Imported late: the professional's spreadsheet brings a measure nominated three years ago.
    header = "date_nomination;type;code_postal;ville;civilite;annee;numero_rg;numero_dossier;residence;"
    header += "tribunal_siret;antenne"
    row = f"05/05/{y - 3};Tutelle;59000;Lille;F;1940;{y - 2003}/000777;D1;Domicile;{LILLE_TJ};"
    itself = make_token("mandataire", mandataire_id=professionals["mi"])
    response = client.post(
        "/mesures/import",
        headers=itself,
        files={"fichier": ("mesures.csv", f"{header}\n{row}\n".encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    measures.append(Measure("59", "individuel", date(y - 3, 5, 5)))

    table = client.get("/tableaux-de-bord/annees", headers=admin, params=params).json()
    check(table, measures, first, last, {"59", "62"})
    nord = client.get("/tableaux-de-bord/annees", headers=make_token("agent", departement="59"), params=params).json()
    check(nord, measures, first, last, {"59"})
    assert {row["departement"] for row in nord["lignes"]} == {"59"}
    services = client.get("/tableaux-de-bord/annees", headers=admin, params={**params, "type": "service"}).json()
    assert {row["type"] for row in services["lignes"]} == {"service"}
    by_region = client.get("/tableaux-de-bord/annees", headers=admin, params={**params, "par": "region"}).json()
    region = {(r["type"], r["annee"]): r["stock_31_decembre"] for r in by_region["lignes"]}
    national = Counter()
    for r in table["lignes"]:
        national[(r["type"], r["annee"])] += r["stock_31_decembre"]
    assert region == dict(national) and {r["region"] for r in by_region["lignes"]} == {"32"}
    for suffix, read in ((".csv", read_csv), (".xlsx", read_xlsx)):
        exported = client.get(f"/tableaux-de-bord/annees{suffix}", headers=admin, params=params)
        assert exported.status_code == 200, exported.text
        assert read(exported.content, table) == expected_rows(table)


def test_yearly_designations_refusals_and_expiries_come_from_the_reservations(client, admin, make_token, professionals):
    judge = make_token("magistrat", tribunal=LILLE_TJ)
    pro = make_token("mandataire", mandataire_id=professionals["mi"])
    answered_reservations(client, judge=judge, pro=pro, mandataire_id=professionals["mi"], serie="0100")
    today = utcnow().date()
    table = client.get("/tableaux-de-bord/annees", headers=admin).json()
    assert [row["annee"] for row in table["lignes"]] == list(range(today.year - 5, today.year + 1))
    current = table["lignes"][-1]
    assert (current["departement"], current["type"]) == ("59", "individuel")
    assert (current["designations"], current["refus"], current["expirees"]) == (1, 1, 0)
    assert (current["ouvertes"], current["stock_31_decembre"]) == (1, 1)  # the accepted reservation's measure
    assert table["totaux"]["designations"] == 1


def test_yearly_period_is_validated(client, admin):
    for params, code in (
        ({"debut": "2025-01-01", "fin": "2024-01-01"}, "periode_invalide"),
        ({"debut": "1950-01-01", "fin": "2024-12-31"}, "periode_trop_longue"),
    ):
        response = client.get("/tableaux-de-bord/annees", headers=admin, params=params)
        assert response.status_code == 422 and response.json()["detail"][0]["type"] == code


def _day(value) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def test_yearly_figures_of_the_regional_demo_match_a_recount(regional):
    table = regional.get("/tableaux-de-bord/annees").json()
    first, last = table["lignes"][0]["annee"], max(row["annee"] for row in table["lignes"])
    measures = [
        Measure(departement, kind, _day(nomination), _day(fin), cause, statut)
        for departement, kind, nomination, fin, cause, statut in regional.rows(
            """SELECT t.departement, x.type, m.date_nomination, m.date_fin_mesure, m.cause_sortie, m.statut
               FROM mesure m JOIN mandataire x ON x.id = m.mandataire_id JOIN tribunal t ON t.id = m.tribunal_id
               WHERE m.date_nomination IS NOT NULL AND m.statut != 'en_attente'"""
        )
    ]
    assert measures
    check(table, measures, first, last, {m.departement for m in measures})
