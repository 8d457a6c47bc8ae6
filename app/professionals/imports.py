"""Reading measures from outside: spreadsheets (CSV in UTF-8 or Windows-1252, XLSX) with the columns of e-MJPM's
import template, and the values of e-MJPM's vendor API. Labels ("Curatelle renforcée", "En établissement",
"F"...) become our codes here, accent-, case- and punctuation-insensitively; nothing here touches the database.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from pydantic_core import PydanticCustomError

from app.errors import DomainError, InvalidInput
from app.geo.gazetteer import normalize_name
from app.registry.constants import CauseSortie, Champ, Civilite, LieuVie, Nature

# --- vocabularies ----------------------------------------------------------------------------------


def _table(enum: type[StrEnum], labels: dict[StrEnum, Iterable[str]]) -> dict[str, str]:
    """Label -> code, for labels as written and normalised; every code is its own label (`curatelle_renforcee`)."""
    table = {member.value: member.value for member in enum}
    for member, names in labels.items():
        for name in names:
            table[name] = member.value
    table.update({normalize_name(label): code for label, code in list(table.items())})
    return table


NATURES = _table(
    Nature,
    {
        Nature.SAUVEGARDE_JUSTICE: ["sauvegarde de justice", "sauvegarde de justice avec mandat spécial", "sauvegarde"],
        Nature.CURATELLE_SIMPLE: ["curatelle simple", "curatelle"],
        Nature.CURATELLE_RENFORCEE: ["curatelle renforcée"],
        Nature.TUTELLE: ["tutelle"],
        Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE: ["mesure d'accompagnement judiciaire", "MAJ"],
        Nature.MJAGBF: ["mesure judiciaire d'aide à la gestion du budget familial", "MJAGBF"],
        Nature.SUBROGE_CURATEUR: ["subrogé curateur"],
        Nature.SUBROGE_TUTEUR: ["subrogé tuteur"],
        Nature.MANDAT_AD_HOC: ["mandat ad hoc", "mesure ad hoc", "mesure_ad_hoc"],
        Nature.MANDAT_PROTECTION_FUTURE: ["mandat de protection future"],
    },
)
CHAMPS = _table(
    Champ,
    {
        Champ.BIEN: ["protection_bien", "aux biens", "protection aux biens", "protection des biens"],
        Champ.PERSONNE: ["protection_personne", "à la personne", "protection à la personne", "de la personne"],
        Champ.BIEN_PERSONNE: [
            "protection_bien_personne",
            "aux biens et à la personne",
            "protection aux biens et à la personne",
            "protection des biens et de la personne",
        ],
    },
)
# e-MJPM's template wrote the champ inside the type: "tutelle aux biens et à la personne" (longest suffix first).
TYPE_CHAMP_SUFFIXES = [
    (" " + normalize_name(suffix), champ)
    for suffix, champ in (
        ("aux biens et à la personne", Champ.BIEN_PERSONNE),
        ("à la personne", Champ.PERSONNE),
        ("aux biens", Champ.BIEN),
    )
]
LIEUX_VIE = _table(
    LieuVie,
    {
        LieuVie.DOMICILE: ["domicile", "à domicile"],
        LieuVie.ETABLISSEMENT: ["établissement", "en établissement"],
        LieuVie.ETABLISSEMENT_CONSERVATION_DOMICILE: [
            "établissement avec conservation du domicile",
            "en établissement avec conservation du domicile",
        ],
        LieuVie.SDF: ["SDF", "sans domicile fixe"],
    },
)
CIVILITES = _table(
    Civilite,
    {Civilite.MADAME: ["madame", "mme", "F", "femme"], Civilite.MONSIEUR: ["monsieur", "M", "mr", "H", "homme"]},
)
CAUSES_SORTIE = _table(
    CauseSortie,
    {
        CauseSortie.MAINLEVEE: ["mainlevée"],
        CauseSortie.DECES: ["décès"],
        CauseSortie.CADUCITE: ["caducité"],
        CauseSortie.DESSAISISSEMENT_FAMILLE: ["dessaisissement en faveur de la famille"],
        CauseSortie.DESSAISISSEMENT_AUTRE_MJPM: [
            "dessaisissement en faveur d'un autre MJPM",
            "dessaisissement en faveur d'autre MJPM",
        ],
    },
)


def _lookup(table: dict[str, str], value, what: str, examples: str) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("valeur_inconnue", "{what} : texte attendu", {"what": what})
    code = table.get(value) or table.get(normalize_name(value))
    if code is None:
        raise PydanticCustomError(
            "valeur_inconnue",
            "{what} inconnu(e) : « {value} » (par exemple : {examples})",
            {"what": what, "value": value[:60], "examples": examples},
        )
    return code


def nature_code(value):
    return _lookup(NATURES, value, "nature", "Tutelle, Curatelle renforcée, Sauvegarde de justice, tutelle")


def champ_code(value):
    return _lookup(CHAMPS, value, "champ", "protection_bien_personne, aux biens, à la personne")


def lieu_vie_code(value):
    examples = "Domicile, En établissement, En établissement avec conservation du domicile, SDF"
    return _lookup(LIEUX_VIE, value, "lieu de vie", examples)


def civilite_code(value):
    return _lookup(CIVILITES, value, "civilité", "madame, monsieur, F, H")


def cause_sortie_code(value):
    return _lookup(CAUSES_SORTIE, value, "cause de sortie", "mainlevee, deces, Caducité")


def split_type(label: str) -> tuple[str, str | None]:
    """A template `type` → (nature label, champ code or None): "Tutelle aux biens" → ("tutelle", "bien")."""
    key = normalize_name(label)
    for suffix, champ in TYPE_CHAMP_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in NATURES:
            return key[: -len(suffix)], champ.value
    return label, None


DATE_FR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(value):
    """JJ/MM/AAAA (French spreadsheets), AAAA-MM-JJ (ISO, the API), or a date/datetime cell."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    if not isinstance(value, str):
        raise PydanticCustomError("date_invalide", "date attendue (JJ/MM/AAAA ou AAAA-MM-JJ)")
    text = value.strip()
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        match = DATE_FR.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        if re.match(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?$", text):
            return date.fromisoformat(text[:10])
    except ValueError:
        pass
    raise PydanticCustomError(
        "date_invalide", "date invalide : « {value} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)", {"value": text[:40]}
    )


# --- the import template ---------------------------------------------------------------------------

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
MAX_LINES = 100_000
CSV_TYPES = {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "text/comma-separated-values"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnsupportedFormat(DomainError):
    status_code = 415
    default_code = "format_non_pris_en_charge"


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


def read_sheet(filename: str, content: bytes, content_type: str | None) -> Sheet:
    """Parse an uploaded file; unreadable files raise a DomainError naming the file (415 or 422)."""
    name = filename.lower()
    media = (content_type or "").split(";")[0].strip().lower()
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(filename, content)
    if content.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise UnsupportedFormat(
            f"fichier « {filename} » : le format Excel 97-2003 (.xls) n'est pas pris en charge, "
            "enregistrez-le en .xlsx ou en .csv",
            loc=["body", "fichier"],
        )
    if name.endswith((".csv", ".txt")) or media in CSV_TYPES:
        return _read_csv(filename, content)
    raise UnsupportedFormat(
        f"fichier « {filename} » ({media or 'type inconnu'}) : envoyez un fichier .csv (UTF-8 ou Windows-1252) "
        "ou .xlsx",
        loc=["body", "fichier"],
    )


def _decode(filename: str, content: bytes) -> tuple[str, str]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content[:4096]:
        raise InvalidInput(
            f"fichier « {filename} » : encodage UTF-16 non pris en charge, enregistrez-le en CSV UTF-8",
            code="encodage_illisible",
            loc=["body", "fichier"],
        )
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"fichier « {filename} » : encodage illisible (ni UTF-8 ni Windows-1252 ; octet {error.start + 1})",
            code="encodage_illisible",
            loc=["body", "fichier"],
        ) from None


def _read_csv(filename: str, content: bytes) -> Sheet:
    text, encoding = _decode(filename, content)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _sheet("csv", encoding, _csv_records(reader))


def _csv_records(reader) -> Iterator[tuple[int, list]]:
    line = 1
    for record in reader:
        yield line, record
        line = reader.line_num + 1


def _read_xlsx(filename: str, content: bytes) -> Sheet:
    from openpyxl import load_workbook  # imported on use: the web service rarely reads workbooks

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = list(_xlsx_records(sheet))
        workbook.close()
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, TypeError, OSError) as error:
        raise InvalidInput(
            f"fichier « {filename} » : classeur XLSX illisible ({type(error).__name__})",
            code="fichier_illisible",
            loc=["body", "fichier"],
        ) from None
    return _sheet("xlsx", None, iter(rows))


def _xlsx_records(sheet) -> Iterator[tuple[int, list]]:
    width = 64
    for line, values in enumerate(sheet.iter_rows(values_only=True, max_col=width), start=1):
        if line == 1:
            width = max((i + 1 for i, v in enumerate(values) if v is not None), default=1)
            values = values[:width]
        yield line, [cell_text(v) for v in values[:width]]
        if line > MAX_LINES + 1:
            return


def _sheet(kind: str, encoding: str | None, records: Iterator[tuple[int, list]]) -> Sheet:
    header = next(records, None)
    columns = [column_name(h) for h in (header[1] if header else [])]
    known = [c if c in TEMPLATE_COLUMNS and c not in columns[:i] else None for i, c in enumerate(columns)]
    sheet = Sheet(
        format=kind,
        encodage=encoding,
        columns=known,
        ignored=[str(h) for h, c in zip(header[1] if header else [], known, strict=False) if c is None and h],
        missing=[c for c in REQUIRED_COLUMNS if c not in known],
    )
    for line, record in records:
        values = {}
        for column, value in zip(known, record, strict=False):
            if column is not None:
                text = cell_text(value)
                if text is not None:
                    values[column] = text
        if values:
            sheet.rows.append((line, values))
        if len(sheet.rows) > MAX_LINES:
            raise InvalidInput(
                f"plus de {MAX_LINES} lignes : découpez le fichier", code="trop_de_lignes", loc=["body", "fichier"]
            )
    return sheet


def row_to_item(values: dict[str, str], sites: dict[str, int]) -> tuple[dict, list[tuple[str, str, str]]]:
    """A template row → a measure in the vendor API shape, and the errors found while converting it
    (field, code, message). `sites` maps a site's normalised name and its id (as text) to its id."""
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
    if "type" in values:
        item["nature_mesure"], champ = split_type(values["type"])
        if champ is not None:
            item["champ_mesure"] = champ
    antenne = values.get("antenne")
    if antenne is not None:
        site_id = sites.get(antenne) or sites.get(normalize_name(antenne))
        if site_id is None:
            errors.append(("antenne_id", "antenne_inconnue", f"antenne inconnue : « {antenne[:60]} »"))
        else:
            item["antenne_id"] = site_id
    return item, errors
