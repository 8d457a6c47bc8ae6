"""Each check of e-MJPM's `editors-rules.js`, one violating payload per rule, answered as e-MJPM answers it; then
what e-MJPM accepts and this service used to refuse; and the lock of measures a vendor sends."""

import copy

import pytest

from tests.editors.conftest import PARIS
from tests.registry.factories import mesure_body
from tests.support import assert_counters_equal_recount

BASE = "/api/editors"
LILLE = "17590111500709"
ETAT = {
    "champ_mesure": "protection_bien",
    "code_postal": "75011",
    "date_changement_etat": "2024-03-05",
    "lieu_vie": "domicile",
    "nature_mesure": "curatelle_simple",
    "pays": "FR",
    "ville": "Paris",
}
VALID = {
    "annee_naissance": 1960,
    "civilite": "madame",
    "date_nomination": "2024-03-05",
    "etats": [ETAT],
    "numero_dossier": "D-1",
    "numero_rg": "24A00001",
    "ressources": [],
    "tribunal_siret": PARIS,
}


def changed(path: str, value) -> dict:
    """VALID with one field set (`etats.0.pays`), or removed when `value` is ...."""
    body = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is ...:
        node.pop(last)
    else:
        node[last] = value
    return body


def error(param: str, msg: str = "Invalid value", value=...) -> dict:
    found = {"location": "body", "msg": msg, "param": param}
    return found if value is ... else {**found, "value": value}


CHAMPS = "protection_bien or protection_bien_personne or protection_personne"
RULES = [
    ("numero_rg", changed("numero_rg", ""), [error("numero_rg", value="")]),
    ("annee_naissance", changed("annee_naissance", ...), [error("annee_naissance")]),
    ("civilite", changed("civilite", "F"), [error("civilite", value="F")]),
    (
        "date_nomination after date_premier_mesure",
        {**VALID, "date_premier_mesure": "2024-03-06"},
        [error("date_nomination", "date_nomination must be after or equivalent to date_premier_mesure", "2024-03-05")],
    ),
    (
        "date_nomination before date_protection_en_cours",
        {**VALID, "date_protection_en_cours": "2024-03-04"},
        [
            error(
                "date_nomination",
                "date_nomination must be before or equivalent to date_protection_en_cours",
                "2024-03-05",
            )
        ],
    ),
    (
        "date_nomination before date_changement_etat",
        changed("etats.0.date_changement_etat", "2024-03-01"),
        [
            error(
                "date_nomination", "date_nomination must be before or equivalent to date_changement_etat", "2024-03-05"
            )
        ],
    ),
    ("date_nomination missing", changed("date_nomination", ...), [error("date_nomination"), error("date_nomination")]),
    (
        "date_nomination a date",
        changed("date_nomination", "05/03/2024"),
        [error("date_nomination", value="05/03/2024")],
    ),
    ("date_fin_mesure", {**VALID, "date_fin_mesure": "demain"}, [error("date_fin_mesure", value="demain")]),
    (
        "date_premier_mesure",
        {**VALID, "date_premier_mesure": "2024-13-01"},
        [error("date_premier_mesure", value="2024-13-01")],
    ),
    (
        "date_protection_en_cours",
        {**VALID, "date_protection_en_cours": "2024-02-30"},
        [error("date_protection_en_cours", value="2024-02-30")],
    ),
    ("cause_sortie", {**VALID, "cause_sortie": "guerison"}, [error("cause_sortie", value="guerison")]),
    ("resultat_revision", {**VALID, "resultat_revision": "revue"}, [error("resultat_revision", value="revue")]),
    ("etats.*.pays", changed("etats.0.pays", "FRA"), [error("etats[0].pays", value="FRA")]),
    # validator.js's isISO31661Alpha2: the assigned codes only ("UK" is GB's, "XX" nobody's)
    ("etats.*.pays assigned", changed("etats.0.pays", "UK"), [error("etats[0].pays", value="UK")]),
    (
        "etats.*.date_changement_etat",
        changed("etats.0.date_changement_etat", ...),
        [error("etats[0].date_changement_etat")],
    ),
    (
        "etats.*.nature_mesure",
        changed("etats.0.nature_mesure", "mjagbf"),
        [error("etats[0].nature_mesure", value="mjagbf")],
    ),
    ("etats.*.lieu_vie", changed("etats.0.lieu_vie", "hopital"), [error("etats[0].lieu_vie", value="hopital")]),
    (
        "type_etablissement required",
        changed("etats.0.lieu_vie", "etablissement"),
        [error("etats[0]", "type_etablissement is required", {**ETAT, "lieu_vie": "etablissement"})],
    ),
    (
        "type_etablissement known",
        {**VALID, "etats": [{**ETAT, "lieu_vie": "etablissement", "type_etablissement": "ehpad"}]},
        [
            error(
                "etats[0]",
                "type_etablissement is not valid",
                {**ETAT, "lieu_vie": "etablissement", "type_etablissement": "ehpad"},
            )
        ],
    ),
    (
        "champ_mesure required",
        changed("etats.0.champ_mesure", ...),
        [error("etats[0].champ_mesure", "champ_mesure is required")],
    ),
    (
        "champ_mesure known",
        {**VALID, "etats": [{**ETAT, "nature_mesure": "tutelle", "champ_mesure": "aux biens"}]},
        [error("etats[0].champ_mesure", f"champ_mesure must be equal to {CHAMPS}", "aux biens")],
    ),
]


@pytest.mark.parametrize(("rule", "body", "errors"), RULES, ids=[rule[0] for rule in RULES])
def test_each_rule_refuses_as_emjpm(client, vendor, session, rule, body, errors):
    response = client.post(f"{BASE}/mesures", json=body, headers=vendor)
    assert response.status_code == 422, response.text
    assert response.json() == {"errors": errors}
    assert client.get(f"{BASE}/mesures", headers=vendor).json() == {"mesures": []}


def test_checks_before_the_rules_and_after_them(client, vendor, professional):
    unknown = client.post(f"{BASE}/mesures", json={**VALID, "tribunal_siret": "12345678901234"}, headers=vendor)
    assert (unknown.status_code, unknown.json()) == (
        422,
        {"errors": [{"msg": "siret is not valid", "param": "tribunal_siret", "value": "12345678901234"}]},
    )
    antenne = client.post(f"{BASE}/mesures", json={**VALID, "antenne_id": 999999}, headers=vendor)
    assert antenne.json() == {
        "errors": [{"msg": "antenne_id does not match with your service.", "param": "antenne_id", "value": 999999}]
    }
    strict = client.post(
        f"{BASE}/mesures", json={**VALID, "numero_rg": "24a-1", "strictNumeroRG": True}, headers=vendor
    )
    assert strict.status_code == 422
    assert strict.json()["errors"][0]["msg"].endswith("Invalid numero rg: 24a-1")
    text = client.post(f"{BASE}/mesures", content=b"{}", headers={**vendor, "Content-Type": "text/plain"})
    assert (text.status_code, text.json()) == (
        400,
        {"errors": [{"msg": "The content-type must be 'application/json'"}]},
    )


def test_batch_rules_limits_and_strict_numero_rg(client, vendor):
    refused = client.post(f"{BASE}/mesures/batch", json={"mesures": [{**VALID, "civilite": "X"}]}, headers=vendor)
    assert refused.json() == {"errors": [error("mesures[0].civilite", value="X")]}
    empty = client.post(f"{BASE}/mesures/batch", json={"mesures": []}, headers=vendor)
    assert (empty.status_code, empty.json()) == (201, {"mesures": []})
    many = client.post(f"{BASE}/mesures/batch", json={"mesures": [VALID] * 1001}, headers=vendor)
    assert many.json() == {"errors": [{"msg": "The number of mesures must be <= 1000"}]}
    body = {"strictNumeroRG": True, "mesures": [VALID, {**VALID, "numero_rg": "22r-00032"}]}
    strict = client.post(f"{BASE}/mesures/batch", json=body, headers=vendor)
    assert strict.status_code == 422 and strict.json()["errors"][0]["msg"].endswith("invalid numero rg: 22r-00032")
    tis = client.post(f"{BASE}/mesures/batch", json={"mesures": [{**VALID, "tribunal_siret": "1"}]}, headers=vendor)
    assert tis.json() == {"tiErrors": [{"msg": "siret is not valid", "param": "tribunal_siret", "value": "1"}]}
    assert client.get(f"{BASE}/mesures", headers=vendor).json() == {"mesures": []}


def test_a_batch_is_one_transaction_and_rg_numbers_are_one_form(client, vendor):
    unknown_place = {**VALID, "numero_rg": "24A00002", "etats": [{**ETAT, "code_postal": "99999"}]}
    refused = client.post(f"{BASE}/mesures/batch", json={"mesures": [VALID, unknown_place]}, headers=vendor)
    assert refused.status_code == 422 and refused.json()["errors"][0]["param"] == "mesures[1].code_postal"
    assert client.get(f"{BASE}/mesures", headers=vendor).json() == {"mesures": []}
    first = client.post(
        f"{BASE}/mesures/batch", json={"mesures": [{**VALID, "numero_rg": "22r-00032"}]}, headers=vendor
    )
    again = client.post(f"{BASE}/mesures/batch", json={"mesures": [{**VALID, "numero_rg": "22R00032"}]}, headers=vendor)
    assert first.json()["mesures"][0]["id"] == again.json()["mesures"][0]["id"]
    assert again.json()["mesures"][0]["numero_rg"] == "22R00032"
    assert len(client.get(f"{BASE}/mesures", headers=vendor).json()["mesures"]) == 1


def test_payloads_emjpm_accepts_are_accepted(client, vendor):
    accepted = [
        {**VALID, "strictNumeroRG": False},
        {**VALID, "numero_rg": "24A00003", "etats": [{**ETAT, "pays": "CH", "code_postal": "1200", "ville": "Genève"}]},
        {**VALID, "numero_rg": "24A00004", "date_fin_mesure": "2024-01-01", "cause_sortie": "deces"},
        {**VALID, "numero_rg": "24A00005", "etats": [{**ETAT, "nature_mesure": "subroge_tuteur"}]},
        {
            **VALID,
            "numero_rg": "24A00006",
            "etats": [{**ETAT, "pays": "de", "code_postal": "10115", "ville": "Berlin"}],
        },
        {
            **VALID,
            "numero_rg": "24A00007",
            "etats": [{k: v for k, v in ETAT.items() if k not in ("code_postal", "ville")} | {"lieu_vie": "sdf"}],
        },
    ]
    for body in accepted:
        # One file number per measure: e-MJPM restates the measure a vendor sent with the same one.
        body = {**body, "numero_dossier": body["numero_rg"]}
        response = client.post(f"{BASE}/mesures", json=body, headers=vendor)
        assert response.status_code == 201, response.text
    read = client.get(f"{BASE}/mesures", headers=vendor).json()["mesures"]
    echoed = {**read[0], "etats": read[0]["etats"]}  # a client sends back what it read
    response = client.put(f"{BASE}/mesures/{read[0]['id']}", json=echoed, headers=vendor)
    assert response.status_code == 201, response.text
    assert response.json() == read[0]
    assert (
        client.get(f"{BASE}/mesures", params={"status": "eteinte"}, headers=vendor).json()["mesures"][0]["numero_rg"]
        == "24A00004"
    )


NO_ETAT = "au moins un état est requis : la nature et le lieu de vie de la mesure sont ceux de son dernier état"


def test_a_measure_without_etats_is_refused_as_emjpm_refuses_it(client, vendor):
    """e-MJPM's rules check `etats.*` only when sent, but its controllers take the nature and place from the latest
    état (`getLastEtatDatas`, `buildMesure`) and answer 422 without one: nothing is written, here as there."""
    bare = {k: v for k, v in VALID.items() if k != "etats"}
    missing = client.post(f"{BASE}/mesures", json=bare, headers=vendor)
    assert (missing.status_code, missing.json()) == (
        422,
        {"errors": [{"msg": NO_ETAT, "location": "body", "param": "etats"}]},
    )
    empty = client.post(f"{BASE}/mesures", json={**bare, "etats": []}, headers=vendor)
    assert empty.json() == {"errors": [{"msg": NO_ETAT, "location": "body", "param": "etats", "value": []}]}
    body = {"mesures": [VALID, {**bare, "numero_rg": "24A00002"}]}
    batch = client.post(f"{BASE}/mesures/batch", json=body, headers=vendor)
    assert (batch.status_code, batch.json()) == (
        422,
        {"errors": [{"msg": NO_ETAT, "location": "body", "param": "mesures[1].etats"}]},
    )
    assert client.get(f"{BASE}/mesures", headers=vendor).json() == {"mesures": []}
    created = client.post(f"{BASE}/mesures", json=VALID, headers=vendor).json()
    restated = client.put(f"{BASE}/mesures/{created['id']}", json=bare, headers=vendor)
    assert restated.status_code == 422 and restated.json()["errors"][0]["param"] == "etats"
    assert client.get(f"{BASE}/mesures/{created['id']}", headers=vendor).json() == created
    # The flat shape of POST /mesures/lot (nature and lieu de vie at the top) stays accepted.
    flat = {
        **bare,
        "numero_rg": "24A00003",
        "numero_dossier": "D-3",
        "nature_mesure": "tutelle",
        "lieu_vie": "domicile",
    }
    accepted = client.post(f"{BASE}/mesures", json=flat, headers=vendor)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["etats"][0]["nature_mesure"] == "tutelle"


def test_a_measure_sent_again_with_its_file_number_keeps_one_measure(client, vendor, session):
    """e-MJPM looks a sent measure up by the vendor and its `numero_dossier` first: a corrected RG number (or
    tribunal) restates the same measure, not a second one; a number another measure holds is refused. A measure
    without antenne moved to a tribunal of another département is worked there (counters per département)."""
    first = client.post(f"{BASE}/mesures", json=VALID, headers=vendor).json()
    elsewhere = client.post(f"{BASE}/mesures", json={**VALID, "tribunal_siret": LILLE}, headers=vendor)
    assert (elsewhere.status_code, elsewhere.json()["id"]) == (201, first["id"]), elsewhere.text
    assert_counters_equal_recount(session)
    corrected = client.post(f"{BASE}/mesures", json={**VALID, "numero_rg": "24A00099"}, headers=vendor)
    assert corrected.status_code == 201, corrected.text
    assert (corrected.json()["id"], corrected.json()["numero_rg"]) == (first["id"], "24A00099")
    assert_counters_equal_recount(session)
    other = {**VALID, "numero_rg": "24A00002", "numero_dossier": "D-2"}
    second = client.post(f"{BASE}/mesures/batch", json={"mesures": [other]}, headers=vendor).json()["mesures"][0]
    batch = {"mesures": [{**VALID, "numero_rg": "24-a-00100"}, {**other, "numero_rg": "24A00003"}]}
    moved = client.post(f"{BASE}/mesures/batch", json=batch, headers=vendor)
    assert moved.status_code == 201, moved.text
    assert [(m["id"], m["numero_rg"]) for m in moved.json()["mesures"]] == [
        (first["id"], "24A00100"),
        (second["id"], "24A00003"),
    ]
    taken = client.post(f"{BASE}/mesures", json={**other, "numero_rg": "24A00100"}, headers=vendor)
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["param"] == "numero_rg" and "24A00100" in taken.json()["errors"][0]["msg"]
    listed = client.get(f"{BASE}/mesures", headers=vendor).json()["mesures"]
    assert sorted((m["id"], m["numero_rg"]) for m in listed) == [(first["id"], "24A00100"), (second["id"], "24A00003")]


def test_an_end_date_that_has_come_closes_the_measure_as_emjpm_does(client, vendor):
    """e-MJPM's vendor API derives the status from `date_fin_mesure` (`buildMesure`): a measure whose end date has
    come is `eteinte`, with or without a `cause_sortie`, and so no longer counts in the professional's load; without
    an end date, or with one to come, it is `en_cours`."""

    def listed(status: str) -> list[int]:
        answer = client.get(f"{BASE}/mesures", params={"status": status}, headers=vendor).json()
        return sorted(m["id"] for m in answer["mesures"])

    ended = client.post(f"{BASE}/mesures", json={**VALID, "date_fin_mesure": "2024-06-30"}, headers=vendor)
    assert ended.status_code == 201, ended.text
    assert (ended.json()["date_fin_mesure"], ended.json()["cause_sortie"]) == ("2024-06-30", None)
    future = {**VALID, "numero_rg": "24A00002", "numero_dossier": "D-2", "date_fin_mesure": "2045-12-31"}
    to_come = client.post(f"{BASE}/mesures", json=future, headers=vendor)
    assert to_come.status_code == 201, to_come.text
    assert (listed("eteinte"), listed("en_cours")) == ([ended.json()["id"]], [to_come.json()["id"]])
    # The end date withdrawn, the measure is open again, as e-MJPM recomputes it.
    reopened = client.put(
        f"{BASE}/mesures/{ended.json()['id']}", json={**VALID, "date_fin_mesure": None}, headers=vendor
    )
    assert reopened.status_code == 201, reopened.text
    assert (listed("eteinte"), listed("en_cours")) == ([], sorted([ended.json()["id"], to_come.json()["id"]]))


def test_type_etablissement_outside_an_establishment_as_emjpm_stores_it(client, vendor):
    """e-MJPM's rule checks the type of establishment only for a person living in one; elsewhere the value goes to
    its column, which references its table of types: one of them is kept, anything else refuses the request."""
    home = {**ETAT, "type_etablissement": "etablissement_conservation_domicile"}
    kept = client.post(f"{BASE}/mesures", json={**VALID, "etats": [home]}, headers=vendor)
    assert kept.status_code == 201, kept.text
    assert kept.json()["etats"][0]["type_etablissement"] == "etablissement_conservation_domicile"
    unknown = {**VALID, "numero_rg": "24A00009", "etats": [{**ETAT, "type_etablissement": "ehpad"}]}
    refused = client.post(f"{BASE}/mesures/batch", json={"mesures": [unknown]}, headers=vendor)
    assert refused.status_code == 422, refused.text
    assert {e["param"] for e in refused.json()["errors"]} == {"mesures[0].type_etablissement", "mesures[0].etats"}
    inside = {**ETAT, "lieu_vie": "etablissement", "type_etablissement": "etablissement_conservation_domicile"}
    rule = client.post(f"{BASE}/mesures", json={**VALID, "numero_rg": "24A00010", "etats": [inside]}, headers=vendor)
    assert rule.json() == {"errors": [error("etats[0]", "type_etablissement is not valid", inside)]}
    assert [m["numero_rg"] for m in client.get(f"{BASE}/mesures", headers=vendor).json()["mesures"]] == ["24A00001"]


def test_a_professional_whose_software_writes_declares_no_measure_by_hand(
    client, make_vendor_access, admin, professional, make_token, tmp_path
):
    """e-MJPM's `editorMesuresAction`: any write of the vendor API marks the professional (`editor_locked_mesures`),
    whose measures are then declared in that software: no hand declaration nor import, until the professional
    withdraws the vendor's access. Reading does not mark it."""
    access = make_vendor_access(professional["id"])
    own = make_token("mandataire", mandataire_id=professional["id"])
    hand = mesure_body(mandataire=professional["id"], tribunal=PARIS)
    client.get(f"{BASE}/mesures", headers=access.headers)
    assert client.post("/mesures", json=hand, headers=own).status_code == 201
    assert client.delete(f"{BASE}/mesures/999999", headers=access.headers).json() == {"affected_rows": 0}
    sheet = tmp_path / "mesures.csv"
    sheet.write_text("numero_rg,tribunal_siret\n24/1,x\n", encoding="utf-8")
    for headers in (own, admin):
        refused = client.post(
            "/mesures", json=mesure_body(mandataire=professional["id"], tribunal=PARIS), headers=headers
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["detail"][0]["type"] == "mesures_verrouillees"
        assert "logiciel métier" in refused.json()["detail"][0]["msg"]
        with sheet.open("rb") as handle:
            imported = client.post(
                "/mesures/import",
                files={"fichier": ("mesures.csv", handle, "text/csv")},
                params={"mandataire": professional["id"]},
                headers=headers,
            )
        assert (imported.status_code, imported.json()["detail"][0]["type"]) == (409, "mesures_verrouillees")
    withdrawn = client.delete(f"/autorisations-editeurs/{access.client_id}", headers=own)
    assert withdrawn.status_code == 204, withdrawn.text
    again = client.post("/mesures", json=mesure_body(mandataire=professional["id"], tribunal=PARIS), headers=own)
    assert again.status_code == 201, again.text


def test_measures_a_vendor_sends_are_locked_against_hand_edits(client, vendor, admin, professional, make_token):
    created = client.post(f"{BASE}/mesures", json=VALID, headers=vendor).json()
    own = make_token("mandataire", mandataire_id=professional["id"])  # the professional by hand, not its software
    mesure = client.get(f"/mesures/{created['id']}", headers=own).json()
    assert mesure["editeur"] is not None
    for method, body in (("PATCH", {"version": mesure["version"], "nature": "tutelle"}), ("DELETE", None)):
        for headers in (own, admin):
            response = client.request(method, f"/mesures/{created['id']}", json=body, headers=headers)
            assert response.status_code == 409, response.text
            assert response.json()["detail"][0]["type"] == "mesure_verrouillee"
    deleted = client.delete(f"{BASE}/mesures/{created['id']}", headers=vendor)
    assert deleted.json() == {"affected_rows": 1}


def test_tribunaux_antennes_get_and_delete_all(client, vendor, admin, professional):
    tribunaux = client.get(f"{BASE}/tribunaux", headers=vendor).json()["tribunaux"]
    paris = next(t for t in tribunaux if t["siret"] == PARIS)
    assert set(paris) == {"adresse", "code_postal", "latitude", "longitude", "nom", "siret", "ville"}
    antennes = client.get(f"{BASE}/service-antennes", headers=vendor).json()["antennes"]
    assert [(a["id"], a["nom"]) for a in antennes] == [(s["id"], s["nom"]) for s in professional["sites"]]
    client.post("/mesures", json=mesure_body(mandataire=professional["id"], tribunal=PARIS), headers=admin)
    created = client.post(f"{BASE}/mesures", json=VALID, headers=vendor).json()
    assert client.get(f"{BASE}/mesures/{created['id']}", headers=vendor).json() == created
    assert client.get(f"{BASE}/mesures/999999", headers=vendor).status_code == 404
    assert client.delete(f"{BASE}/mesures", headers=vendor).json() == {"affected_rows": 2}
    assert client.get(f"{BASE}/mesures", headers=vendor).json() == {"mesures": []}


def test_only_a_vendors_access_token_opens_the_vendor_api(client, make_token, professional, vendor):
    """The vendor API answers the OAuth2 access token a professional approved, never a person's own API token."""
    own = make_token("mandataire", mandataire_id=professional["id"])
    for headers in ({}, own, {"Authorization": "Bearer pas-un-jeton"}):
        response = client.get("/api/editors/mesures", headers=headers)
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/api/editors/mesures", headers=vendor).status_code == 200
