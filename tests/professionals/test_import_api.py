"""POST /mesures/import with real files (CSV UTF-8 and Windows-1252, XLSX) written to tmp_path, and the
command line's function `import_file`."""

from datetime import date

import pytest
from openpyxl import Workbook

from app.geo.locate import GazetteerLocator
from app.professionals.imports import import_file
from tests.professionals.conftest import DOUAI, LILLE, error, mesure_rows
from tests.registry.factories import mandataire_body
from tests.support import assert_counters_equal_recount, counters

HEADER = (
    "date_nomination;type;code_postal;ville;civilite;annee;numero_rg;numero_dossier;residence;tribunal_siret;antenne"
)
PLACES = [("59000", "Lille"), ("59100", "Roubaix"), ("59200", "Tourcoing"), ("59500", "Douai"), ("62000", "Arras")]
TYPES = [
    "Curatelle renforcée",
    "Tutelle aux biens et à la personne",
    "curatelle simple",
    "Sauvegarde de justice",
    "MAJ",
]
RESIDENCES = ["Domicile", "En établissement", "en etablissement avec conservation du domicile", "SDF", "à domicile"]


def line(n: int, **overrides) -> str:
    code, ville = PLACES[n % len(PLACES)]
    values = {
        "date_nomination": f"{1 + n % 28:02d}/{1 + n % 12:02d}/20{10 + n % 14}",
        "type": TYPES[n % len(TYPES)],
        "code_postal": code,
        "ville": ville,
        "civilite": "F" if n % 2 else "H",
        "annee": str(1930 + n % 70),
        "numero_rg": f"{10 + n % 14}/{n:06d}",
        "numero_dossier": f"D{n}",
        "residence": RESIDENCES[n % len(RESIDENCES)],
        "tribunal_siret": LILLE if n % 3 else DOUAI,
        "antenne": "",
    }
    values.update(overrides)
    return ";".join(values[column] for column in HEADER.split(";"))


def write_csv(path, lines: list[str], encoding: str = "utf-8", header: str = HEADER):
    path.write_text("\n".join([header, *lines]) + "\n", encoding=encoding)
    return path


def upload(client, headers, path, content_type: str = "text/csv", **params):
    with path.open("rb") as handle:
        return client.post(
            "/mesures/import", files={"fichier": (path.name, handle, content_type)}, params=params, headers=headers
        )


def imported(client, headers, path, **params) -> dict:
    response = upload(client, headers, path, **params)
    assert response.status_code == 200, response.text
    return response.json()


def rejected(client, headers, path, **params) -> list[tuple]:
    response = upload(client, headers, path, **params)
    assert response.status_code == 422, response.text
    report = response.json()["rapport"]
    assert not report["applique"]
    return [(e["ligne"], e["colonne"], e["code"]) for e in report["erreurs"]]


def test_a_clean_10000_line_csv_is_imported_and_reimported_identically(client, itself, professional, session, tmp_path):
    path = write_csv(tmp_path / "mesures.csv", [line(n) for n in range(10_000)])
    # Its speed is a benchmark's business (benchmarks/bulk_bench.py), never a timed assertion.
    report = imported(client, itself, path)
    assert (report["lignes"], report["created"], report["rejected"], report["applique"]) == (10_000, 10_000, 0, True)
    assert (report["format"], report["encodage"]) == ("csv", "utf-8")
    rows, loads = mesure_rows(session), counters(session)
    assert len(rows) == 10_000
    assert {r["nature"] for r in rows} == {
        "curatelle_renforcee",
        "tutelle",
        "curatelle_simple",
        "sauvegarde_justice",
        "mesure_accompagnement_judiciaire",
    }
    assert {r["lieu_vie"] for r in rows} == {"domicile", "etablissement", "etablissement_conservation_domicile", "sdf"}
    assert {r["champ"] for r in rows} == {None, "bien_personne"}
    assert {r["civilite"] for r in rows} == {"madame", "monsieur"}
    assert_counters_equal_recount(session)
    mandataire = client.get(f"/mandataires/{professional['id']}", headers=itself).json()
    assert mandataire["mesures_en_cours"] == 10_000 and mandataire["places_libres"] == 40 - 10_000

    again = imported(client, itself, path)
    assert (again["unchanged"], again["created"], again["updated"]) == (10_000, 0, 0)
    assert mesure_rows(session) == rows
    assert counters(session) == loads


def test_an_xlsx_workbook_is_imported(client, itself, professional, session, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append([date(2022, 5, 3), "Tutelle", 59000, "Lille", "F", 1944, 2205123, "A1", "Domicile", int(LILLE), ""])
    sheet.append(
        [
            date(2021, 1, 15),
            "Curatelle renforcée",
            "7500",
            "Tournai",
            "H",
            "1960",
            "21/00042",
            None,
            "En établissement",
            LILLE,
            "Antenne de Douai",
        ]
    )
    path = tmp_path / "mesures.xlsx"
    workbook.save(path)
    report = imported(client, itself, path, content_type="application/octet-stream")
    assert (report["format"], report["created"], report["applique"]) == ("xlsx", 2, True)
    rows = mesure_rows(session)
    assert [(r["numero_rg"], str(r["date_nomination"]), r["pays"], r["site_id"]) for r in rows] == [
        ("2205123", "2022-05-03", "FR", None),
        ("2100042", "2021-01-15", "BE", professional["sites"][1]["id"]),
    ]
    assert_counters_equal_recount(session)


def test_a_windows_1252_file_is_detected_and_read(client, itself, session, tmp_path):
    path = write_csv(
        tmp_path / "excel.csv",
        [line(1, type="Curatelle renforcée", residence="En établissement", ville="Tourcoing", code_postal="59200")],
        encoding="cp1252",
    )
    assert "é".encode() not in path.read_bytes()
    report = imported(client, itself, path)
    assert (report["encodage"], report["created"]) == ("windows-1252", 1)
    assert (mesure_rows(session)[0]["nature"], mesure_rows(session)[0]["lieu_vie"]) == (
        "curatelle_renforcee",
        "etablissement",
    )


def test_a_utf8_file_with_a_bom_and_commas_is_read(client, itself, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_text("\ufeff" + HEADER.replace(";", ",") + "\n" + line(4).replace(";", ",") + "\n", encoding="utf-8")
    assert imported(client, itself, path)["created"] == 1


def test_an_undecodable_file_is_rejected_naming_it(client, itself, tmp_path):
    path = tmp_path / "binaire.csv"
    path.write_bytes(HEADER.encode() + b"\n\x81\x8d\x8f\x90\x9d\n")
    response = upload(client, itself, path)
    assert response.status_code == 422
    assert error(response)["type"] == "encodage_illisible" and "binaire.csv" in error(response)["msg"]


def test_a_file_with_a_missing_column_writes_nothing(client, itself, session, tmp_path):
    header = HEADER.replace(";tribunal_siret", "")
    lines = [";".join(line(n).split(";")[:9] + line(n).split(";")[10:]) for n in range(3)]
    path = write_csv(tmp_path / "incomplet.csv", lines, header=header)
    assert rejected(client, itself, path) == [(1, "tribunal_siret", "colonne_manquante")]
    assert mesure_rows(session) == []


def test_bad_dates_unknown_tribunals_and_labels_are_reported_by_line_and_column(client, itself, session, tmp_path):
    lines = [
        line(1),
        line(2, date_nomination="31/02/2023"),
        line(3, date_nomination="hier"),
        line(4, tribunal_siret="12345678901234"),
        line(5, type="Tutelle provisoire"),
        line(6, residence="Chez sa fille", civilite="X"),
        line(7, annee="2050"),
        line(8, antenne="Antenne de Calais"),
        line(9, code_postal="59999", ville=""),
    ]
    path = write_csv(tmp_path / "erreurs.csv", lines)
    assert rejected(client, itself, path) == [
        (3, "date_nomination", "date_invalide"),
        (4, "date_nomination", "date_invalide"),
        (5, "tribunal_siret", "tribunal_inconnu"),
        (6, "type", "valeur_inconnue"),
        (7, "residence", "valeur_inconnue"),
        (7, "civilite", "valeur_inconnue"),
        (8, "annee", "valeur_invalide"),
        (10, "code_postal", "code_postal_inconnu"),
    ]
    assert mesure_rows(session) == []


def test_an_unknown_antenne_of_a_service_is_a_line_error_listing_its_antennes(client, admin, make_token, tmp_path):
    body = mandataire_body(
        type="service",
        sites=[{"nom": "Antenne de Lille", "insee": "59350"}, {"nom": "Antenne de Douai", "insee": "59178"}],
    )
    service = client.post("/mandataires", json=body, headers=admin).json()
    headers = make_token("mandataire", mandataire_id=service["id"])
    lines = [line(1, antenne="antenne de douai"), line(2, antenne="Antenne de Calais")]
    response = upload(client, headers, write_csv(tmp_path / "antennes.csv", lines))
    assert response.status_code == 422, response.text
    [erreur] = response.json()["rapport"]["erreurs"]
    assert (erreur["ligne"], erreur["colonne"], erreur["code"]) == (3, "antenne", "site_inconnu")
    lille, douai = service["sites"]
    assert erreur["message"] == (
        f"antenne inconnue : « Antenne de Calais » (antennes de ce mandataire : Antenne de Lille ({lille['id']}), "
        f"Antenne de Douai ({douai['id']}))"
    )


def test_the_template_example_antenne_is_ignored_for_an_individual_professional(client, itself, session, tmp_path):
    # e-MJPM's template shows an example antenne; an individual professional (no antenne) leaves it filled in.
    path = write_csv(tmp_path / "modele.csv", [line(1, antenne="Antenne de Paris"), line(2, antenne="Bureau")])
    report = imported(client, itself, path)
    assert (report["created"], report["rejected"]) == (2, 0)
    assert [row["site_id"] for row in mesure_rows(session)] == [None, None]


def test_emjpm_template_as_professionals_fill_it(client, itself, session, tmp_path):
    """e-MJPM's template (its header, `date_ouverture` first) with what its import accepts: its list of types, F/H,
    dd/mm/yyyy, a person without a home and without postcode, and a blank residence (both optional there)."""
    header = "date_ouverture,type,code_postal,ville,civilite,annee,numero_rg,numero_dossier,residence,tribunal_siret"
    rows = [
        ("Curatelle renforcée aux biens et à la personne", "59000", "Lille", "F", "A domicile"),
        ("Tutelle à la personne", "", "", "H", "SDF"),
        ("Curatelle", "59000", "Lille", "F", ""),
        ("Sauvegarde de justice avec mandat spécial", "59100", "Roubaix", "F", "a domicile"),
        ("Curatelle simple à la personne", "59000", "LILLE", "H", "En établissement avec conservation du domicile"),
    ]
    lines = [
        f"12/04/2023,{kind},{code},{ville},{sexe},1951,23/{n:05d},D{n},{home},{LILLE}"
        for n, (kind, code, ville, sexe, home) in enumerate(rows)
    ]
    report = imported(client, itself, write_csv(tmp_path / "modele.csv", lines, header=header))
    assert (report["created"], report["rejected"]) == (5, 0)
    warnings = {(w["ligne"], w["colonne"], w["code"]) for w in report["avertissements"]}
    assert {(3, "code_postal", "residence_non_localisee"), (4, "residence", "residence_non_renseignee")} <= warnings
    stored = {row["numero_rg"]: row for row in mesure_rows(session)}
    homeless = stored["2300001"]
    assert (homeless["lieu_vie"], homeless["pays"], homeless["code_postal"], homeless["departement"]) == (
        "sdf",
        "FR",
        None,
        None,
    )
    assert stored["2300002"]["lieu_vie"] == "domicile"


def test_duplicate_lines_are_rejected_and_nothing_is_written(client, itself, session, tmp_path):
    path = write_csv(tmp_path / "doublons.csv", [line(1), line(2), line(1)])
    response = upload(client, itself, path)
    assert response.status_code == 422
    report = response.json()["rapport"]
    assert [(e["ligne"], e["colonne"], e["code"]) for e in report["erreurs"]] == [(4, "numero_rg", "doublon")]
    assert "ligne 2" in report["erreurs"][0]["message"]
    assert response.json()["detail"][0]["loc"] == ["body", "fichier", 4, "numero_rg"]
    assert mesure_rows(session) == []


def test_a_four_digit_postcode_is_belgian(client, itself, session, tmp_path):
    path = write_csv(
        tmp_path / "belgique.csv",
        [line(1, code_postal="7500", ville="Tournai"), line(2, code_postal="1000", ville="")],
    )
    assert imported(client, itself, path)["created"] == 2
    rows = mesure_rows(session)
    assert [(r["pays"], r["nis"], r["commune"], r["departement"]) for r in rows] == [
        ("BE", "57081", "Tournai", None),
        ("BE", "21004", "Bruxelles", None),
    ]


def test_a_french_postcode_whose_leading_zero_a_spreadsheet_dropped_is_restored(client, itself, session, tmp_path):
    path = write_csv(tmp_path / "ain.csv", [line(1, code_postal="1000", ville="Bourg-en-Bresse")])
    report = imported(client, itself, path)
    assert [w["code"] for w in report["avertissements"]] == ["zero_initial_restitue"]
    assert [(r["pays"], r["code_postal"], r["insee"]) for r in mesure_rows(session)] == [("FR", "01000", "01053")]


def test_an_unknown_commune_name_falls_back_to_the_postcode_with_a_warning(client, itself, session, tmp_path):
    path = write_csv(tmp_path / "cedex.csv", [line(1, code_postal="59000", ville="LILLE CEDEX")])
    report = imported(client, itself, path)
    assert [(w["ligne"], w["colonne"], w["code"]) for w in report["avertissements"]] == [
        (2, "ville", "commune_inconnue")
    ]
    assert mesure_rows(session)[0]["insee"] == "59350"


def test_dry_run_validates_without_writing(client, itself, session, tmp_path):
    path = write_csv(tmp_path / "essai.csv", [line(n) for n in range(5)])
    report = imported(client, itself, path, dry_run="true")
    assert (report["dry_run"], report["applique"], report["created"]) == (True, False, 5)
    assert mesure_rows(session) == []
    bad = write_csv(tmp_path / "essai-faux.csv", [line(1, date_nomination="32/01/2020")])
    assert rejected(client, itself, bad, dry_run="true") == [(2, "date_nomination", "date_invalide")]


def test_unknown_columns_are_ignored_with_a_warning_and_aliases_read(client, itself, tmp_path):
    header = HEADER.replace("date_nomination", "Date ouverture").replace("annee", "Année naissance") + ";Commentaire"
    path = write_csv(tmp_path / "alias.csv", [line(1) + ";à voir"], header=header)
    report = imported(client, itself, path)
    assert report["created"] == 1
    assert [w["code"] for w in report["avertissements"]] == ["colonnes_ignorees"]


def test_an_empty_file_is_an_error(client, itself, tmp_path):
    assert rejected(client, itself, write_csv(tmp_path / "vide.csv", [])) == [(2, None, "fichier_vide")]


def test_other_formats_are_415(client, itself, tmp_path):
    path = tmp_path / "mesures.pdf"
    path.write_bytes(b"%PDF-1.4 ...")
    response = upload(client, itself, path, content_type="application/pdf")
    assert response.status_code == 415 and error(response)["type"] == "format_non_pris_en_charge"
    old = tmp_path / "mesures.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    assert upload(client, itself, old, content_type="application/vnd.ms-excel").status_code == 415


def test_a_broken_xlsx_is_422(client, itself, tmp_path):
    path = tmp_path / "casse.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    response = upload(client, itself, path)
    assert response.status_code == 422 and error(response)["type"] == "fichier_illisible"


def test_the_command_line_function_imports_with_progress(gazetteer, settings, professional, session, tmp_path):
    path = write_csv(tmp_path / "cli.csv", [line(n) for n in range(2500)])
    stages = []
    context = {"gazetteer": gazetteer, "locator": GazetteerLocator(gazetteer), "settings": settings, "path": path}
    report = import_file(
        session,
        **context,
        mandataire_id=professional["id"],
        dry_run=True,
        progress=lambda stage, done, total: stages.append((stage, done, total)),
    )
    assert (report.created, report.applique) == (2500, False) and mesure_rows(session) == []
    assert ("lecture", 2500, 2500) in stages and ("validation", 2500, 2500) in stages
    report = import_file(session, **context, mandataire_id=professional["id"])
    assert (report.created, report.applique) == (2500, True)
    assert len(mesure_rows(session)) == 2500
    assert_counters_equal_recount(session)


def test_the_command_line_function_refuses_an_unknown_professional(gazetteer, settings, session, tmp_path):
    from app.errors import DomainError

    path = write_csv(tmp_path / "cli.csv", [line(1)])
    with pytest.raises(DomainError, match="mandataire inconnu"):
        import_file(
            session,
            gazetteer=gazetteer,
            locator=GazetteerLocator(gazetteer),
            settings=settings,
            path=path,
            mandataire_id=999_999,
        )
