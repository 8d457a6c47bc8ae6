"""A table is declared once: its routes, its index entry and its columns come from its declaration, and every
column an answer shows is a declared one with the declared label and type."""

import pytest

from app.dashboards.schemas import Colonne
from app.dashboards.table import Contenu, Graphique, Table, colonne
from app.dashboards.tables import TABLES

QUERIES = [
    ("charge", {"par": "region"}),
    ("fraicheur", {"par": "mandataire"}),
    ("flux", {"type": "service"}),
    ("belgique", {}),
    ("annees", {"par": "region"}),
    ("couverture", {"distance_km": 20, "region": "32"}),
]


def test_every_declared_table_has_its_three_routes(client, admin):
    routes = set(client.app.openapi()["paths"])
    for name in TABLES:
        assert {f"/tableaux-de-bord/{name}{suffix}" for suffix in ("", ".csv", ".xlsx")} <= routes, name


@pytest.mark.parametrize("name, params", QUERIES, ids=[f"{n}{p}" for n, p in QUERIES])
def test_answers_show_declared_columns(regional, name, params):
    index = {t["nom"]: t for t in regional.get("/tableaux-de-bord/index.json").json()["tableaux"]}
    declared = {c["cle"]: c for c in index[name]["colonnes"]}
    table = regional.get(f"/tableaux-de-bord/{name}", **params).json()
    assert table["colonnes"], name
    for column in table["colonnes"]:
        if column["cle"].startswith("annee_"):
            assert column == {"cle": column["cle"], "libelle": column["cle"][6:], "type": "entier"}
            assert "annee_{annee}" in declared
        else:
            assert declared[column["cle"]] == column
    for row in table["lignes"]:
        assert set(row) <= {c["cle"] for c in table["colonnes"]}, name


def test_index_gives_the_parameters_and_columns_of_each_table(regional):
    index = {t["nom"]: t for t in regional.get("/tableaux-de-bord/index.json").json()["tableaux"]}
    assert index["couverture"]["parametres"] == ["nature", "distance_km"]
    assert index["flux"]["parametres"] == ["debut", "fin"] and index["charge"]["parametres"] == ["par"]
    assert {"cle": "taux_occupation", "libelle": "Taux d'occupation", "type": "pourcentage"} in index["charge"][
        "colonnes"
    ]


def _empty(session, *, gazetteer, perimetre) -> Contenu:
    return Contenu(lignes=[], totaux=None, note="", filtres={}, cles=["annee_2024", "n"])


def test_a_declaration_names_its_columns_once():
    table = Table(
        nom="essai",
        titre="Essai",
        description="Essai.",
        colonnes=(colonne("n", "Nombre"), colonne("annee_{annee}", "Année {annee}")),
        calcul=_empty,
        ordre=99,
    )
    assert table.colonnes_de(["annee_2024", "n"]) == [
        Colonne(cle="annee_2024", libelle="Année 2024", type="entier"),
        Colonne(cle="n", libelle="Nombre", type="entier"),
    ]
    assert table.colonnes_de(None) == [Colonne(cle="n", libelle="Nombre", type="entier")]
    with pytest.raises(KeyError):
        table.colonnes_de(["absente"])
    with pytest.raises(ValueError, match="undeclared column 'x'"):
        Table(
            nom="essai",
            titre="Essai",
            description="Essai.",
            colonnes=(colonne("n", "Nombre"),),
            calcul=_empty,
            ordre=99,
            graphique=Graphique(titre="G", legende="L", abscisse="n", series=(("x",),)),
        )


def test_the_page_is_laid_out_from_the_declarations(client, make_token):
    headers = make_token("agent", region="32")
    page = client.get("/tableaux-de-bord", headers=headers, params={"departement": "59", "nature": "tutelle"}).text
    positions = [page.index(f'id="tableau-{name}"') for name in TABLES]
    assert positions == sorted(positions)  # in the declared order
    assert 'data-nom="couverture" data-requete="departement=59&amp;nature=tutelle"' in page
    assert 'data-nom="charge" data-requete="departement=59"' in page  # nature is couverture's own parameter
    assert """data-abscisse="tranche" data-series='[["individuels"]]'""" in page
    assert "<option value=\"places_pour_1000\" data-seuils='[]' data-inverse>" in page
    assert """data-codes='{"type": {"individuel": "Mandataire individuel",""" in page
    assert 'href="/tableaux-de-bord/fraicheur.csv?departement=59&amp;par=mandataire"' in page
