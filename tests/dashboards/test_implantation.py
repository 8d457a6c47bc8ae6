"""Where professionals work (`implantation`): a professional with antennes in two départements counts in both, and
once in the région's and the nation's totals; a measure without antenne counts in its tribunal's département."""

from tests.registry.factories import mandataire_body, mesure_body

LILLE_TJ, ARRAS_TJ = "17590111500709", "17590111500535"


def test_a_professional_with_antennes_in_two_departements_counts_in_both_and_once_in_the_totals(
    client, admin, make_token
):
    body = mandataire_body(
        departements=["59", "62"],
        sites=[{"nom": "Lille", "insee": "59350"}, {"nom": "Arras", "insee": "62041"}],
        capacite=80,
    )
    response = client.post("/mandataires", headers=admin, json=body)
    assert response.status_code == 201, response.text
    both = response.json()
    lille_site, arras_site = (site["id"] for site in both["sites"])
    local = client.post("/mandataires", headers=admin, json=mandataire_body(nom="Local", type="service"))
    assert local.status_code == 201, local.text

    def measure(mandataire: int, tribunal: str, insee: str, **extra) -> None:
        body = mesure_body(tribunal=tribunal, mandataire=mandataire, residence={"insee": insee}, **extra)
        response = client.post("/mesures", headers=admin, json=body)
        assert response.status_code == 201, response.text

    # Two at the Lille antenne (one judged in Arras: the antenne decides), one at Arras, one without antenne judged
    # in Arras (its tribunal decides), one closed (not held).
    measure(both["id"], LILLE_TJ, "59350", site=lille_site)
    measure(both["id"], ARRAS_TJ, "62041", site=lille_site)
    measure(both["id"], ARRAS_TJ, "62041", site=arras_site)
    measure(both["id"], ARRAS_TJ, "62041")
    measure(both["id"], LILLE_TJ, "59350", statut="eteinte", date_fin_mesure="2025-01-01", cause_sortie="deces")
    measure(local.json()["id"], LILLE_TJ, "59350")

    table = client.get("/tableaux-de-bord/implantation", headers=admin).json()
    rows = {(r["departement"], r["type"]): r for r in table["lignes"]}
    assert set(rows) == {("59", "individuel"), ("62", "individuel"), ("59", "service")}
    assert (rows[("59", "individuel")]["professionnels"], rows[("59", "individuel")]["mesures"]) == (1, 2)
    assert (rows[("62", "individuel")]["professionnels"], rows[("62", "individuel")]["mesures"]) == (1, 2)
    assert rows[("59", "individuel")]["exercant_ailleurs"] == 1 and rows[("59", "service")]["exercant_ailleurs"] == 0
    assert (table["totaux"]["professionnels"], table["totaux"]["mesures"]) == (2, 5)  # not 3: counted once
    assert table["totaux"]["exercant_ailleurs"] == 1

    region = client.get("/tableaux-de-bord/implantation", headers=admin, params={"par": "region"}).json()
    assert [(r["region"], r["type"], r["professionnels"], r["exercant_ailleurs"]) for r in region["lignes"]] == [
        ("32", "service", 1, 0),
        ("32", "individuel", 1, 0),  # both départements are in Hauts-de-France: one territory, counted once
    ]
    assert region["totaux"]["professionnels"] == 2

    # An agent of Pas-de-Calais sees the professional in its département, with the measures worked there only.
    arras = client.get("/tableaux-de-bord/implantation", headers=make_token("agent", departement="62")).json()
    assert [(r["departement"], r["professionnels"], r["mesures"]) for r in arras["lignes"]] == [("62", 1, 2)]
    assert arras["totaux"]["professionnels"] == 1
    # With the Arras tribunal, its three measures count in its département, wherever their antenne.
    tribunal = client.get("/tableaux-de-bord/implantation", headers=admin, params={"tribunal": ARRAS_TJ}).json()
    assert [(r["departement"], r["mesures"]) for r in tribunal["lignes"]] == [("62", 3)]


def test_on_the_regional_demo_services_with_an_antenne_in_a_neighbour_count_in_both_and_once_in_the_total(
    regional,
):
    # Départements where each professional works its measures held: its antenne's (every demo measure has one).
    worked = regional.rows(
        """SELECT m.mandataire_id, s.departement FROM mesure m JOIN site s ON s.id = m.site_id
           WHERE m.statut IN ('en_cours', 'en_attente') GROUP BY m.mandataire_id, s.departement"""
    )
    departements: dict[int, set[str]] = {}
    for mandataire_id, departement in worked:
        departements.setdefault(mandataire_id, set()).add(departement)
    several = {i: codes for i, codes in departements.items() if len(codes) > 1}
    assert several, "no demo professional works in two départements"
    # Those are services listed in a neighbour of the région, with an antenne there.
    types = dict(regional.rows("SELECT id, type FROM mandataire"))
    assert {types[i] for i in several} == {"service"}

    table = regional.get("/tableaux-de-bord/implantation", "agent", par="departement").json()
    services = {r["departement"]: r for r in table["lignes"] if r["type"] == "service"}
    for codes in several.values():
        assert all(services[code]["exercant_ailleurs"] >= 1 for code in codes)
    assert sum(r["exercant_ailleurs"] for r in table["lignes"]) == sum(len(c) for c in several.values())
    # Counted in each of its départements, once in the région's total.
    assert sum(r["professionnels"] for r in table["lignes"]) == len(departements) + sum(
        len(c) - 1 for c in several.values()
    )
    assert table["totaux"]["professionnels"] == len(departements)
    assert table["totaux"]["exercant_ailleurs"] == len(several)
    region = regional.get("/tableaux-de-bord/implantation", "agent", par="region").json()
    assert [r["region"] for r in region["lignes"]] == ["32"] * len(region["lignes"])
    assert sum(r["professionnels"] for r in region["lignes"]) == region["totaux"]["professionnels"] == len(departements)
    assert region["totaux"]["exercant_ailleurs"] == 0
