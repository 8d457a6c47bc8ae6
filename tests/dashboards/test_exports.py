"""The exports open and say what the JSON says: the XLSX read back with openpyxl, the CSV parsed with
csv.DictReader(delimiter=";") as French Excel writes it (UTF-8 with BOM, decimal comma)."""

import csv
import gc
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from app.dashboards import exports, service
from app.dashboards.exports import export_response, to_csv, to_xlsx
from app.dashboards.schemas import Colonne, Tableau

QUERIES = [
    ("charge", {}),
    ("charge", {"par": "region", "type": "individuel"}),
    ("tension", {}),
    ("histogramme-individuels", {}),
    ("flux", {}),
    ("belgique", {}),
    ("fraicheur", {"par": "mandataire"}),
    ("fraicheur", {}),
    ("preposes", {}),
    ("annees", {}),
    ("annees", {"par": "region", "type": "service"}),
    ("implantation", {}),
    ("implantation", {"par": "region"}),
    ("dpf", {}),
    ("charge-professionnels", {"par": "region"}),
    ("couverture", {"nature": "mesure_accompagnement_judiciaire", "distance_km": 15, "region": "32"}),
    ("couverture", {"tribunal": "17590111500709", "distance_km": 10}),
]


def csv_cell(text: str, type: str):
    if text == "":
        return None
    if type == "entier":
        return int(text)
    if type in ("decimal", "pourcentage"):
        return float(text.replace(",", "."))
    if type == "date":
        return date.fromisoformat(text)
    return text


def json_cell(value, type: str):
    return date.fromisoformat(value) if type == "date" and isinstance(value, str) else value


def expected_rows(table: dict) -> list[list]:
    rows = table["lignes"] + ([table["totaux"]] if table["totaux"] is not None else [])
    return [[json_cell(row.get(c["cle"]), c["type"]) for c in table["colonnes"]] for row in rows]


def read_csv(content: bytes, table: dict) -> list[list]:
    assert content.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")
    assert reader.fieldnames == [c["libelle"] for c in table["colonnes"]]
    return [[csv_cell(line[c["libelle"]], c["type"]) for c in table["colonnes"]] for line in reader]


def read_xlsx(content: bytes, table: dict) -> list[list]:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c["libelle"] for c in table["colonnes"]]
    assert workbook.worksheets[1]["B1"].value == table["titre"]
    return [[v.date() if isinstance(v, datetime) else v for v in row] for row in rows[1:]]


@pytest.mark.parametrize("name, params", QUERIES, ids=[f"{n}{p or ''}" for n, p in QUERIES])
def test_exports_match_the_json(regional, name, params):
    table = regional.get(f"/tableaux-de-bord/{name}", **params).json()
    assert table["lignes"] or name == "couverture"
    expected = expected_rows(table)

    exported = regional.get(f"/tableaux-de-bord/{name}.csv", **params)
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.headers["content-disposition"].startswith(f'attachment; filename="tableau-de-bord-{name}-')
    assert read_csv(exported.content, table) == expected

    exported = regional.get(f"/tableaux-de-bord/{name}.xlsx", **params)
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert read_xlsx(exported.content, table) == expected


def test_xlsx_numbers_are_numbers_with_formats(regional):
    table = regional.get("/tableaux-de-bord/charge").json()
    sheet = load_workbook(io.BytesIO(regional.get("/tableaux-de-bord/charge.xlsx").content)).worksheets[0]
    keys = [c["cle"] for c in table["colonnes"]]
    row = [cell for cell in sheet[2]]
    assert isinstance(row[keys.index("capacite")].value, int)
    rate = row[keys.index("taux_occupation")]
    assert isinstance(rate.value, float) and rate.number_format == "0.0%"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= len("Nom du département")
    assert sheet.cell(row=len(table["lignes"]) + 2, column=1).font.b  # the totals row is bold


def test_writer_escapes_formulas_and_writes_decimal_commas():
    table = Tableau(
        nom="essai",
        titre="Essai",
        note=None,
        filtres={"territoire": None},
        colonnes=[
            Colonne(cle="nom", libelle="Nom", type="texte"),
            Colonne(cle="n", libelle="Nombre", type="entier"),
            Colonne(cle="taux", libelle="Taux", type="pourcentage"),
            Colonne(cle="jour", libelle="Jour", type="date"),
        ],
        lignes=[
            {"nom": '=HYPERLINK("http://x")', "n": 3, "taux": 0.125, "jour": date(2026, 3, 1)},
            {"nom": "Émilie; « Ça »", "n": None, "taux": None, "jour": None},
        ],
        totaux={"n": 3},
    )
    text = to_csv(table).decode("utf-8-sig")
    assert text.splitlines() == [
        "Nom;Nombre;Taux;Jour",
        '"\'=HYPERLINK(""http://x"")";3;0,125;2026-03-01',
        '"Émilie; « Ça »";;;',
        "Total;3;;",
    ]
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).worksheets[0]
    assert sheet["A2"].value == '=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["D2"].value == datetime(2026, 3, 1) and sheet["A4"].value == "Total"
    # Each cell has its column type's format, texts Excel's default; the totals row is bold with the same formats.
    formats = [sheet[f"{column}2"].number_format for column in "ABCD"]
    assert formats == ["General", "0", "0.0%", "DD/MM/YYYY"]
    assert [sheet[f"{column}4"].number_format for column in "AB"] == ["General", "0"]
    assert sheet["A4"].font.b and sheet["B4"].font.b and not sheet["B2"].font.b
    # Widths: the longest of the label and the values' texts, plus 2 (a date counts 10 characters); the file holds
    # them with Excel's padding of a fraction of a character.
    widths = [int(sheet.column_dimensions[column].width) for column in "ABCD"]
    assert widths == [len('=HYPERLINK("http://x")') + 2, len("Nombre") + 2, len("0.125") + 2, 10 + 2]


@pytest.mark.parametrize("format, writer", [("xlsx", "write_sheet"), ("csv", "to_csv")])
def test_the_collector_is_paused_while_an_export_is_built_and_written(monkeypatch, format, writer):
    """A national table's rows and cells would set off a full collection of the server's heap every few exports."""
    seen = []
    write = getattr(exports, writer)

    def recording(*args, **kwargs):
        seen.append(("écrit", gc.isenabled()))
        return write(*args, **kwargs)

    monkeypatch.setattr(exports, writer, recording)
    table = Tableau(
        nom="essai",
        titre="Essai",
        note=None,
        filtres={},
        colonnes=[Colonne(cle="n", libelle="N", type="entier")],
        lignes=[{"n": 1}],
        totaux=None,
    )

    def build():
        seen.append(("calculé", gc.isenabled()))
        return table

    content = export_response(build, format, today=date(2026, 12, 1)).body
    if format == "xlsx":
        assert load_workbook(io.BytesIO(content)).worksheets[0]["A2"].value == 1
    else:
        assert content.decode("utf-8-sig").splitlines() == ["N", "1"]
    assert seen == [("calculé", False), ("écrit", False)] and gc.isenabled()


@pytest.mark.parametrize("path", ["/tableaux-de-bord/annees.csv", "/tableaux-de-bord/etat-des-lieux.xlsx"])
def test_the_routes_compute_their_tables_with_the_collector_paused(regional, monkeypatch, path):
    seen = []
    compute = service.tableau

    def recording(*args, **kwargs):
        seen.append(gc.isenabled())
        return compute(*args, **kwargs)

    monkeypatch.setattr(service, "tableau", recording)
    regional.get(path, "agent", region="32")
    assert seen and not any(seen) and gc.isenabled()
