"""The regional demo's services declare their ETP for every year of the history: the dashboards' per-ETP figures
(`charge-professionnels`, `dpf`) are filled, at about 25 measures per ETP as the schémas quote for services."""

from app.database import utcnow
from app.demo.tunables import HISTORY_YEARS


def test_every_service_of_the_demo_declares_its_etp_for_each_year_of_the_history(regional):
    services = {row[0] for row in regional.rows("SELECT id FROM mandataire WHERE type = 'service'")}
    declared = regional.rows("SELECT mandataire_id, annee, etp FROM etp_service")
    years = set(range(utcnow().year - HISTORY_YEARS, utcnow().year + 1))
    assert {m for m, _, _ in declared} == services
    assert {annee for _, annee, _ in declared} == years
    assert all(etp > 0 for *_, etp in declared)
    # ETP grow with the caseload: the services' total ETP this year exceed those of the history's first year.
    total = {annee: sum(etp for _, a, etp in declared if a == annee) for annee in years}
    assert total[max(years)] > total[min(years)]


def test_charge_professionnels_gives_measures_per_etp_of_the_demo_services(regional):
    table = regional.get("/tableaux-de-bord/charge-professionnels").json()
    filled = [row for row in table["lignes"] if row["services"]]
    assert filled
    for row in filled:
        assert row["etp_services"] > 0, row["departement"]
        assert 10 <= row["mesures_par_etp"] <= 40, (row["departement"], row["mesures_par_etp"])
    assert 20 <= table["totaux"]["mesures_par_etp"] <= 30


def test_dpf_gives_measures_per_etp_of_the_demo_services_every_year(regional):
    # Services only: MIs hold MJAGBF too, and declare no ETP.
    table = regional.get("/tableaux-de-bord/dpf", type="service").json()
    per_etp = [row["mjagbf_par_etp"] for row in table["lignes"] if row["mjagbf_stock"]]
    assert per_etp and None not in per_etp
    assert all(10 <= value <= 40 for value in per_etp), per_etp
    assert {row["annee"] for row in table["lignes"] if row["mjagbf_par_etp"] is not None} == {
        row["annee"] for row in table["lignes"]
    }
