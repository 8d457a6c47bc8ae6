"""The one writer of the dashboard exports, CSV and XLSX, from the same `Tableau` the JSON endpoints return.

CSV is what French Excel opens with a double-click: UTF-8 with a byte-order mark, `;` between fields, a decimal
comma, ISO dates, CRLF line ends; the header row holds the French column labels. Both formats end with the totals
row when the table has one. A text starting with `=`, `+`, `-` or `@` never becomes a formula (names are typed by
users): in CSV it is prefixed with an apostrophe, in XLSX it is stored as a text cell.
"""

import csv
import io
from datetime import date
from typing import Literal

from fastapi import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.dashboards.schemas import Colonne, Tableau, Value

Format = Literal["csv", "xlsx"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NUMBER_FORMATS = {"entier": "0", "decimal": "0.00", "pourcentage": "0.0%", "date": "DD/MM/YYYY"}
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_WIDTH = 60


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


def to_csv(tableau: Tableau) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([colonne.libelle for colonne in tableau.colonnes])
    for row in _rows(tableau):
        writer.writerow([_csv_value(row.get(colonne.cle), colonne) for colonne in tableau.colonnes])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _width(colonne: Colonne, rows: list[dict[str, Value]]) -> float:
    longest = len(colonne.libelle)
    for row in rows[:2000]:
        value = row.get(colonne.cle)
        if value is not None:
            longest = max(longest, 10 if isinstance(value, date) else len(str(value)))
    return min(MAX_WIDTH, longest + 2)


def _sheet_title(nom: str) -> str:
    return "".join(c for c in nom if c not in "[]:*?/\\")[:31] or "tableau"


def to_xlsx(tableau: Tableau, *, generated: date | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(tableau.nom))
    rows = _rows(tableau)
    for index, colonne in enumerate(tableau.colonnes, 1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(colonne, rows)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE5F0")
    header = []
    for colonne in tableau.colonnes:
        cell = WriteOnlyCell(sheet, value=colonne.libelle)
        cell.font, cell.fill = bold, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)
    formats = [NUMBER_FORMATS.get(colonne.type) for colonne in tableau.colonnes]
    totals_at = len(tableau.lignes) if tableau.totaux is not None else -1
    for position, row in enumerate(rows):
        cells = []
        for colonne, number_format in zip(tableau.colonnes, formats, strict=True):
            value = row.get(colonne.cle)
            formula_like = isinstance(value, str) and value.startswith(FORMULA_STARTS)
            if value is None or (number_format is None and position != totals_at and not formula_like):
                cells.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if formula_like:
                cell.data_type = "s"  # shown as text, never evaluated
            elif number_format is not None and not isinstance(value, str):
                cell.number_format = number_format
            if position == totals_at:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    if tableau.colonnes:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(tableau.colonnes))}{len(tableau.lignes) + 1}"

    about = workbook.create_sheet("Informations")
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 100
    about.append([_bold(about, "Tableau"), tableau.titre])
    about.append([_bold(about, "Note"), _wrapped(about, tableau.note or "")])
    for key, value in tableau.filtres.items():
        shown = ", ".join(value) if isinstance(value, list) else ("France entière" if value is None else value)
        about.append([_bold(about, f"Filtre : {key}"), _text(about, shown) if isinstance(shown, str) else shown])
    if generated is not None:
        about.append([_bold(about, "Produit le"), generated.strftime("%d/%m/%Y")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _text(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _wrapped(sheet, value: str) -> WriteOnlyCell:
    cell = _text(sheet, value)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def export_response(tableau: Tableau, format: Format, *, today: date) -> Response:
    content = to_csv(tableau) if format == "csv" else to_xlsx(tableau, generated=today)
    filename = f"tableau-de-bord-{tableau.nom}-{today.isoformat()}.{format}"
    return Response(
        content=content,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
