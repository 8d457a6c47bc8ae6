"""What the professional's space reads beyond the registry's pages: the search in the measures, their CSV and
XLSX exports (same filters and scope as `GET /mesures`) and the map of the measures per commune."""

import io

import pytest
from openpyxl import load_workbook

from tests.registry.factories import mandataire_body, mesure_body


@pytest.fixture(scope="module")
def two_professionals(module_client, module_token) -> list[dict]:
    """Two professionals of the Nord, built once for the module (each test runs in a savepoint over them); the first
    has four measures (Lille twice, Roubaix, Belgian Tournai), one of them closed, the second one measure in
    Lille."""
    with module_client() as client:
        admin = module_token("admin")
        pros = []
        for nom in ("Alice Exporte", "Bruno Autre"):
            body = mandataire_body(nom=nom, specialites=["belgique"])
            response = client.post("/mandataires", headers=admin, json=body)
            assert response.status_code == 201, response.text
            pro = response.json()
            pro["headers"] = module_token("mandataire", mandataire_id=pro["id"])
            pros.append(pro)
        first, second = pros
        bodies = [
            (first, mesure_body(numero_rg="24/AB001", numero_dossier="DOS-7", residence={"insee": "59350"})),
            (first, mesure_body(numero_rg="24/AB002", residence={"insee": "59350"}, nature="tutelle")),
            (first, mesure_body(numero_rg="24/CD003", residence={"insee": "59512"})),
            (first, mesure_body(numero_rg="24/EF004", residence={"pays": "BE", "code_postal": "7500"})),
            (second, mesure_body(numero_rg="24/AB005", residence={"insee": "59350"})),
        ]
        for pro, body in bodies:
            response = client.post("/mesures", headers=pro["headers"], json=body)
            assert response.status_code == 201, response.text
            pro.setdefault("mesures", []).append(response.json())
        closed = first["mesures"][2]
        response = client.patch(
            f"/mesures/{closed['id']}",
            headers=first["headers"],
            json={
                "version": closed["version"],
                "statut": "eteinte",
                "cause_sortie": "mainlevee",
                "date_fin_mesure": "2025-01-31",
            },
        )
        assert response.status_code == 200, response.text
    return pros


@pytest.fixture
def connection(two_professionals, savepoint_connection):
    """The module's two professionals, then this test's savepoint over them."""
    return savepoint_connection


def rgs(response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(m["numero_rg"] for m in response.json()["items"])


def test_the_search_matches_the_start_of_the_numbers_or_a_part_of_the_commune(client, two_professionals):
    first, _ = two_professionals
    search = lambda q: rgs(client.get("/mesures", params={"q": q}, headers=first["headers"]))  # noqa: E731
    # RG numbers are stored normalised: "24/ab" finds 24AB001; case-insensitive; only the caller's measures.
    assert search("24/ab") == ["24AB001", "24AB002"]
    assert search("dos-") == ["24AB001"]
    assert search("roub") == ["24CD003"]
    assert search("AB00%") == []  # a wildcard is a plain character
    assert search("B0") == []  # the numbers match by their start only
    filtered = client.get("/mesures", params={"q": "24/", "statut": "en_cours"}, headers=first["headers"])
    assert rgs(filtered) == ["24AB001", "24AB002", "24EF004"]


def test_the_csv_export_has_every_filtered_measure_with_french_labels(client, two_professionals):
    first, _ = two_professionals
    response = client.get("/mesures.csv", params={"statut": "en_cours"}, headers=first["headers"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].split(";")[:6] == ["Numéro RG", "Numéro de dossier", "Tribunal", "Nature", "Lieu de vie", "État"]
    assert sorted(line.split(";")[0] for line in lines[1:]) == ["24AB001", "24AB002", "24EF004"]
    tutelle = next(line for line in lines if line.startswith("24AB002")).split(";")
    assert tutelle[3:6] == ["Tutelle", "Domicile", "En cours"] and tutelle[8] == "Lille"
    belge = next(line for line in lines if line.startswith("24EF004")).split(";")
    assert belge[6] == "Belgique"


def test_the_xlsx_export_follows_the_search_and_the_scope(client, two_professionals, admin):
    first, second = two_professionals
    response = client.get("/mesures.xlsx", params={"q": "24/AB"}, headers=second["headers"])
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Numéro RG" and [r[0] for r in rows[1:]] == ["24AB005"]
    everyone = client.get("/mesures.csv", params={"q": "24/AB"}, headers=admin)
    assert everyone.content.decode("utf-8-sig").count("24AB") == 3
    bad = client.get("/mesures.csv", params={"statut": "perdue"}, headers=first["headers"])
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "statut"]


def test_the_map_counts_the_measures_in_progress_per_commune(client, two_professionals, make_token):
    first, second = two_professionals
    response = client.get(f"/mandataires/{first['id']}/carte", headers=first["headers"])
    assert response.status_code == 200, response.text
    body = response.json()
    places = [(c["pays"], c["code"], c["commune"], c["mesures"]) for c in body["communes"]]
    # Lille twice; Roubaix's measure is closed; Tournai (Belgium) has no département.
    assert places[0] == ("FR", "59350", "Lille", 2)
    assert [p[0] for p in places] == ["FR", "BE"] and body["sans_position"] == 0
    assert body["communes"][1]["departement"] is None and 50 < body["communes"][0]["lat"] < 51
    assert client.get(f"/mandataires/{second['id']}/carte", headers=first["headers"]).status_code == 404
    agent = make_token("agent", departement="59")
    assert client.get(f"/mandataires/{first['id']}/carte", headers=agent).json()["communes"] == body["communes"]


def test_a_professional_says_why_it_takes_no_new_measure(client, two_professionals, admin):
    first, _ = two_professionals
    path = f"/mandataires/{first['id']}/disponibilite"
    version = client.get("/mandataires/moi", headers=first["headers"]).json()["version"]
    body = {"version": version, "accepte_nouvelles_mesures": False, "motif_nouvelles_mesures": "  congé jusqu'en mars "}
    response = client.patch(path, headers=first["headers"], json=body)
    assert response.status_code == 200, response.text
    assert (response.json()["accepte_nouvelles_mesures"], response.json()["motif_nouvelles_mesures"]) == (
        False,
        "congé jusqu'en mars",
    )
    assert client.get(f"/mandataires/{first['id']}", headers=admin).json()["motif_nouvelles_mesures"] == (
        "congé jusqu'en mars"
    )
    too_long = {"version": response.json()["version"], "motif_nouvelles_mesures": "x" * 501}
    refused = client.patch(path, headers=first["headers"], json=too_long)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "motif_nouvelles_mesures"]
    # Taking new measures again clears the reason.
    back = client.patch(
        path, headers=first["headers"], json={"version": response.json()["version"], "accepte_nouvelles_mesures": True}
    )
    assert (back.json()["accepte_nouvelles_mesures"], back.json()["motif_nouvelles_mesures"]) == (True, None)
