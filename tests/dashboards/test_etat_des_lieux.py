"""The état-des-lieux workbook of a région: one sheet per table after a presentation sheet, each sheet holding
exactly what the table's JSON route answers for the same filters (so every figure is the one the tables recompute
from the measures, see test_annees, test_dpf, test_implantation...), within the caller's territory."""

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from app.dashboards.etat_des_lieux import FEUILLES
from app.database import utcnow
from tests.dashboards.test_exports import expected_rows


@pytest.fixture(scope="module")
def workbook(regional):
    # A target of the schéma, so that the targets' sheet has a line.
    created = regional.client.post(
        "/schema/objectifs",
        headers=regional.headers["agent"],
        json={"departement": "80", "indicateur": "mesures_en_cours", "cible": 900, "echeance": "2030-12-31"},
    )
    assert created.status_code == 201, created.text
    response = regional.get("/tableaux-de-bord/etat-des-lieux.xlsx", "agent", region="32")
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="etat-des-lieux-32-{utcnow().date().isoformat()}.xlsx"'
    )
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(sheet) -> list[list]:
    return [[v.date() if isinstance(v, datetime) else v for v in row] for row in sheet.iter_rows(values_only=True)]


def test_presentation_says_territory_date_sources_and_sheets(workbook):
    assert workbook.sheetnames == ["Présentation", *(f.titre for f in FEUILLES)]
    lines = {row[0]: row[1] for row in workbook["Présentation"].iter_rows(values_only=True) if row[0]}
    assert lines["Territoire"].startswith("Région Hauts-de-France (32) : 02 Aisne, ")
    assert lines["Produit le"] == utcnow().date().strftime("%d/%m/%Y")
    assert "FINESS" in lines["Sources"] and "mesures" in lines["Sources"]
    for feuille in FEUILLES:
        assert f"Feuille « {feuille.titre} »" in lines


@pytest.mark.parametrize("feuille", FEUILLES, ids=[f.table for f in FEUILLES])
def test_each_sheet_is_its_table_per_departement(regional, workbook, feuille):
    table = regional.get(f"/tableaux-de-bord/{feuille.table}", "agent", region="32", **feuille.parametres).json()
    assert table["lignes"], feuille.table
    sheet = workbook[feuille.titre]
    rows = sheet_rows(sheet)
    assert rows[0] == [c["libelle"] for c in table["colonnes"]]
    assert rows[1:] == expected_rows(table)
    assert sheet.freeze_panes == "A2"
    keys = [c["cle"] for c in table["colonnes"]]
    if "departement" in keys:
        departements = {row[keys.index("departement")] for row in rows[1:]} - {"Total"}
        assert departements and all(isinstance(d, str) and d in {"02", "59", "60", "62", "80"} for d in departements)
    # Numbers are numbers, and wide columns are wide enough for their label.
    numeric = [i for i, c in enumerate(table["colonnes"]) if c["type"] in ("entier", "decimal", "pourcentage")]
    assert numeric and any(isinstance(rows[1][i], int | float) for i in numeric)
    assert sheet.column_dimensions["A"].width >= 8


def test_the_yearly_sheet_holds_stock_and_flows_per_departement_and_year(workbook):
    rows = sheet_rows(workbook["Stock et flux annuels"])
    header = list(rows[0])
    at = {label: header.index(label) for label in ("Département", "Année", "Stock au 31 décembre", "Mesures ouvertes")}
    years = {row[at["Année"]] for row in rows[1:-1]}
    assert len(years) == 6 and max(years) == utcnow().year
    assert (
        sum(row[at["Stock au 31 décembre"]] for row in rows[1:-1] if row[at["Année"]] == max(years))
        == (rows[-1][at["Stock au 31 décembre"]])
    )


def test_an_agent_exports_only_within_his_territory(regional):
    refused = regional.client.get(
        "/tableaux-de-bord/etat-des-lieux.xlsx", headers=regional.headers["agent_59"], params={"region": "32"}
    )
    assert refused.status_code == 403 and refused.json()["detail"][0]["type"] == "hors_territoire"
    outside = regional.client.get(
        "/tableaux-de-bord/etat-des-lieux.xlsx", headers=regional.headers["agent"], params={"region": "93"}
    )
    assert outside.status_code == 403
    # Without a région, the caller's own territory, named.
    answer = regional.get("/tableaux-de-bord/etat-des-lieux.xlsx", "agent_59")
    assert f'filename="etat-des-lieux-59-{utcnow().date().isoformat()}.xlsx"' in answer.headers["content-disposition"]
    own = load_workbook(io.BytesIO(answer.content))
    lines = {row[0]: row[1] for row in own["Présentation"].iter_rows(values_only=True) if row[0]}
    assert lines["Territoire"] == "Département 59 Nord"
    narrowed = regional.get("/tableaux-de-bord/etat-des-lieux.xlsx", "agent", region="32", departement="59")
    assert "etat-des-lieux-59-" in narrowed.headers["content-disposition"]
    rows = sheet_rows(own["Implantation"])
    assert {row[0] for row in rows[1:]} == {"59", "Total"}


def test_an_agent_of_a_region_gets_his_region_named_without_asking_for_it(regional):
    answer = regional.get("/tableaux-de-bord/etat-des-lieux.xlsx", "agent")
    assert f'filename="etat-des-lieux-32-{utcnow().date().isoformat()}.xlsx"' in answer.headers["content-disposition"]
    lines = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(answer.content))["Présentation"].iter_rows(values_only=True)
        if row[0]
    }
    assert lines["Territoire"].startswith("Région Hauts-de-France (32) : 02 Aisne, ")
    # The filters in words: labels, not parameter names; « tous » for a filter left empty.
    assert lines["Filtre : regroupement"] == "par département"
    assert lines["Filtre : indicateur"] == "tous"
    assert lines["Filtre : territoire"] == "02, 59, 60, 62, 80"
    assert not any(label.startswith(("Filtre : par", "Filtre : debut", "Filtre : annee_etp")) for label in lines)
