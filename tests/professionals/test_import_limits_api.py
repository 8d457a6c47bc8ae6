"""The limits of a spreadsheet import (decompressed size, rows, columns, cell length), through HTTP with small
limits: each refused with its code and a message naming the limit, the report beside `detail`, nothing written.
And the reports of batches refused as a whole."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from tests.professionals.conftest import error, mesure_rows
from tests.professionals.test_import_api import HEADER, line
from tests.professionals.test_lot_api import send, vendor

COLUMNS = HEADER.split(";")


@pytest.fixture
def small(client_with):
    """A client of an app whose imports hold 3 rows, 12 columns and cells of 100 characters, 1 MB decompressed."""
    return client_with(
        import_max_uncompressed_bytes=1024 * 1024, import_max_rows=3, import_max_columns=12, import_max_cell_chars=100
    )


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def xlsx_bytes(*rows: list) -> bytes:
    workbook = Workbook()
    for row in [COLUMNS, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, headers, name: str, content: bytes):
    files = {"fichier": (name, content, "application/octet-stream")}
    return client.post("/mesures/import", files=files, headers=headers)


def refused(response, status: int, code: str, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert error(response)["type"] == code
    assert all(word in error(response)["msg"] for word in words), error(response)["msg"]
    return response.json()


def reported(body: dict) -> list[tuple]:
    report = body["rapport"]
    assert report["applique"] is False
    return [(e["ligne"], e["code"]) for e in report["erreurs"]]


def test_a_workbook_too_large_once_decompressed_is_413_unread(small, itself, session):
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(line(1).split(";"))))
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            bomb.writestr(member, source.read(member))
        bomb.writestr("xl/padding.xml", b" " * (2 * 1024 * 1024))  # 2 MB, a few kB compressed
    assert len(buffer.getvalue()) < 50_000
    refused(upload(small, itself, "bombe.xlsx", buffer.getvalue()), 413, "fichier_trop_volumineux", "2 Mo", "1 Mo")
    assert mesure_rows(session) == []


def test_a_workbook_whose_zip_lies_about_its_size_is_422(small, itself, session):
    data = bytearray(xlsx_bytes(line(1).split(";")))
    at = data.find(b"PK\x01\x02")
    while at != -1:  # central directory: declare every member 10 bytes long
        data[at + 24 : at + 28] = (10).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    body = refused(upload(small, itself, "menteur.xlsx", bytes(data)), 422, "fichier_illisible", "menteur.xlsx")
    assert reported(body) == [(1, "fichier_illisible")]
    assert mesure_rows(session) == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_more_rows_than_the_limit_are_422_naming_the_line(small, itself, session, kind):
    rows = [line(n) for n in range(1, 5)]
    content = csv_bytes(*rows) if kind == "csv" else xlsx_bytes(*(row.split(";") for row in rows))
    body = refused(upload(small, itself, f"long.{kind}", content), 422, "trop_de_lignes", "3 lignes")
    assert reported(body) == [(5, "trop_de_lignes")]
    assert body["detail"][0]["loc"] == ["body", "fichier", 5]
    assert mesure_rows(session) == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_filled_column_past_the_limit_is_422(small, itself, session, kind):
    wide = line(2).split(";") + ["note", "", "autre"]  # the 14th column filled
    if kind == "xlsx":
        wide[12] = "suite"  # a workbook is read one column past the limit: further columns are never read
    content = csv_bytes(line(1), ";".join(wide)) if kind == "csv" else xlsx_bytes(line(1).split(";"), wide)
    body = refused(upload(small, itself, f"large.{kind}", content), 422, "trop_de_colonnes", "12 colonnes")
    assert reported(body) == [(3, "trop_de_colonnes")]
    assert mesure_rows(session) == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_cell_longer_than_the_limit_is_422(small, itself, session, kind):
    row = line(1, numero_dossier="D" * 101)
    content = csv_bytes(row) if kind == "csv" else xlsx_bytes(row.split(";"))
    body = refused(upload(small, itself, f"cellule.{kind}", content), 422, "cellule_trop_longue", "100 caractères")
    assert reported(body) == [(2, "cellule_trop_longue")]
    assert mesure_rows(session) == []


def test_a_csv_line_longer_than_the_widest_row_is_422_before_it_is_split(small, itself, session):
    content = csv_bytes(line(1), ";" * 5000)  # 12 columns of 100 characters: 1 236 characters at most
    body = refused(upload(small, itself, "virgules.csv", content), 422, "ligne_trop_longue", "ligne 3", "1236")
    assert reported(body) == [(3, "ligne_trop_longue")]
    assert mesure_rows(session) == []


def test_a_csv_cell_past_the_csv_modules_own_limit_is_422(small, itself, session):
    row = line(1, numero_dossier='"' + ("D" * 99 + "\n") * 1500 + '"')  # 150 000 characters on short lines
    body = refused(upload(small, itself, "enorme.csv", csv_bytes(row)), 422, "cellule_trop_longue", "ligne")
    assert [code for _, code in reported(body)] == ["cellule_trop_longue"]
    assert mesure_rows(session) == []


@pytest.mark.parametrize("character", ["\x1b", "\x00"])
def test_a_control_character_in_a_cell_is_422_not_500(small, itself, session, character):
    # Blank lines (skipped) put the NUL past the first 4 kB, where a NUL means a UTF-16 file.
    content = csv_bytes(line(1), "\n" * 5000 + line(2, numero_dossier=f"D{character} 1"))
    body = refused(upload(small, itself, "nul.csv", content), 422, "caractere_interdit", "ligne 5003")
    assert reported(body) == [(5003, "caractere_interdit")]
    assert mesure_rows(session) == []


def test_within_the_limits_a_file_is_imported(small, itself, session):
    response = upload(small, itself, "juste.csv", csv_bytes(*(line(n) for n in range(1, 4))))
    assert response.status_code == 200, response.text
    assert len(mesure_rows(session)) == 3


def test_an_unreadable_file_carries_its_report(client, itself):
    response = upload(client, itself, "binaire.csv", HEADER.encode() + b"\n\x81\x8d\x8f\x90\x9d\n")
    body = refused(response, 422, "encodage_illisible", "binaire.csv")
    assert body["rapport"]["format"] == "csv" and reported(body) == [(1, "encodage_illisible")]


def test_a_batch_refused_as_a_whole_carries_its_report(client, itself, session):
    for mesures, code in (([vendor(f"24/{n:05d}") for n in range(1001)], "lot_trop_grand"),):
        body = refused(send(client, itself, mesures, strict="true"), 422, code)
        assert (body["rapport"]["applique"], body["rapport"]["total"], body["rapport"]["strict"]) == (
            False,
            len(mesures),
            True,
        )
    assert mesure_rows(session) == []
