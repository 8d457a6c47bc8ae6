"""POST /mesures/lot (e-MJPM's vendor shape, upsert on tribunal + numero_rg) and PUT /mesures/{id}, through HTTP."""

from sqlalchemy import text

from app.registry.load import recount_departements
from tests.professionals.conftest import DOUAI, LILLE, error, mesure_rows
from tests.registry.factories import mandataire_body, mesure_body
from tests.support import assert_counters_equal_recount, counters


def vendor(numero_rg: str, **overrides) -> dict:
    """A measure as e-MJPM's vendor API sent it."""
    body = {
        "numero_rg": numero_rg,
        "tribunal_siret": LILLE,
        "nature_mesure": "curatelle_renforcee",
        "champ_mesure": "protection_bien_personne",
        "lieu_vie": "domicile",
        "code_postal": "59000",
        "ville": "LILLE",
        "pays": "FR",
        "civilite": "madame",
        "annee_naissance": 1951,
        "date_nomination": "2023-04-12",
    }
    body.update(overrides)
    return body


def send(client, headers, mesures, **params):
    return client.post("/mesures/lot", json={"mesures": mesures}, params=params, headers=headers)


def sent(client, headers, mesures, **params) -> dict:
    response = send(client, headers, mesures, **params)
    assert response.status_code == 200, response.text
    return response.json()


def outcomes(report) -> list[str]:
    return [item["resultat"] for item in report["resultats"]]


def test_an_emjpm_shaped_batch_is_created_and_mapped_to_our_codes(client, itself, professional):
    mesures = [
        vendor("24/00001"),
        vendor("24/00002", nature_mesure="tutelle", champ_mesure="protection_personne", lieu_vie="etablissement"),
        vendor("24/00003", code_postal="7500", ville="Tournai", pays="BE", civilite="monsieur"),
        vendor("24/00004", tribunal_siret=DOUAI, code_postal="59500", ville="Douai", antenne_id=None),
        vendor("24/00005", nature_mesure="Sauvegarde de justice", champ_mesure=None, civilite="F"),
    ]
    report = sent(client, itself, mesures)
    assert (report["total"], report["created"], report["rejected"], report["applique"]) == (5, 5, 0, True)
    assert outcomes(report) == ["created"] * 5
    ids = [item["id"] for item in report["resultats"]]
    first = client.get(f"/mesures/{ids[0]}", headers=itself).json()
    assert (first["nature"], first["champ"], first["insee"], first["commune"], first["departement"]) == (
        "curatelle_renforcee",
        "bien_personne",
        "59350",
        "Lille",
        "59",
    )
    assert first["date_nomination"] == "2023-04-12" and first["statut"] == "en_cours"
    belgian = client.get(f"/mesures/{ids[2]}", headers=itself).json()
    assert (belgian["pays"], belgian["nis"], belgian["departement"]) == ("BE", "57081", None)
    assert client.get(f"/mesures/{ids[3]}", headers=itself).json()["tribunal"]["code"] == "TGIDOUAI"
    assert client.get(f"/mesures/{ids[4]}", headers=itself).json()["nature"] == "sauvegarde_justice"
    mandataire = client.get(f"/mandataires/{professional['id']}", headers=itself).json()
    assert (mandataire["mesures_en_cours"], mandataire["places_libres"]) == (5, 35)


def test_the_last_state_of_emjpm_etats_is_read(client, itself):
    measure = {
        "numero_rg": "24/00010",
        "tribunal_siret": LILLE,
        "annee_naissance": 1957,
        "civilite": "monsieur",
        "date_nomination": "2019-02-14",
        "date_premier_mesure": "2019-02-14",
        "ressources": [{"annee": 2019, "niveau_ressource": 14246, "prestations_sociales": []}],
        "etats": [
            {
                "date_changement_etat": "2020-09-19",
                "nature_mesure": "curatelle_simple",
                "champ_mesure": "protection_bien",
                "lieu_vie": "domicile",
                "code_postal": "59100",
                "ville": "ROUBAIX",
                "pays": "FR",
            },
            {
                "date_changement_etat": "2021-03-01",
                "nature_mesure": "tutelle",
                "champ_mesure": "protection_bien_personne",
                "lieu_vie": "etablissement",
                "code_postal": "59200",
                "ville": "TOURCOING",
                "pays": "FR",
            },
        ],
    }
    report = sent(client, itself, [measure])
    mesure = client.get(f"/mesures/{report['resultats'][0]['id']}", headers=itself).json()
    assert (mesure["nature"], mesure["lieu_vie"], mesure["commune"]) == ("tutelle", "etablissement", "Tourcoing")


def test_resending_the_same_batch_changes_nothing_and_reports_unchanged(client, itself, session):
    mesures = [vendor(f"24/{n:05d}", nature_mesure="tutelle" if n % 2 else "curatelle_simple") for n in range(1, 41)]
    mesures.append(vendor("24/00099", cause_sortie="deces", date_fin_mesure="2024-01-02"))
    sent(client, itself, mesures)
    rows, loads = mesure_rows(session), counters(session)
    report = sent(client, itself, mesures)
    assert (report["unchanged"], report["created"], report["updated"]) == (41, 0, 0)
    assert mesure_rows(session) == rows
    assert counters(session) == loads


def test_a_changed_measure_is_updated_and_its_load_moves(client, itself, professional, session):
    first = sent(client, itself, [vendor("24/00001"), vendor("24/00002")])["resultats"]
    report = sent(
        client, itself, [vendor("24/00001", lieu_vie="etablissement"), vendor("24/00002", cause_sortie="mainlevee")]
    )
    assert outcomes(report) == ["updated", "updated"]
    assert [item["id"] for item in report["resultats"]] == [item["id"] for item in first]
    closed = client.get(f"/mesures/{first[1]['id']}", headers=itself).json()
    assert (closed["statut"], closed["cause_sortie"], closed["version"]) == ("eteinte", "mainlevee", 2)
    mandataire = client.get(f"/mandataires/{professional['id']}", headers=itself).json()
    assert mandataire["mesures_en_cours"] == 1
    reopened = sent(client, itself, [vendor("24/00002", cause_sortie=None)])
    assert outcomes(reopened) == ["updated"]
    assert client.get(f"/mesures/{first[1]['id']}", headers=itself).json()["statut"] == "en_cours"
    assert_counters_equal_recount(session)


def test_fields_left_out_of_an_update_keep_their_value(client, itself):
    first = sent(client, itself, [vendor("24/00001", numero_dossier="D-17", antenne_id=None)])
    minimal = {k: v for k, v in vendor("24/00001").items() if k not in ("civilite", "annee_naissance")}
    report = sent(client, itself, [minimal])
    assert outcomes(report) == ["unchanged"]
    mesure = client.get(f"/mesures/{first['resultats'][0]['id']}", headers=itself).json()
    assert (mesure["civilite"], mesure["annee_naissance"], mesure["numero_dossier"]) == ("madame", 1951, "D-17")


def test_a_nature_outside_the_title_warns_with_the_codes_of_the_engine(client, itself):
    report = sent(client, itself, [vendor("24/00001", nature_mesure="mandat_ad_hoc"), vendor("24/00002")])
    assert outcomes(report) == ["created", "created"]
    warnings = [[(m["champ"], m["code"]) for m in item["avertissements"]] for item in report["resultats"]]
    assert warnings == [[("nature_mesure", "nature_non_couverte")], []]


def test_each_rejected_item_names_its_field_and_the_others_are_applied(client, itself, session):
    mesures = [
        vendor("24/00001"),
        vendor("24/00002", date_nomination="31/02/2023"),
        vendor("24/00003", tribunal_siret="00000000000000"),
        vendor("24/00004", nature_mesure="mjagbf"),
        vendor("24/00005", code_postal="99999", ville=None),
        vendor("24/00001"),
        vendor("24/00006", lieu_vie="sur la lune", inconnu=1),
        "pas un objet",
        vendor("24/00007", statut="eteinte"),
    ]
    report = sent(client, itself, mesures)
    # A nature outside the professional's title (here MJAGBF without DPF) is kept with a warning, as e-MJPM keeps it.
    assert outcomes(report) == ["created", "rejected", "rejected", "created"] + ["rejected"] * 5
    assert (report["created"], report["rejected"], report["applique"]) == (2, 7, True)
    reasons = [[(m["champ"], m["code"]) for m in item["motifs"]] for item in report["resultats"]]
    assert reasons[1] == [("date_nomination", "date_invalide")]
    assert reasons[2] == [("tribunal_siret", "tribunal_inconnu")]
    assert reasons[3] == []
    warnings = [(m["champ"], m["code"]) for m in report["resultats"][3]["avertissements"]]
    assert warnings == [("nature_mesure", "mjagbf_sans_dpf")]
    assert reasons[4] == [("code_postal", "code_postal_inconnu")]
    assert reasons[5] == [("numero_rg", "doublon")]
    assert sorted(reasons[6]) == [("inconnu", "champ_inconnu"), ("lieu_vie", "valeur_inconnue")]
    assert reasons[7][0][1] == "valeur_invalide"
    assert reasons[8] == [("cause_sortie", "valeur_invalide")]
    assert len(mesure_rows(session)) == 2


def test_a_country_is_an_assigned_iso_3166_code_as_emjpm_checks_it(client, itself):
    foreign = {"code_postal": "10115", "ville": "Berlin"}
    report = sent(
        client,
        itself,
        [
            vendor("24/00001", pays="de", **foreign),
            vendor("24/00002", pays="XX", **foreign),
            vendor("24/00003", pays="UK"),
        ],
    )
    assert outcomes(report) == ["created", "rejected", "rejected"]
    assert [[(m["champ"], m["code"]) for m in item["motifs"]] for item in report["resultats"][1:]] == [
        [("pays", "valeur_invalide")],
        [("pays", "valeur_invalide")],
    ]
    assert report["resultats"][1]["motifs"][0]["message"].startswith("code pays inconnu : XX")


def test_a_rejected_strict_batch_leaves_the_database_untouched(client, itself, session):
    sent(client, itself, [vendor("24/00001")])
    rows, loads = mesure_rows(session), counters(session)
    response = send(
        client,
        itself,
        [vendor("24/00001", lieu_vie="etablissement"), vendor("24/00002"), vendor("24/00003", annee_naissance="x")],
        strict="true",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == [
        {"type": "nombre_invalide", "loc": ["body", "mesures", 2, "annee_naissance"], "msg": "nombre entier attendu"}
    ]
    assert (body["rapport"]["applique"], body["rapport"]["rejected"]) == (False, 1)
    assert mesure_rows(session) == rows
    assert counters(session) == loads


def test_a_clean_strict_batch_is_applied(client, itself):
    report = sent(client, itself, [vendor("24/00001"), vendor("24/00002")], strict="true")
    assert (report["strict"], report["created"], report["applique"]) == (True, 2, True)


def test_a_batch_never_touches_a_measure_reserved_and_pending(client, itself, professional, session):
    report = sent(client, itself, [vendor("24/00001")])
    mesure_id = report["resultats"][0]["id"]
    session.execute(text("UPDATE mesure SET statut = 'en_attente' WHERE id = :id"), {"id": mesure_id})
    session.execute(
        text("""
        UPDATE mandataire SET mesures_en_cours = mesures_en_cours - 1, mesures_en_attente = mesures_en_attente + 1,
               charge_en_cours = charge_en_cours - 1, charge_en_attente = charge_en_attente + 1 WHERE id = :id"""),
        {"id": professional["id"]},
    )
    recount_departements(session, [professional["id"]])
    tribunal_id = session.execute(text("SELECT tribunal_id FROM mesure WHERE id = :id"), {"id": mesure_id}).scalar()
    session.execute(
        text("""
        INSERT INTO reservation (mesure_id, mandataire_id, tribunal_id, numero_rg, nature, statut, urgence, famille,
                                 hors_liste, created_at, expires_at, version)
        VALUES (:mesure, :mandataire, :tribunal, '24/00001', 'tutelle', 'en_attente', false, 'aucun_proche_disponible',
                false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"""),
        {"mesure": mesure_id, "mandataire": professional["id"], "tribunal": tribunal_id},
    )
    session.commit()
    rows, loads = mesure_rows(session), counters(session)
    report = sent(client, itself, [vendor("24/00001", cause_sortie="deces"), vendor("24/00002")])
    assert outcomes(report) == ["rejected", "created"]
    assert report["resultats"][0]["motifs"][0]["code"] == "reservation_en_attente"
    assert [r for r in mesure_rows(session) if r["id"] == mesure_id] == [r for r in rows if r["id"] == mesure_id]
    put = client.put(
        f"/mesures/{mesure_id}",
        json=mesure_body(numero_rg="24/00001", version=rows[0]["version"], statut="en_cours"),
        headers=itself,
    )
    assert put.status_code == 409 and error(put)["type"] == "reservation_en_attente"
    assert counters(session)["mandataire"][professional["id"]][:2] == (
        loads["mandataire"][professional["id"]][0] + 1,
        1,
    )
    assert_counters_equal_recount(session)


def test_a_batch_never_erases_the_measures_it_does_not_mention(client, itself, session):
    sent(client, itself, [vendor(f"24/{n:05d}") for n in range(1, 6)])
    report = sent(client, itself, [vendor("24/00006")])
    assert outcomes(report) == ["created"]
    assert len(mesure_rows(session)) == 6


def test_a_measure_of_another_professional_is_rejected(client, admin, make_token, itself):
    other = client.post("/mandataires", json=mandataire_body(), headers=admin).json()
    sent(client, make_token("mandataire", mandataire_id=other["id"]), [vendor("24/00001")])
    report = sent(client, itself, [vendor("24/00001")])
    assert report["resultats"][0]["motifs"][0] == {
        "code": "numero_rg_existant",
        "champ": "numero_rg",
        "message": "numéro RG 2400001 déjà enregistré pour ce tribunal chez un autre mandataire",
    }


def test_an_admin_names_the_professional_and_a_professional_only_itself(client, admin, itself, professional):
    response = send(client, admin, [vendor("24/00001")])
    assert response.status_code == 422 and error(response)["loc"] == ["query", "mandataire"]
    assert sent(client, admin, [vendor("24/00001")], mandataire=professional["id"])["created"] == 1
    assert send(client, itself, [vendor("24/00002")], mandataire=professional["id"] + 1).status_code == 403


def test_antennes_carry_their_own_load(client, itself, professional, session):
    antenne = professional["sites"][1]["id"]
    report = sent(client, itself, [vendor("24/00001", antenne_id=antenne), vendor("24/00002", antenne_id=999999)])
    assert outcomes(report) == ["created", "rejected"]
    assert report["resultats"][1]["motifs"][0]["champ"] == "antenne_id"
    sites = client.get(f"/mandataires/{professional['id']}", headers=itself).json()["sites"]
    assert [s["mesures_en_cours"] for s in sites] == [0, 1]
    sent(client, itself, [vendor("24/00001", antenne_id=professional["sites"][0]["id"])])
    sites = client.get(f"/mandataires/{professional['id']}", headers=itself).json()["sites"]
    assert [s["mesures_en_cours"] for s in sites] == [1, 0]
    assert_counters_equal_recount(session)


def test_load_counters_equal_a_recount_after_many_batches(client, itself, professional, session):
    sites = [None, *(s["id"] for s in professional["sites"])]
    natures = ["tutelle", "curatelle_renforcee", "curatelle_simple"]
    for round_ in range(4):
        mesures = [
            vendor(
                f"24/{n:05d}",
                nature_mesure=natures[(n + round_) % 3],
                lieu_vie="etablissement" if (n + round_) % 4 == 0 else "domicile",
                antenne_id=sites[(n * (round_ + 1)) % 3],
                cause_sortie="deces" if (n + round_) % 5 == 0 else None,
                **({"code_postal": "7500", "ville": None, "pays": "BE"} if n % 7 == round_ else {}),
            )
            for n in range(round_ * 20, round_ * 20 + 60)
        ]
        sent(client, itself, mesures)
        assert_counters_equal_recount(session)


def test_put_replaces_a_measure_and_moves_its_load(client, itself, professional, session):
    created = client.post("/mesures", json=mesure_body(numero_rg="24/00001", numero_dossier="D1"), headers=itself)
    mesure = created.json()
    replacement = mesure_body(
        numero_rg="24/00777", tribunal=DOUAI, nature="tutelle", residence={"insee": "59178"}, version=mesure["version"]
    )
    response = client.put(f"/mesures/{mesure['id']}", json=replacement, headers=itself)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["numero_rg"], body["tribunal"]["code"], body["nature"], body["commune"]) == (
        "2400777",
        "TGIDOUAI",
        "tutelle",
        "Douai",
    )
    assert body["numero_dossier"] is None and body["version"] == mesure["version"] + 1
    stale = client.put(f"/mesures/{mesure['id']}", json=replacement, headers=itself)
    assert stale.status_code == 409 and error(stale)["type"] == "version_perimee"
    closing = {**replacement, "version": body["version"], "statut": "eteinte", "cause_sortie": "deces"}
    assert client.put(f"/mesures/{mesure['id']}", json=closing, headers=itself).status_code == 200
    assert client.get(f"/mandataires/{professional['id']}", headers=itself).json()["mesures_en_cours"] == 0
    assert_counters_equal_recount(session)


def test_put_to_a_case_number_already_taken_is_a_conflict(client, itself):
    client.post("/mesures", json=mesure_body(numero_rg="24/00001"), headers=itself)
    other = client.post("/mesures", json=mesure_body(numero_rg="24/00002"), headers=itself).json()
    response = client.put(
        f"/mesures/{other['id']}", json=mesure_body(numero_rg="24/00001", version=other["version"]), headers=itself
    )
    assert response.status_code == 409 and error(response)["type"] == "numero_rg_existant"


def test_a_dry_run_reports_what_the_batch_would_do_and_writes_nothing(client, itself, session):
    sent(client, itself, [vendor("24/00001"), vendor("24/00002")])
    rows, loads = mesure_rows(session), counters(session)
    batch = [
        vendor("24/00001"),
        vendor("24/00002", lieu_vie="etablissement"),
        vendor("24/00003"),
        vendor("24/00004", annee_naissance="x"),
    ]
    report = sent(client, itself, batch, dry_run="true")
    assert (report["dry_run"], report["applique"]) == (True, False)
    assert outcomes(report) == ["unchanged", "updated", "created", "rejected"]
    assert report["resultats"][2]["id"] is None
    assert mesure_rows(session) == rows
    assert counters(session) == loads
    applied = sent(client, itself, batch)
    assert (applied["dry_run"], applied["applique"]) == (False, True)
    assert outcomes(applied) == outcomes(report)
    assert [item["motifs"] for item in applied["resultats"]] == [item["motifs"] for item in report["resultats"]]


def test_a_strict_dry_run_with_a_rejected_measure_is_422(client, itself, session):
    response = send(
        client, itself, [vendor("24/00001"), vendor("24/00002", annee_naissance="x")], strict="true", dry_run="true"
    )
    assert response.status_code == 422
    assert (response.json()["rapport"]["dry_run"], response.json()["rapport"]["applique"]) == (True, False)
    assert mesure_rows(session) == []
