"""The one writer of the dashboard exports, CSV and XLSX, from the same `Tableau` the JSON endpoints return.

CSV is what French Excel opens with a double-click: UTF-8 with a byte-order mark, `;` between fields, a decimal
comma, ISO dates, CRLF line ends; the header row holds the French column labels. Both formats end with the totals
row when the table has one. A text starting with `=`, `+`, `-` or `@` never becomes a formula (names are typed by
users): in CSV it is prefixed with an apostrophe, in XLSX it is stored as a text cell (XlsxWriter).
"""

import csv
import io
from collections.abc import Callable
from datetime import date
from functools import partial
from itertools import islice, repeat
from operator import is_not
from typing import Literal, TypeVar

import xlsxwriter
from fastapi import Response

from app import labels
from app.collector import gc_paused
from app.dashboards.schemas import Colonne, Tableau, Value

Format = Literal["csv", "xlsx"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NUMBER_FORMATS = {"entier": "0", "decimal": "0.00", "pourcentage": "0.0%", "date": "DD/MM/YYYY"}
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_WIDTH = 60
T = TypeVar("T")


def _rows(tableau: Tableau) -> list[dict[str, Value]]:
    """The lines, then the totals (with a "Total" label in the first column when the totals give none)."""
    rows = list(tableau.lignes)
    if tableau.totaux is not None:
        totals = dict(tableau.totaux)
        first = tableau.colonnes[0].cle
        if totals.get(first) is None and not any(isinstance(v, str) for v in totals.values()):
            totals[first] = "Total"
        rows.append(totals)
    return rows


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_value(value: Value, colonne: Colonne) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        text = repr(value)
        if "e" in text:
            text = f"{value:.10f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return str(value)


# Written by the csv module as `_csv_value` would (`str`, None as nothing): most cells of a table, left to it.
_CSV_AS_THEY_ARE = frozenset({int, type(None)})


def to_csv(tableau: Tableau) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    colonnes = tableau.colonnes
    writer.writerow([colonne.libelle for colonne in colonnes])
    keys = [colonne.cle for colonne in colonnes]
    for row in _rows(tableau):
        writer.writerow(
            [
                value if type(value) in _CSV_AS_THEY_ARE else _csv_value(value, colonne)
                for value, colonne in zip(map(row.get, keys), colonnes, strict=True)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _width(colonne: Colonne, rows: list[dict[str, Value]]) -> float:
    """The longest of the label and the texts of the first 2 000 values (a date's ISO text is its 10 characters),
    in C loops: a Python loop over the cells of a national table costs as much as a tenth of its writing."""
    values = filter(partial(is_not, None), map(dict.get, islice(rows, 2000), repeat(colonne.cle)))
    return min(MAX_WIDTH, max(len(colonne.libelle), max(map(len, map(str, values)), default=0)) + 2)


def _sheet_title(nom: str) -> str:
    return "".join(c for c in nom if c not in "[]:*?/\\")[:31] or "tableau"


XLSX_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


def write_sheet(workbook: xlsxwriter.Workbook, title: str, tableau: Tableau) -> None:
    """One table on a sheet: the French labels as a frozen header row, numbers as numbers with the format of their
    type, the totals row in bold, widths from the contents, an autofilter.

    The cells are most of the time of an export (1 818 rows of 21 columns for the national `annees`): each is
    written by the writer of its value's type looked up once, with its column's format chosen beforehand, and a
    text column has no format of its own (Excel's default style, as an empty format would give)."""
    sheet = workbook.add_worksheet(_sheet_title(title))
    header = workbook.add_format({"bold": True, "bg_color": "#DDE5F0", "text_wrap": True, "valign": "top"})
    plain = [
        workbook.add_format({"num_format": NUMBER_FORMATS[c.type]}) if c.type in NUMBER_FORMATS else None
        for c in tableau.colonnes
    ]
    totals = [
        workbook.add_format(
            {"bold": True, **({"num_format": NUMBER_FORMATS[c.type]} if c.type in NUMBER_FORMATS else {})}
        )
        for c in tableau.colonnes
    ]
    rows = _rows(tableau)
    for index, colonne in enumerate(tableau.colonnes):
        sheet.set_column(index, index, _width(colonne, rows))
        sheet.write_string(0, index, colonne.libelle, header)
    sheet.freeze_panes(1, 0)
    writers = {str: sheet.write_string, int: sheet.write_number, float: sheet.write_number, date: sheet.write_datetime}

    def write_other(row: int, column: int, value: Value, format: xlsxwriter.format.Format | None) -> None:
        """A value of another type (a subclass): text stays text, a date a date, anything else is a number."""
        if isinstance(value, str):
            sheet.write_string(row, column, value, format)
        elif isinstance(value, date):
            sheet.write_datetime(row, column, value, format)
        else:
            sheet.write_number(row, column, value, format)

    keys = [(index, colonne.cle) for index, colonne in enumerate(tableau.colonnes)]
    totals_at = len(tableau.lignes) if tableau.totaux is not None else -1
    for position, row in enumerate(rows):
        formats = totals if position == totals_at else plain
        for index, key in keys:
            value = row.get(key)
            if value is not None:
                writers.get(type(value), write_other)(position + 1, index, value, formats[index])
    if tableau.colonnes:
        sheet.autofilter(0, 0, len(tableau.lignes), len(tableau.colonnes) - 1)


def write_about(workbook: xlsxwriter.Workbook, title: str, lines: list[tuple[str, Value]]) -> None:
    """A sheet of labelled lines (what the workbook holds, its filters, its date); long texts wrap."""
    about = workbook.add_worksheet(title)
    about.set_column(0, 0, 24)
    about.set_column(1, 1, 110)
    bold = workbook.add_format({"bold": True, "valign": "top"})
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    day = workbook.add_format({"num_format": NUMBER_FORMATS["date"], "align": "left"})
    for line, (label, value) in enumerate(lines):
        about.write_string(line, 0, label, bold)
        if isinstance(value, str):
            about.write_string(line, 1, value, wrapped if len(value) > 100 else None)
        elif isinstance(value, date):
            about.write_datetime(line, 1, value, day)
        elif value is not None:
            about.write_number(line, 1, value)


# The filters whose codes have a French label, and their vocabulary.
FILTER_VALUES = {
    "type": labels.TYPES_MANDATAIRE,
    "nature": labels.NATURES,
    "indicateur": labels.INDICATEURS_OBJECTIF,
    "par": labels.REGROUPEMENTS,
}


def filter_lines(tableau: Tableau) -> list[tuple[str, Value]]:
    """The filters a table applied, in words: « Territoire : France entière », « Indicateur : tous »."""
    lines: list[tuple[str, Value]] = []
    for key, value in tableau.filtres.items():
        shown: Value
        if isinstance(value, list):
            shown = ", ".join(value)
        elif value is None:
            shown = "France entière" if key == "territoire" else "tous"
        elif isinstance(value, str) and key in FILTER_VALUES:
            shown = labels.label(FILTER_VALUES[key], value)
        else:
            shown = value
        lines.append((f"Filtre : {labels.label(labels.FILTRES_TABLEAUX, key).lower()}", shown))
    return lines


def workbook_bytes(fill: Callable[[xlsxwriter.Workbook], None]) -> bytes:
    """The XLSX file `fill` writes, in memory."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, XLSX_OPTIONS)
    fill(workbook)
    workbook.close()
    return buffer.getvalue()


def to_xlsx(tableau: Tableau, *, generated: date | None = None) -> bytes:
    """XlsxWriter, row by row: a national table of 35 000 communes is written in about 2 s of CPU (openpyxl: 6 s).
    Text is always text (a `=` never becomes a formula, digits never a number)."""
    lines: list[tuple[str, Value]] = [("Tableau", tableau.titre), ("Note", tableau.note or ""), *filter_lines(tableau)]
    if generated is not None:
        lines.append(("Produit le", generated.strftime("%d/%m/%Y")))

    def fill(workbook: xlsxwriter.Workbook) -> None:
        write_sheet(workbook, tableau.nom, tableau)
        write_about(workbook, "Informations", lines)

    return workbook_bytes(fill)


def attachment(content: bytes, format: Format, filename: str) -> Response:
    return Response(
        content=content,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def exported(build: Callable[[], T], write: Callable[[T], bytes]) -> tuple[T, bytes]:
    """What `build` computes and the file `write` makes of it, with the collector paused from the first query to
    the last byte: every export goes through here. A national table's rows (thousands of dicts, built from the
    query's rows) and its workbook's cells (38 000 for `annees`) are tens of thousands of objects living until the
    file is written: collected meanwhile, they set off a full collection of the server's heap every few exports and
    promote the rest through the generations (a national `annees.csv` took 126 ms of CPU with its building
    collected, 85 ms paused; `annees.xlsx` 344 and 300 ms). What the writer leaves in cycles (XlsxWriter's workbook
    refers to itself) is collected once afterwards."""
    with gc_paused():
        built = build()
        return built, write(built)


def export_response(tableau: Callable[[], Tableau], format: Format, *, today: date) -> Response:
    """The table `tableau` computes, as a CSV or XLSX attachment."""
    write = to_csv if format == "csv" else partial(to_xlsx, generated=today)
    built, content = exported(tableau, write)
    return attachment(content, format, f"tableau-de-bord-{built.nom}-{today.isoformat()}.{format}")
