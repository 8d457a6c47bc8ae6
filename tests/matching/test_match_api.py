"""`POST /match` and `/match/explain` through HTTP on the real database."""

from datetime import date

import pytest
from sqlalchemy import select

from app.matching.models import MatchRecord, RegistryVersion
from app.matching.schemas import MatchResponse
from tests.registry.factories import mesure_body
from tests.support import create_mandataire

LILLE_TJ = "17590111500709"
NATURES = ["curatelle_renforcee", "tutelle", "curatelle_simple", "sauvegarde_justice"]


@pytest.fixture
def judge(make_token):
    return make_token("magistrat", tribunal=LILLE_TJ)


# A person living at home in Lille, before the Lille tribunal.
REQUEST = {
    "tribunal": LILLE_TJ,
    "nature": "curatelle_renforcee",
    "residence": {"insee": "59350"},
    "lieu_vie": "domicile",
}


def create_ehpad(client, admin, *, finess: str, nom: str, insee: str, places: int, public: bool = True) -> dict:
    body = {"finess": finess, "nom": nom, "insee": insee, "categorie": "ehpad", "public": public}
    response = client.post("/etablissements", headers=admin, json={**body, "places_permanentes": places})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def registry(module_client, module_token):
    """A small Nord registry: two MIs, a service with an antenne, a DPF, a Belgian specialist, a préposé; built once
    for the module, each test runs in a savepoint over it (`connection` below)."""
    with module_client() as client:
        return small_registry(client, module_token("admin"))


@pytest.fixture
def connection(registry, savepoint_connection):
    return savepoint_connection


def small_registry(client, admin) -> dict:
    def create(**overrides):
        return create_mandataire(client, admin, **overrides)

    etablissement = create_ehpad(client, admin, finess="590000123", nom="EHPAD du Beffroi", insee="59350", places=120)
    return {
        "mi_lille": create(nom="Alix Lefort", natures=NATURES, sites=[{"nom": "Bureau", "insee": "59350"}]),
        "mi_douai": create(nom="Bastien Carpentier", natures=NATURES, sites=[{"nom": "Bureau", "insee": "59178"}]),
        "service": create(
            type="service",
            nom="ATN Nord",
            siret=None,
            natures=NATURES,
            capacite=400,
            sites=[{"nom": "Siège", "insee": "59350"}, {"nom": "Antenne Maubeuge", "insee": "59392"}],
        ),
        "dpf": create(
            nom="Chloé Delattre", dpf=True, natures=[*NATURES, "mjagbf"], sites=[{"nom": "Bureau", "insee": "59512"}]
        ),
        "belge": create(
            nom="Dorian Vandamme",
            natures=NATURES,
            specialites=["belgique"],
            sites=[{"nom": "Bureau", "insee": "59599"}],
        ),
        "prepose": create(
            type="prepose",
            siret=None,
            nom="Préposé du Beffroi",
            natures=NATURES,
            etablissements=[etablissement["id"]],
            sites=[{"nom": "EHPAD", "insee": "59350"}],
        ),
        "marseille": create(
            nom="Éva Marseille", natures=NATURES, departements=["13"], sites=[{"nom": "B", "insee": "13055"}]
        ),
        "etablissement": etablissement,
    }


def match(client, headers, **overrides):
    return client.post("/match", json={**REQUEST, **overrides}, headers=headers)


def explain(client, headers, mandataire: int, **overrides):
    return client.post("/match/explain", headers=headers, json={**REQUEST, **overrides, "mandataire": mandataire})


def ids(response):
    assert response.status_code == 200, response.text
    return [c["mandataire"]["id"] for c in response.json()["candidats"]]


def test_shortlist_is_ranked_explained_and_counts_add_up(client, judge, registry):
    response = match(client, judge)
    body = response.json()
    found = ids(response)
    assert registry["marseille"]["id"] not in found
    assert registry["prepose"]["id"] not in found
    first = body["candidats"][0]
    assert first["rang"] == 1 and 0 <= first["score"] <= 1
    assert {c["critere"] for c in first["composantes"]} == {"distance", "capacite", "profil", "fraicheur", "equite"}
    assert first["explication"].endswith(".")
    assert [c["score"] for c in body["candidats"] if not c["ajoute_pour_diversite"]] == sorted(
        (c["score"] for c in body["candidats"] if not c["ajoute_pour_diversite"]), reverse=True
    )
    exclus = body["exclus"]
    assert exclus["eligibles"] + sum(exclus["par_motif"].values()) == exclus["consideres"]
    assert exclus["par_motif"]["hors_departement"] >= 1 and exclus["par_motif"]["prepose_hors_etablissement"] == 1
    assert set(exclus["motifs"]) == set(exclus["par_motif"])
    assert body["parametres"]["version_moteur"] and set(body["parametres"]["poids"]) == {
        "distance",
        "capacite",
        "profil",
        "fraicheur",
        "equite",
    }


def test_the_answer_has_exactly_the_documented_shape(client, judge, registry):
    """The service builds the answer without validating it again: its schema must still describe it exactly."""
    body = match(client, judge, besoins=["psychiatrie"], inclure_complets=True).json()
    assert body["candidats"]
    assert MatchResponse.model_validate(body).model_dump(mode="json") == body


def test_the_request_and_its_answer_are_stored(client, judge, registry, session):
    body = match(client, judge).json()
    record = session.scalar(select(MatchRecord).where(MatchRecord.id == body["match_id"]))
    assert record.reponse == body
    assert record.demande["nature"] == "curatelle_renforcee"


def test_a_belgian_residence_returns_only_belgique_professionals(client, judge, registry):
    found = ids(match(client, judge, residence={"pays": "BE", "code_postal": "7500"}))
    assert found == [registry["belge"]["id"]]


def test_an_mjagbf_never_goes_to_a_non_dpf(client, judge, registry):
    response = match(client, judge, nature="mjagbf")
    assert ids(response) == [registry["dpf"]["id"]]
    assert response.json()["exclus"]["par_motif"]["mjagbf_sans_dpf"] >= 3


def test_a_prepose_only_for_a_person_living_in_its_etablissement(client, judge, registry):
    inside = ids(match(client, judge, lieu_vie="etablissement", etablissement=registry["etablissement"]["id"]))
    assert registry["prepose"]["id"] in inside
    assert registry["prepose"]["id"] not in ids(match(client, judge, lieu_vie="etablissement"))


def test_judge_exclusions_and_diversity(client, judge, registry):
    excluded = registry["mi_lille"]["id"]
    response = match(client, judge, exclure=[excluded], limit=1)
    found = ids(response)
    assert excluded not in found
    assert response.json()["exclus"]["par_motif"]["exclu_par_juge"] == 1
    kinds = {c["mandataire"]["type"] for c in response.json()["candidats"]}
    assert kinds == {"individuel", "service"}  # the best service is added for diversity
    assert sum(c["ajoute_pour_diversite"] for c in response.json()["candidats"]) == 1


def test_registry_changes_reach_the_next_match(client, judge, admin, registry, session):
    target = registry["mi_lille"]
    assert target["id"] in ids(match(client, judge))
    suspended = client.patch(
        f"/mandataires/{target['id']}", headers=admin, json={"version": target["version"], "statut": "suspendu"}
    )
    assert suspended.status_code == 200
    response = match(client, judge)
    assert target["id"] not in ids(response)
    assert response.json()["exclus"]["par_motif"]["statut_inactif"] == 1


def test_an_etablissement_created_after_the_index_was_built_is_known_at_once(client, judge, admin, registry):
    assert match(client, judge).status_code == 200  # the index is built
    created = create_ehpad(
        client, admin, finess="590000456", nom="EHPAD des Weppes", insee="59350", places=80, public=False
    )  # 201
    response = match(client, judge, lieu_vie="etablissement", etablissement=created["id"])
    assert response.status_code == 200, response.text
    assert registry["prepose"]["id"] not in ids(response)


def test_load_is_read_live_and_a_full_professional_leaves_the_list(client, judge, make_token, registry, session):
    target = registry["mi_douai"]
    client.patch(
        f"/mandataires/{target['id']}", headers=admin_of(make_token), json={"version": target["version"], "capacite": 1}
    )
    version_before = session.scalar(select(RegistryVersion.version))
    own = make_token("mandataire", mandataire_id=target["id"])
    assert client.post("/mesures", headers=own, json=mesure_body()).status_code == 201
    assert session.scalar(select(RegistryVersion.version)) == version_before  # a measure moves load, not the profile
    response = match(client, judge)
    assert target["id"] not in ids(response)
    with_full = match(client, judge, inclure_complets=True).json()["candidats"]
    assert [c["complet"] for c in with_full if c["mandataire"]["id"] == target["id"]] == [True]
    assert with_full[-1]["mandataire"]["id"] == target["id"]


def admin_of(make_token):
    return make_token("admin")


def test_same_request_same_answer(client, judge, registry):
    first, second = match(client, judge).json(), match(client, judge).json()
    assert first["match_id"] != second["match_id"]
    assert first["candidats"] == second["candidats"] and first["exclus"] == second["exclus"]


@pytest.mark.parametrize(
    ("caller", "status"),
    [("greffier", 200), ("magistrat_ailleurs", 403), ("agent", 403), ("mandataire", 403), ("anonyme", 401)],
)
def test_who_may_ask(client, make_token, registry, caller, status):
    headers = {
        "greffier": lambda: make_token("greffier", tribunal=LILLE_TJ),
        "magistrat_ailleurs": lambda: make_token("magistrat", tribunal="17130111200776"),
        "agent": lambda: make_token("agent"),
        "mandataire": lambda: make_token("mandataire", mandataire_id=registry["mi_lille"]["id"]),
        "anonyme": lambda: {},
    }[caller]()
    assert match(client, headers).status_code == status


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tribunal": "00000000000000"}, "tribunal"),
        ({"nature": "divorce"}, "nature"),
        ({"residence": {"insee": "99999"}}, "insee"),
        ({"etablissement": 999999}, "etablissement"),
        ({"limit": 0}, "limit"),
        ({"besoins": ["astrologie"]}, "besoins"),
        ({"langues": ["xx"]}, "langues"),
        ({"langues": ["néerlandais"]}, "langues"),
        ({"poids": {"distance": 1}}, "poids"),
    ],
)
def test_bad_requests_are_422_naming_the_field(client, judge, registry, overrides, field):
    response = match(client, judge, **overrides)
    assert response.status_code == 422
    assert field in response.json()["detail"][0]["loc"]


def test_explain_tells_why(client, judge, registry):
    listed = explain(client, judge, registry["mi_lille"]["id"]).json()
    assert listed["retenu"] and listed["eligible"] and listed["message"].startswith("Retenu au rang")
    far = explain(client, judge, registry["marseille"]["id"]).json()
    assert not far["retenu"] and far["motif"] == "hors_departement"
    assert far["candidat"]["distance_km"] > 800
    prepose = explain(client, judge, registry["prepose"]["id"]).json()
    assert prepose["motif"] == "prepose_hors_etablissement"
    unknown = explain(client, judge, 999999)
    assert unknown.status_code == 404


def test_explain_gives_the_rank_of_the_list_even_when_requested_needs_overtake_a_better_score(
    client, judge, admin, registry
):
    # Lille's own MI scores best, but a specialist 45 km away has the need asked for: the list puts it first.
    specialist = create_mandataire(
        client,
        admin,
        nom="Gaëlle Valenciennes",
        natures=NATURES,
        specialites=["fin_de_vie"],
        sites=[{"nom": "Bureau", "insee": "59606"}],
    )
    asked = {"besoins": ["fin_de_vie"], "diversite": False}
    full = match(client, judge, **asked, limit=50).json()["candidats"]
    ranks = {c["mandataire"]["id"]: c for c in full}
    specialist, lille = ranks[specialist["id"]], ranks[registry["mi_lille"]["id"]]
    assert specialist["rang"] == 1 and lille["score"] > specialist["score"]
    explained = explain(client, judge, registry["mi_lille"]["id"], **asked, limit=1).json()
    assert not explained["retenu"] and explained["eligible"]
    # The same rank, score and reasons as the longer list shows, and why it comes after a lower score.
    assert explained["candidat"]["rang"] == lille["rang"] > 1
    assert (explained["candidat"]["score"], explained["candidat"]["explication"]) == (
        lille["score"],
        lille["explication"],
    )
    assert f"classé {lille['rang']}e" in explained["message"] and "besoins demandés" in explained["message"]
    beyond = explain(client, judge, full[-1]["mandataire"]["id"], **asked, limit=1).json()
    assert beyond["candidat"]["rang"] == full[-1]["rang"] == len(full)


def test_weights_are_set_per_departement_by_an_admin_only(client, judge, admin, registry):
    # Other roles' 403 is in tests/auth/test_access_matrix.py.
    assert client.get("/match/poids/59", headers=admin).json()["source"] == "defaut"
    weights = {"distance": 1, "capacite": 0, "profil": 0, "fraicheur": 0, "equite": 0}
    assert client.put("/match/poids/59", headers=admin, json=weights).status_code == 200
    assert match(client, judge).json()["parametres"]["poids"] == weights
    assert client.put("/match/poids/59", headers=admin, json={**weights, "distance": 0}).status_code == 422
    assert client.put("/match/poids/99", headers=admin, json=weights).status_code == 422


def test_distances_start_from_the_etablissement_and_its_prepose_comes_first(client, judge, admin, registry):
    """The résidence says Lille; the person lives in an EHPAD of Roubaix the registry knows."""
    roubaix = create_ehpad(client, admin, finess="590000789", nom="EHPAD de la Grand-Place", insee="59512", places=90)
    prepose = create_mandataire(
        client,
        admin,
        type="prepose",
        siret=None,
        nom="Préposé de la Grand-Place",
        natures=NATURES,
        etablissements=[roubaix["id"]],
        sites=[{"nom": "Centre hospitalier", "insee": "59599"}],  # its own hospital, in another commune
    )
    response = match(client, judge, lieu_vie="etablissement", etablissement=roubaix["id"])
    found = response.json()["candidats"]
    assert found[0]["mandataire"]["id"] == prepose["id"] and not found[0]["ajoute_pour_diversite"]
    assert found[0]["distance_km"] == 0
    by_id = {c["mandataire"]["id"]: c for c in found}
    assert by_id[registry["dpf"]["id"]]["distance_km"] < 1  # its office is in Roubaix
    assert by_id[registry["mi_lille"]["id"]]["distance_km"] > 5  # measured from Roubaix, not from Lille's centre
    at_home = {c["mandataire"]["id"]: c for c in match(client, judge).json()["candidats"]}
    assert at_home[registry["mi_lille"]["id"]]["distance_km"] < 1


def test_old_measures_entered_today_are_not_recent_designations(client, judge, make_token, registry):
    """Equity counts designations by their date: three measures of 2015 declared today change nothing to it."""
    target = registry["mi_douai"]  # first in Douai, ahead of the next by less than a full equity score

    def equity():
        candidats = match(client, judge, residence={"insee": "59178"}).json()["candidats"]
        (mine,) = [c for c in candidats if c["mandataire"]["id"] == target["id"]]
        return mine["rang"], next(c for c in mine["composantes"] if c["critere"] == "equite")

    rank_before, before = equity()
    own = make_token("mandataire", mandataire_id=target["id"])
    for month in (3, 6, 9):
        declared = mesure_body(date_nomination=f"2015-{month:02d}-14")
        assert client.post("/mesures", headers=own, json=declared).status_code == 201
    rank_after, after = equity()
    assert after == before and after["valeur"] == 0
    assert rank_after == rank_before == 1
    recent = mesure_body(date_nomination=date.today().isoformat())
    assert client.post("/mesures", headers=own, json=recent).status_code == 201
    assert equity()[1]["valeur"] == 1  # a designation of today does count
    assert client.post("/mesures", headers=own, json=mesure_body()).status_code == 201
    assert equity()[1]["valeur"] == 2  # so does a measure without its date yet, entered today


def test_what_the_judge_asks_for_comes_before_an_empty_new_profile(client, judge, admin, registry):
    """Psychiatrie and personnes âgées asked for in Lille: the MI of Douai who has both comes first."""
    create_mandataire(client, admin, nom="Nouveau Vide", natures=NATURES, specialites=[])
    specialist = create_mandataire(
        client,
        admin,
        nom="Gaëlle Psy",
        natures=NATURES,
        specialites=["psychiatrie", "personnes_agees"],
        sites=[{"nom": "B", "insee": "59178"}],
    )
    first = match(client, judge, besoins=["psychiatrie", "personnes_agees"]).json()["candidats"][0]
    assert first["mandataire"]["id"] == specialist["id"]
    assert "spécialité(s) demandée(s) : personnes âgées, psychiatrie" in first["explication"]


def test_a_language_can_be_asked_for(client, judge, admin, registry):
    """Nobody could ask for a Dutch-speaking professional: the one who declares it now comes first, and it is said."""
    dutch = create_mandataire(
        client,
        admin,
        nom="Femke Claes",
        natures=NATURES,
        langues=["Néerlandais"],
        sites=[{"nom": "B", "insee": "59178"}],
    )
    asked = match(client, judge, langues=["nl"]).json()["candidats"]
    assert asked[0]["mandataire"]["id"] == dutch["id"] and "parle néerlandais" in asked[0]["explication"]
    assert all("parle" not in c["explication"] for c in asked[1:])
    plain = ids(match(client, judge))
    assert plain.index(dutch["id"]) > 0  # 29 km away: without the language, nearer ones come first
