"""Spreadsheets of measures (CSV in UTF-8 or Windows-1252, XLSX) with the columns of e-MJPM's import template,
read within limits and as a stream: a workbook's declared uncompressed size is checked before it is opened
(a decompression bomb is refused unread), then rows are read one by one (openpyxl's read-only mode) and the
reading stops at the first row, column or cell past its limit. Nothing here touches the database.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from app.config import Settings
from app.errors import size_text
from app.geo.gazetteer import normalize_name
from app.professionals.exceptions import (
    CellTooLong,
    EncodingUnreadable,
    FileUnreadable,
    ForbiddenCharacter,
    LineTooLong,
    SheetUnreadable,
    SpreadsheetTooLarge,
    TooManyColumns,
    TooManyRows,
    UnsupportedFormat,
)
from app.professionals.labels import split_type
from app.registry.exceptions import UnknownSite

# The columns of e-MJPM's import template.
TEMPLATE_COLUMNS = (
    "date_nomination",
    "type",
    "code_postal",
    "ville",
    "civilite",
    "annee",
    "numero_rg",
    "numero_dossier",
    "residence",
    "tribunal_siret",
    "antenne",
)
REQUIRED_COLUMNS = ("numero_rg", "tribunal_siret", "type", "residence", "code_postal")
# Other headers seen in e-MJPM exports and business software, read as the template's column.
COLUMN_ALIASES = {
    "date_ouverture": "date_nomination",
    "nature_mesure": "type",
    "nature": "type",
    "annee_naissance": "annee",
    "lieu_vie": "residence",
    "tribunal": "tribunal_siret",
    "siret_tribunal": "tribunal_siret",
}
# Field of a measure (vendor API name) -> the template column that carries it, to name columns in reports.
FIELD_COLUMNS = {
    "date_nomination": "date_nomination",
    "nature_mesure": "type",
    "champ_mesure": "type",
    "code_postal": "code_postal",
    "pays": "code_postal",
    "ville": "ville",
    "civilite": "civilite",
    "annee_naissance": "annee",
    "numero_rg": "numero_rg",
    "numero_dossier": "numero_dossier",
    "lieu_vie": "residence",
    "tribunal_siret": "tribunal_siret",
    "antenne_id": "antenne",
}
# A spreadsheet this long is not a professional's register (protects the service from decompression bombs).

# The last row of a spreadsheet (Excel's): a workbook naming a row beyond it is refused before reading on.
MAX_LINE = 1_048_576
# Control characters (NUL included) have no place in a cell; tabs and line breaks do.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CSV_TYPES = {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "text/comma-separated-values"}


@dataclass(frozen=True)
class SheetLimits:
    """What one spreadsheet may hold (settings `IMPORT_MAX_*`): past any of them, nothing is read further."""

    uncompressed_bytes: int
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def of(cls, settings: Settings) -> "SheetLimits":
        return cls(
            uncompressed_bytes=settings.import_max_uncompressed_bytes,
            rows=settings.import_max_rows,
            columns=settings.import_max_columns,
            cell_chars=settings.import_max_cell_chars,
        )


@dataclass
class Sheet:
    format: str
    encodage: str | None
    columns: list[str | None]  # template column of each position (None: ignored)
    ignored: list[str]
    missing: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line number, column -> text)


def column_name(header) -> str:
    key = normalize_name(str(header or "")).replace(" ", "_")
    return COLUMN_ALIASES.get(key, key)


def cell_text(value) -> str | None:
    """Every cell as text, as a CSV would give it: dates in ISO, 59000.0 as 59000, blanks as None."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def read_sheet(filename: str, content: bytes, content_type: str | None, limits: SheetLimits) -> Sheet:
    """Parse an uploaded file. An unsupported format raises UnsupportedFormat (415), a workbook too large once
    decompressed SpreadsheetTooLarge (413), an unreadable file or a limit passed SheetUnreadable (422)."""
    name = filename.lower()
    media = (content_type or "").split(";")[0].strip().lower()
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(filename, content, limits)
    if content.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise UnsupportedFormat(
            f"fichier « {filename} » : le format Excel 97-2003 (.xls) n'est pas pris en charge, "
            "enregistrez-le en .xlsx ou en .csv",
            loc=["body", "fichier"],
        )
    if name.endswith((".csv", ".txt")) or media in CSV_TYPES:
        return _read_csv(filename, content, limits)
    raise UnsupportedFormat(
        f"fichier « {filename} » ({media or 'type inconnu'}) : envoyez un fichier .csv (UTF-8 ou Windows-1252) "
        "ou .xlsx",
        loc=["body", "fichier"],
    )


def _decode(filename: str, content: bytes) -> tuple[str, str]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content[:4096]:
        raise EncodingUnreadable(
            f"fichier « {filename} » : encodage UTF-16 non pris en charge, enregistrez-le en CSV UTF-8",
            format="csv",
        )
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as error:
        raise EncodingUnreadable(
            f"fichier « {filename} » : encodage illisible (ni UTF-8 ni Windows-1252 ; octet {error.start + 1})",
            format="csv",
        ) from None


def _read_csv(filename: str, content: bytes, limits: SheetLimits) -> Sheet:
    text, encoding = _decode(filename, content)
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max((";", ",", "\t"), key=first_line.count)
    lines = _bounded_lines(filename, io.StringIO(text, newline=""), encoding, limits)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        return _sheet(filename, "csv", encoding, _csv_records(reader), limits)
    except csv.Error as error:
        # The csv module refuses a NUL byte, and any field past its own limit (131 072 characters).
        long_field = "field larger than field limit" in str(error)
        raise (CellTooLong if long_field else FileUnreadable)(
            f"fichier « {filename} », ligne {reader.line_num} : "
            + (f"cellule de plus de {limits.cell_chars} caractères" if long_field else "ligne illisible en CSV"),
            format="csv",
            encodage=encoding,
            ligne=reader.line_num,
        ) from None


def _bounded_lines(filename: str, lines: Iterator[str], encoding: str, limits: SheetLimits) -> Iterator[str]:
    """The file's lines, refused from the first one longer than a row of the widest allowed: the csv module would
    otherwise make a list of all its fields (ten million for a line of ten million separators)."""
    most = limits.columns * (limits.cell_chars + 3)  # quotes and separator
    for number, line in enumerate(lines, start=1):
        if len(line) > most:
            raise LineTooLong(
                f"fichier « {filename} », ligne {number} : plus de {most} caractères (au plus {limits.columns} "
                f"colonnes de {limits.cell_chars} caractères)",
                format="csv",
                encodage=encoding,
                ligne=number,
            )
        yield line


def _csv_records(reader) -> Iterator[tuple[int, list]]:
    line = 1
    for record in reader:
        yield line, record
        line = reader.line_num + 1


def _read_xlsx(filename: str, content: bytes, limits: SheetLimits) -> Sheet:
    from openpyxl import load_workbook  # imported on use: the web service rarely reads workbooks

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            # Declared sizes bound what reading may produce: zipfile stops at the declared size and checks the CRC.
            uncompressed = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise _broken(filename, error) from None
    if uncompressed > limits.uncompressed_bytes:
        raise SpreadsheetTooLarge(
            f"fichier « {filename} » : {size_text(uncompressed)} une fois décompressé, au plus "
            f"{size_text(limits.uncompressed_bytes)} : découpez le fichier",
            loc=["body", "fichier"],
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            records = workbook.worksheets[0].iter_rows(values_only=True, max_col=limits.columns + 1)
            return _sheet(filename, "xlsx", None, enumerate(records, start=1), limits)
        finally:
            workbook.close()
    except SheetUnreadable:
        raise
    except Exception as error:  # any failure of the parser on an untrusted file (zip, XML, styles...)
        raise _broken(filename, error) from None


def _broken(filename: str, error: Exception) -> FileUnreadable:
    return FileUnreadable(
        f"fichier « {filename} » : classeur XLSX illisible ({type(error).__name__})",
        format="xlsx",
    )


def _checked(filename: str, kind: str, encoding: str | None, line: int, record, limits: SheetLimits) -> list:
    """The record's cells, refused when one is too long or holds a control character, or when a cell past the
    last column allowed is filled. (A workbook's rows are read one column past the limit: what lies further is
    never read.)"""
    width = len(record)
    while width and record[width - 1] in (None, ""):
        width -= 1
    if width > limits.columns:
        raise TooManyColumns(
            f"fichier « {filename} », ligne {line} : plus de {limits.columns} colonnes",
            format=kind,
            encodage=encoding,
            ligne=line,
        )
    for position, value in enumerate(record[:width], start=1):
        if not isinstance(value, str):
            continue
        if len(value) > limits.cell_chars:
            raise CellTooLong(
                f"fichier « {filename} », ligne {line}, colonne {position} : cellule de plus de "
                f"{limits.cell_chars} caractères",
                format=kind,
                encodage=encoding,
                ligne=line,
            )
        if CONTROL_CHARACTERS.search(value):
            raise ForbiddenCharacter(
                f"fichier « {filename} », ligne {line}, colonne {position} : caractère de contrôle interdit",
                format=kind,
                encodage=encoding,
                ligne=line,
            )
    return list(record[:width])


def _sheet(
    filename: str, kind: str, encoding: str | None, records: Iterator[tuple[int, list]], limits: SheetLimits
) -> Sheet:
    first = next(records, None)
    header = _checked(filename, kind, encoding, 1, first[1], limits) if first else []
    columns = [column_name(h) for h in header]
    known = [c if c in TEMPLATE_COLUMNS and c not in columns[:i] else None for i, c in enumerate(columns)]
    sheet = Sheet(
        format=kind,
        encodage=encoding,
        columns=known,
        ignored=[str(h) for h, c in zip(header, known, strict=False) if c is None and h],
        missing=[c for c in REQUIRED_COLUMNS if c not in known],
    )
    for line, record in records:
        # A blank line is skipped, checked at C speed: a workbook may jump a million rows at once.
        if record.count(None) + record.count("") == len(record):
            if line > MAX_LINE:
                raise TooManyRows(
                    f"fichier « {filename} » : ligne {line} au-delà de la dernière ligne d'un tableur ({MAX_LINE})",
                    format=kind,
                    encodage=encoding,
                    ligne=line,
                )
            continue
        values = {}
        for column, value in zip(known, _checked(filename, kind, encoding, line, record, limits), strict=False):
            if column is not None:
                text = cell_text(value)
                if text is not None:
                    values[column] = text
        if not values:
            continue
        if len(sheet.rows) == limits.rows:
            raise TooManyRows(
                f"fichier « {filename} » : plus de {limits.rows} lignes, découpez le fichier",
                format=kind,
                encodage=encoding,
                ligne=line,
            )
        sheet.rows.append((line, values))
    return sheet


class Antennes:
    """A professional's antennes (sites), found by name (accents and case aside) or by id. `required`: an
    unknown antenne rejects its line (services, préposés); otherwise it is ignored (individual professionals,
    whose template still shows an example antenne)."""

    def __init__(self, sites: Iterable, *, required: bool) -> None:
        sites = list(sites)
        self.required = required
        self.ids = {normalize_name(site.nom): site.id for site in sites} | {str(site.id): site.id for site in sites}
        names = [f"{site.nom} ({site.id})" for site in sites]
        self.listed = ", ".join(names[:20]) + (f"… ({len(names)} en tout)" if len(names) > 20 else "")

    def find(self, antenne: str) -> int | None:
        return self.ids.get(antenne) or self.ids.get(normalize_name(antenne))

    def unknown(self, antenne: str) -> str:
        known = f"antennes de ce mandataire : {self.listed}" if self.listed else "ce mandataire n'a pas d'antenne"
        return f"antenne inconnue : « {antenne[:60]} » ({known})"


def row_to_item(values: dict[str, str], antennes: Antennes) -> tuple[dict, list[tuple[str, str, str]]]:
    """A template row → a measure in the vendor API shape, and the errors found while converting it
    (field, code, message)."""
    item: dict = {}
    errors = []
    for column, key in (
        ("date_nomination", "date_nomination"),
        ("code_postal", "code_postal"),
        ("ville", "ville"),
        ("civilite", "civilite"),
        ("annee", "annee_naissance"),
        ("numero_rg", "numero_rg"),
        ("numero_dossier", "numero_dossier"),
        ("residence", "lieu_vie"),
        ("tribunal_siret", "tribunal_siret"),
    ):
        if column in values:
            item[key] = values[column]
    if "lieu_vie" not in item:
        item["lieu_vie"] = "domicile"  # e-MJPM's import leaves the residence optional (`imports.UNSTATED_RESIDENCE`)
    if "type" in values:
        item["nature_mesure"], champ = split_type(values["type"])
        if champ is not None:
            item["champ_mesure"] = champ
    antenne = values.get("antenne")
    if antenne is not None:
        site_id = antennes.find(antenne)
        if site_id is None and antennes.required:
            errors.append(("antenne_id", UnknownSite.default_code, antennes.unknown(antenne)))
        elif site_id is not None:
            item["antenne_id"] = site_id
    return item, errors
