"""Memory and time of the worst spreadsheet imports: each file at most 10 MB (the request limit), built to
exhaust a naive reader. Issue 12's target: peak RSS growth <= 200 MB and <= 10 s each, with a clear 413/422.

    .venv/bin/python benchmarks/import_memory.py [--only NAME]

Each case runs against a fresh uvicorn server (one worker, as `./scripts/run`) on a scratch SQLite file
(var/bench-import.db: schema, tribunals, one professional), so that peaks do not carry over. The server first
imports a small valid workbook (openpyxl loaded, caches warm); then its resident memory (VmRSS) is read, the
case is sent with `POST /mesures/import`, and its peak resident memory (VmHWM, Linux) is read again: the growth is
the difference. Times: the CPU the server spent on the request (utime + stime: what the machine's load
hardly changes), and the request's wall time as the client sees it. The verdict uses the CPU time.
"""

import argparse
import io
import os
import sys
import time
import zipfile
from pathlib import Path

from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.auth.constants import Role  # noqa: E402
from app.auth.principal import Principal  # noqa: E402
from app.config import Settings  # noqa: E402
from app.database import build_engine  # noqa: E402
from app.geo.gazetteer import load_gazetteer  # noqa: E402
from app.geo.repository import sync_tribunaux  # noqa: E402
from app.professionals.spreadsheet import TEMPLATE_COLUMNS  # noqa: E402
from app.registry import service  # noqa: E402
from app.registry.schemas import MandataireCreate  # noqa: E402
from app.tokens.service import issue_token  # noqa: E402
from benchmarks.common import ROOT, serving, upgrade  # noqa: E402

DB = ROOT / "var" / "bench-import.db"
MB = 1024 * 1024
HEADER = list(TEMPLATE_COLUMNS)
VALID_ROW = ["15/01/2025", "Tutelle", "59000", "Lille", "F", "1950", "25/00001", "", "Domicile", "17590111500709", ""]


# --- the files ------------------------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def workbook(sheet_chunks, shared_chunks=None) -> bytes:
    """A minimal XLSX whose sheet XML (and shared strings) are written from chunks, never held whole."""
    buffer = io.BytesIO()
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sharedStrings+xml"/>'
            if shared_chunks
            else ""
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="mesures" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    book_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        + (
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/>'
            if shared_chunks
            else ""
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", book_rels)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet_chunks), ("xl/sharedStrings.xml", shared_chunks)):
            if chunks is None:
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk.encode())
    return buffer.getvalue()


SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main"><sheetData>'
)
SHEET_CLOSE = "</sheetData></worksheet>"


def inline_row(line: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{column_letter(i)}{line}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values) if v
    )
    return f'<row r="{line}">{cells}</row>'


def small_valid_xlsx() -> bytes:
    return workbook([SHEET_OPEN, inline_row(1, HEADER), inline_row(2, VALID_ROW), SHEET_CLOSE])


def huge_string_cell() -> bytes:
    """One 200 MB string in the shared strings: about 200 KB compressed."""

    def shared():
        yield (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" count="1" uniqueCount="1"><si><t>'
        )
        for _ in range(200):
            yield "A" * MB
        yield "</t></si></sst>"

    sheet = [SHEET_OPEN, inline_row(1, HEADER), '<row r="2"><c r="G2" t="s"><v>0</v></c></row>', SHEET_CLOSE]
    return workbook(sheet, shared())


def two_million_rows_xlsx() -> bytes:
    def sheet():
        yield SHEET_OPEN + inline_row(1, HEADER)
        for start in range(2, 2_000_002, 10_000):
            yield "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(start, start + 10_000))
        yield SHEET_CLOSE

    return workbook(sheet())


def two_million_rows_xlsx_within_size() -> bytes:
    """2 million rows within the size limit: a filled row every 30 (a jump in row numbers costs no byte, openpyxl
    yields the blank rows between), no dimension element (openpyxl then scans the sheet first)."""

    def sheet():
        yield SHEET_OPEN + inline_row(1, HEADER)
        for start in range(31, 2_000_001, 30_000):
            yield "".join(f'<row r="{n}"><c r="G{n}"><v>{n}</v></c></row>' for n in range(start, start + 30_000, 30))
        yield SHEET_CLOSE

    return workbook(sheet())


def many_columns_xlsx() -> bytes:
    """16 384 columns (Excel's maximum) on 50 rows, no dimension element: just under the decompressed limit."""

    def sheet():
        yield SHEET_OPEN
        for line in range(1, 51):
            yield (
                f'<row r="{line}">'
                + "".join(f'<c r="{column_letter(i)}{line}"><v>1</v></c>' for i in range(16_384))
                + "</row>"
            )
        yield SHEET_CLOSE

    return workbook(sheet())


def zip_bomb() -> bytes:
    """A sheet of 2 GB of spaces (deflate: about 2 MB)."""

    def sheet():
        yield SHEET_OPEN + inline_row(1, HEADER)
        for _ in range(2048):
            yield " " * MB
        yield SHEET_CLOSE

    return workbook(sheet())


def lying_zip_bomb() -> bytes:
    """A 1 GB sheet whose central directory declares 1 KB: the declared sizes pass the check; reading must stop."""

    def sheet():
        yield SHEET_OPEN + inline_row(1, HEADER)
        for _ in range(1024):
            yield " " * MB
        yield SHEET_CLOSE

    data = bytearray(workbook(sheet()))
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")  # central directory entries: what readers trust
    while at != -1:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + name_length]) == name:
            data[at + 24 : at + 28] = (1024).to_bytes(4, "little")  # uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def csv_file(lines) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def two_million_rows_csv() -> bytes:
    return csv_file([";".join(HEADER), *("1;;;" for _ in range(2_000_000))])


def many_columns_csv() -> bytes:
    return csv_file([";".join(HEADER) + ";" * (10 * MB - 4096)])  # room for the multipart envelope


def long_cells_csv() -> bytes:
    return csv_file([";".join(HEADER), ";".join(VALID_ROW[:6] + ["x" * (10 * MB - 4096)] + VALID_ROW[7:])])


def many_long_cells_csv() -> bytes:
    """Cells just past the per-cell limit (1 200 characters), as many as 10 MB holds."""
    row = ";".join(VALID_ROW[:7] + ["y" * 1200] + VALID_ROW[8:])
    return csv_file([";".join(HEADER), *([row] * ((10 * MB - 4096) // (len(row) + 1)))])


CASES = {
    "xlsx-200MB-string-cell": (huge_string_cell, "huge.xlsx"),
    "xlsx-2M-rows": (two_million_rows_xlsx, "rows.xlsx"),
    "xlsx-2M-rows-sparse": (two_million_rows_xlsx_within_size, "sparse.xlsx"),
    "xlsx-16384-columns": (many_columns_xlsx, "columns.xlsx"),
    "xlsx-zip-bomb-2GB": (zip_bomb, "bomb.xlsx"),
    "xlsx-zip-bomb-lying-sizes": (lying_zip_bomb, "liar.xlsx"),
    "csv-2M-rows": (two_million_rows_csv, "rows.csv"),
    "csv-10M-columns": (many_columns_csv, "columns.csv"),
    "csv-10MB-cell": (long_cells_csv, "cell.csv"),
    "csv-long-cells": (many_long_cells_csv, "cells.csv"),
}


# --- the runs ---------------------------------------------------------------------------------------------------


def set_up() -> str:
    """A fresh database with one professional; returns a token for it."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{DB}"
    engine = build_engine(url)
    upgrade(engine)
    gazetteer = load_gazetteer().read_all()  # every file read now, outside the timings
    with sessionmaker(bind=engine).begin() as session:
        sync_tribunaux(session, gazetteer)
        mandataire = service.create_mandataire(
            session,
            principal=Principal(token_id=0, role=Role.ADMIN, departements=None),
            gazetteer=gazetteer,
            payload=MandataireCreate(
                type="individuel",
                nom="Mandataire de mesure",
                natures=["tutelle", "curatelle_renforcee"],
                departements=["59"],
                sites=[{"nom": "Siège", "insee": "59350"}],
                capacite=50,
            ),
        )
        token = issue_token(
            session,
            secret=Settings().token_secret.get_secret_value(),
            gazetteer=gazetteer,
            role=Role.MANDATAIRE,
            mandataire_id=mandataire.id,
        )[0]
    engine.dispose()
    return token


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not found")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def run(name: str, content: bytes, filename: str, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    with serving(f"sqlite:///{DB}", timeout_s=600) as (client, pid):
        small = {"fichier": ("ok.xlsx", small_valid_xlsx())}
        warm = client.post("/mesures/import", params={"dry_run": "true"}, files=small, headers=headers)
        assert warm.status_code == 200, warm.text
        before, cpu = memory_kb(pid, "VmRSS"), cpu_seconds(pid)
        started = time.perf_counter()
        response = client.post("/mesures/import", files={"fichier": (filename, content)}, headers=headers)
        elapsed = time.perf_counter() - started
        growth, cpu = (memory_kb(pid, "VmHWM") - before) / 1024, cpu_seconds(pid) - cpu
    body = response.json()
    code = body["detail"][0]["type"] if response.status_code >= 400 else "accepted"
    message = body["detail"][0]["msg"] if response.status_code >= 400 else ""
    verdict = "ok" if growth <= 200 and cpu <= 10 and response.status_code in (413, 422) else "MISSED"
    return (
        f"{name:27} {len(content) / MB:5.2f} MB  {response.status_code} {code:23} +{growth:5.1f} MB "
        f"{cpu:6.2f} s {elapsed:7.2f} s  {verdict}\n{'':29}{message}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(CASES), action="append", help="run only these cases")
    args = parser.parse_args()
    token = set_up()
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.1f} on {os.cpu_count()} cores (wall time grows with it, CPU time hardly)")
    print("case                         file      answer                       peak RSS  server CPU    wall")
    for name in args.only or CASES:
        build, filename = CASES[name]
        content = build()
        assert len(content) <= 10 * MB - 1024, f"{name}: {len(content)} bytes"
        print(run(name, content, filename, token), flush=True)


if __name__ == "__main__":
    main()
