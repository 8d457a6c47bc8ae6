"""`POST /planification/simulations` and `mjpm simulate` on a small Somme register built once for the module: who
may simulate where, the answer's shape and reproducibility, its CSV and PNG, and a registry left unchanged."""

import json
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from app import cli
from tests.support import counters

AMIENS = "17800111100164"
PATH = "/planification/simulations"
STRATEGIES = ["moteur", "places_libres", "plus_proche", "frontiere"]


@pytest.fixture(scope="module")
def somme_offices() -> list[dict]:
    """Three professionals of the Somme (Amiens, Abbeville, Péronne); see `conftest.somme`."""
    return [
        {"sites": [{"nom": "Bureau", "insee": insee}], "capacite": capacite}
        for insee, capacite in (("80021", 6), ("80001", 30), ("80620", 30))
    ]


@pytest.fixture
def cli_database(connection, monkeypatch) -> None:
    """The command line works in the test's connection (its savepoint), not in a database of its own."""

    @contextmanager
    def test_database():
        yield connection

    monkeypatch.setattr(cli, "database", test_database)


def registry_state(session) -> tuple:
    measures = session.execute(text("SELECT count(*), max(version) FROM mesure")).one()
    return tuple(measures), counters(session), session.execute(text("SELECT count(*) FROM match_request")).scalar()


def test_an_agent_simulates_inside_its_territory_reproducibly_and_the_registry_is_unchanged(
    client, make_token, session
):
    agent = make_token("agent", region="32")
    before = registry_state(session)
    body = {"arrivees": 40, "graine": 2, "annees": 2, "croissance": 0.5}
    response = client.post(PATH, headers=agent, params={"departement": "80"}, json=body)
    assert response.status_code == 200, response.text
    simulation = response.json()
    assert simulation["territoire"] == ["80"]
    assert simulation["hypotheses"]["arrivees_par_an"] == [40, 60]
    assert simulation["hypotheses"]["professionnels"] == 3
    assert [r["strategie"] for r in simulation["resultats"]] == STRATEGIES
    for resultat in simulation["resultats"]:
        assert resultat["designations"] + resultat["sans_candidat"] == 100
        assert resultat["par_departement"][0]["departement"] == "80"
        assert [(r["region"], r["arrivees"]) for r in resultat["par_region"]] == [("32", 100)]
    by_code = {r["strategie"]: r for r in simulation["resultats"]}
    # 100 new measures for 66 places: every strategy designates beyond capacity, the frontier only once all is full.
    assert by_code["plus_proche"]["au_dela_capacite"] >= by_code["frontiere"]["au_dela_capacite"] > 0
    assert client.post(PATH, headers=agent, params={"departement": "80"}, json=body).json() == simulation
    assert registry_state(session) == before


def test_weights_of_another_engine_are_compared_and_bad_parameters_name_their_field(client, make_token):
    agent = make_token("agent", departement="80")
    poids = {"distance": 1, "capacite": 0, "profil": 0, "fraicheur": 0, "equite": 0}
    body = {"arrivees": 10, "strategies": ["frontiere"], "poids": poids}
    response = client.post(PATH, headers=agent, json=body)
    assert response.status_code == 200, response.text
    assert [r["strategie"] for r in response.json()["resultats"]] == ["frontiere", "moteur_poids"]
    bad = client.post(PATH, headers=agent, json={"annees": 0, "strategies": ["au_hasard"]})
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["detail"]} >= {("body", "annees"), ("body", "strategies", 0)}


def test_outside_the_territory_or_without_the_role_is_refused(client, make_token):
    response = client.post(PATH, headers=make_token("agent", departement="59"), params={"departement": "80"}, json={})
    assert response.status_code == 403
    assert response.json()["detail"][0]["type"] == "hors_territoire"
    judge = make_token("magistrat", tribunal=AMIENS)
    assert client.post(PATH, headers=judge, params={"departement": "80"}, json={}).status_code == 403


def test_a_territory_without_measures_last_year_is_a_clear_422(client, make_token):
    response = client.post(PATH, headers=make_token("agent", region="32"), params={"departement": "02"}, json={})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "aucune_mesure_observee"


def test_the_table_as_csv_and_its_plot_as_png(client, make_token):
    agent = make_token("admin")
    body = {"arrivees": 10, "strategies": ["moteur", "frontiere"]}
    as_csv = client.post(PATH, headers=agent, params={"departement": "80", "format": "csv"}, json=body)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    lines = as_csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Stratégie;Désignations;Distance moyenne (km)")
    assert [line.split(";")[0] for line in lines[1:]] == ["moteur", "frontiere"]
    as_png = client.post(PATH, headers=agent, params={"departement": "80", "format": "png"}, json=body)
    assert as_png.status_code == 200 and as_png.headers["content-type"] == "image/png"
    assert as_png.content.startswith(b"\x89PNG")


def test_the_command_prints_the_table_json_and_writes_the_plot(cli_database, session, tmp_path):
    before = registry_state(session)
    runner = CliRunner()
    png = tmp_path / "simulation.png"
    table = runner.invoke(cli.cli, ["simulate", "--departement", "80", "--arrivees", "20", "--png", str(png)])
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0].startswith("Stratégie")
    assert "objectif du moteur :" in table.stdout
    assert png.read_bytes().startswith(b"\x89PNG")
    as_json = runner.invoke(
        cli.cli, ["simulate", "--departement", "80", "--arrivees", "20", "--format", "json", "--strategie", "moteur"]
    )
    assert as_json.exit_code == 0, as_json.output
    assert '"strategie": "moteur"' in as_json.stdout
    unknown = runner.invoke(cli.cli, ["simulate", "--region", "99"])
    assert unknown.exit_code == 2 and "région inconnue : 99" in unknown.output
    assert registry_state(session) == before


def test_the_whole_of_france_in_one_command_with_its_regions_and_departements(cli_database, session):
    before = registry_state(session)
    runner = CliRunner()
    france = ["simulate", "--france", "--arrivees", "60"]
    comparison = runner.invoke(cli.cli, [*france, "--comparer"])
    assert comparison.exit_code == 0, comparison.output
    lines = comparison.stdout.splitlines()
    assert [line.split()[0] for line in lines[1:5]] == STRATEGIES
    assert any(line.startswith("territoire : 10") and "départements" in line for line in lines)
    by_region = [re.split(r"\s{2,}", line) for line in lines[lines.index("par région :") + 1 :]]
    assert by_region[0][:3] == ["Territoire", "Stratégie", "Arrivées"]
    # Every strategy in each région that had arrivals, Hauts-de-France's with the Somme's professionals.
    assert [cells[1] for cells in by_region if cells[0] == "32 Hauts-de-France"] == STRATEGIES
    as_json = runner.invoke(cli.cli, [*france, "--format", "json", "--strategie", "moteur"])
    assert as_json.exit_code == 0, as_json.output
    (moteur,) = json.loads(as_json.stdout)["resultats"]
    regions = {r["region"]: r for r in moteur["par_region"]}
    assert len(regions) > 5 and sum(r["arrivees"] for r in regions.values()) == moteur["arrivees"] == 60
    # Only the Somme has professionals: elsewhere every arrival is without a candidate.
    assert all(r["sans_candidat"] == r["arrivees"] for code, r in regions.items() if code != "32")
    somme = next(d for d in moteur["par_departement"] if d["departement"] == "80")
    assert somme["designations"] == somme["arrivees"] > 0
    as_csv = runner.invoke(cli.cli, [*france, "--format", "csv", "--detail", "departement", "--strategie", "moteur"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = as_csv.stdout.splitlines()
    assert rows[0].startswith("Territoire;Stratégie;Arrivées;Désignations")
    assert any(row.startswith(f"80 Somme;moteur;{somme['arrivees']};") for row in rows[1:])
    both = runner.invoke(cli.cli, [*france, "--region", "32"])
    assert both.exit_code == 2 and "--france" in both.output
    assert registry_state(session) == before


def test_a_simulation_too_large_for_the_process_is_a_clear_422_naming_the_field(client, make_token):
    # 100 000 arrivals doubling for ten years: a hundred million, once filled the memory of the test process.
    agent = make_token("agent", departement="80")
    body = {"arrivees": 100_000, "annees": 10, "croissance": 1.0, "strategies": ["frontiere"]}
    response = client.post(PATH, headers=agent, json=body)
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert (error["type"], error["loc"]) == ("simulation_trop_grande", ["body", "arrivees"])
    assert "arrivées" in error["msg"]
    comparison = client.post(
        "/planification/scenarios/comparaison", headers=agent, json={"simulation": body, "scenario": {}}
    )
    assert comparison.status_code == 422, comparison.text
    assert comparison.json()["detail"][0]["loc"] == ["body", "simulation", "arrivees"]
