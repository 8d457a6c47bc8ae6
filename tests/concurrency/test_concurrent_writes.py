"""Concurrent writes on every write-route family, through a real server and separate connections, on the engine
under test (SQLite: queued on the write lock; PostgreSQL: row locks in one order, deadlock victims replayed).
Each test releases 8 requests together for a few rounds: no answer is a 5xx, the losers of a race get a 4xx,
and the stored load of every professional and site still equals a recount of the measures."""

import threading
from collections import Counter
from datetime import date

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.auth.constants import Role
from app.auth.principal import Principal
from app.database import begin_write, utcnow
from app.geo.locate import GazetteerLocator
from app.registry import service
from app.registry.load import recount_stale_recent_designations
from app.registry.models import Mandataire
from app.registry.schemas import MesureCreate
from tests.registry.factories import mandataire_body, mesure_body
from tests.support import assert_counters_equal_recount, assert_recent_designations_equal_recount, live_server

LILLE = "17590111500709"
THREADS = 8
ROUNDS = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory, gazetteer, database_server):
    with live_server(database_server, tmp_path_factory.mktemp("concurrency"), gazetteer, "mjpm_writes") as server:
        yield server


@pytest.fixture(scope="module")
def admin(server) -> dict:
    return server.token("admin")


@pytest.fixture
def pro(server, admin) -> dict:
    """A new professional with two antennes (the second with its own capacity) and its own token."""
    with server.client() as client:
        body = mandataire_body(
            capacite=500, sites=[{"nom": "Bureau", "insee": "59350"}, {"nom": "Annexe", "insee": "59009"}]
        )
        created = client.post("/mandataires", headers=admin, json=body)
        assert created.status_code == 201, created.text
        pro = created.json()
        site = pro["sites"][1]["id"]
        assert client.patch(f"/mandataires/{pro['id']}/sites/{site}", headers=admin, json={"capacite": 200}).is_success
    return {**pro, "headers": server.token("mandataire", mandataire_id=pro["id"])}


def no_server_error(answers: list[httpx.Response], allowed: set[int]) -> Counter:
    statuses = Counter(answer.status_code for answer in answers)
    assert set(statuses) <= allowed, {a.status_code: a.text for a in answers if a.status_code not in allowed}
    return statuses


def load_matches_recount(server) -> None:
    with Session(server.engine) as session:
        assert_counters_equal_recount(session)


def current(server, headers, path: str) -> dict:
    with server.client() as client:
        return client.get(path, headers=headers).json()


def test_measures_created_edited_replaced_and_deleted_at_once(server, pro):
    headers, sites = pro["headers"], [site["id"] for site in pro["sites"]]
    for _ in range(ROUNDS):
        created = server.at_once(
            [("POST", "/mesures", {"headers": headers, "json": mesure_body(site=sites[n % 2])}) for n in range(THREADS)]
        )
        assert no_server_error(created, {201}) == {201: THREADS}
        mesures = [answer.json() for answer in created]
        # The same measure patched (moved to the other antenne) and deleted at once; another replaced and deleted.
        calls = []
        for mesure in mesures[:4]:
            other = sites[1 - sites.index(mesure["site"])]
            calls.append(
                (
                    "PATCH",
                    f"/mesures/{mesure['id']}",
                    {"headers": headers, "json": {"version": mesure["version"], "site": other}},
                )
            )
            calls.append(("DELETE", f"/mesures/{mesure['id']}", {"headers": headers}))
        for mesure in mesures[4:6]:
            replacement = {**mesure_body(numero_rg=mesure["numero_rg"], site=sites[0]), "version": mesure["version"]}
            calls.append(("PUT", f"/mesures/{mesure['id']}", {"headers": headers, "json": replacement}))
            calls.append(("DELETE", f"/mesures/{mesure['id']}", {"headers": headers}))
        no_server_error(server.at_once(calls), {200, 204, 404, 409})
    load_matches_recount(server)


def test_recent_designations_recounted_while_measures_are_written(server, pro):
    """The scheduled recount of recent designations runs again and again while designations of the professional are
    written at once: it neither waits for a writer's row (left to its next run) nor deadlocks with one, and between
    two of its runs a count that holds equals a recount of the measures, now and at every later instant it holds."""
    stop, between_runs, runs, failures = threading.Event(), threading.Lock(), [], []

    def in_a_transaction(work):
        with Session(server.engine) as session:
            begin_write(session)
            done = work(session)
            session.commit()
            return done

    def end_the_count(session):  # as when its oldest designation leaves the window
        stale = update(Mandataire).where(Mandataire.id == pro["id"]).values(designations_recentes_jusqu_au=None)
        session.execute(stale)

    def recount_again_and_again():
        try:
            while not stop.is_set():
                with between_runs:
                    in_a_transaction(end_the_count)
                    recounted = in_a_transaction(lambda s: recount_stale_recent_designations(s, now=utcnow()))
                runs.append(recounted)
        except Exception as error:  # noqa: BLE001 (reported below, in the test's thread)
            failures.append(error)

    recounter = threading.Thread(target=recount_again_and_again)
    recounter.start()
    try:
        for round_ in range(ROUNDS * 2):
            dated = {"date_nomination": date.today().isoformat()} if round_ % 2 else {}
            bodies = [mesure_body(**dated) for _ in range(THREADS)]
            calls = [("POST", "/mesures", {"headers": pro["headers"], "json": body}) for body in bodies]
            assert no_server_error(server.at_once(calls), {201}) == {201: THREADS}
            with between_runs, Session(server.engine) as session:
                assert_recent_designations_equal_recount(session)
    finally:
        stop.set()
        recounter.join()
    assert not failures
    assert sum(runs) > 0  # the professional's count was made again, at least once, while measures were written
    load_matches_recount(server)


def test_the_recount_skips_a_professional_whose_row_a_writer_holds(server, pro):
    """A measure being written holds its professional's row until its transaction ends. The recount does not wait
    for it on PostgreSQL (it would otherwise count without that measure, then write over the writer's increment):
    it leaves that professional to its next run. SQLite's writers take turns: the recount runs after the writer."""
    postgresql = server.engine.dialect.name == "postgresql"
    stale = update(Mandataire).where(Mandataire.id == pro["id"]).values(designations_recentes_jusqu_au=None)
    with Session(server.engine) as session:
        begin_write(session)
        session.execute(stale)
        session.commit()
    results: list[int] = []

    def recount() -> None:
        with Session(server.engine) as session:
            begin_write(session)
            results.append(recount_stale_recent_designations(session, now=utcnow()))
            session.commit()

    admin = Principal(token_id=0, role=Role.ADMIN, departements=None)
    body = mesure_body(date_nomination=date.today().isoformat(), mandataire=pro["id"])
    job = threading.Thread(target=recount)
    with Session(server.engine) as writer:
        begin_write(writer)
        service.create_mesure(
            writer,
            principal=admin,
            gazetteer=server.gazetteer,
            locator=GazetteerLocator(server.gazetteer),
            settings=server.settings,
            payload=MesureCreate(**body),
        )
        try:
            job.start()
            job.join(timeout=10 if postgresql else 0.5)
            assert job.is_alive() is not postgresql  # PostgreSQL: done while the writer still holds the row
            if postgresql:
                assert results == [0]  # the professional skipped, not waited for
        finally:
            writer.commit()
    job.join()
    with Session(server.engine) as session:
        held = assert_recent_designations_equal_recount(session)
        assert (pro["id"] in held) is not postgresql
        begin_write(session)
        assert recount_stale_recent_designations(session, now=utcnow()) == (1 if postgresql else 0)
        session.commit()
        assert pro["id"] in assert_recent_designations_equal_recount(session)


def test_bulk_batches_imports_and_single_measures_at_once(server, pro):
    headers = pro["headers"]
    header = "date_nomination;type;code_postal;ville;civilite;annee;numero_rg;numero_dossier;residence;tribunal_siret"
    for round_ in range(ROUNDS):
        lot = {
            "mesures": [
                {
                    "numero_rg": f"27/{round_}{n:04d}",
                    "tribunal_siret": LILLE,
                    "nature_mesure": "tutelle",
                    "lieu_vie": "domicile",
                    "code_postal": "59000",
                }
                for n in range(20)
            ]
        }
        sheet = f"{header}\n15/01/2025;Tutelle;59000;;F;1950;28/{round_:05d};;Domicile;{LILLE}\n".encode()
        calls = [("POST", "/mesures/lot", {"headers": headers, "json": lot})] * 3
        calls += [("POST", "/mesures/import", {"headers": headers, "files": {"fichier": ("m.csv", sheet, "text/csv")}})]
        calls += [
            ("POST", "/mesures", {"headers": headers, "json": mesure_body()}) for _ in range(THREADS - len(calls))
        ]
        no_server_error(server.at_once(calls), {200, 201, 409, 422})
    load_matches_recount(server)


def test_sites_and_absences_added_changed_and_removed_at_once(server, pro, admin):
    base = f"/mandataires/{pro['id']}"
    for round_ in range(ROUNDS):
        sites = current(server, admin, base)["sites"]
        absences = current(server, admin, base)["absences"]
        calls = [
            ("POST", f"{base}/sites", {"headers": admin, "json": {"nom": f"P{round_}{n}", "insee": "59350"}})
            for n in range(2)
        ]
        calls += [("PATCH", f"{base}/sites/{sites[-1]['id']}", {"headers": admin, "json": {"capacite": 10 + round_}})]
        calls += [("POST", "/mesures", {"headers": pro["headers"], "json": mesure_body(site=sites[-1]["id"])})]
        calls += [("DELETE", f"{base}/sites/{site['id']}", {"headers": admin}) for site in sites[2:4]]
        calls += [
            (
                "POST",
                f"{base}/absences",
                {
                    "headers": admin,
                    "json": {"debut": f"203{round_}-0{n + 1}-01", "fin": f"203{round_}-0{n + 1}-20", "motif": "conges"},
                },
            )
            for n in range(2)
        ]
        calls += [("DELETE", f"{base}/absences/{absence['id']}", {"headers": admin}) for absence in absences[:2]]
        no_server_error(server.at_once(calls), {200, 201, 204, 404, 409, 422})
    load_matches_recount(server)


def test_professional_and_etablissement_edits_at_once(server, pro, admin):
    base = f"/mandataires/{pro['id']}"
    with server.client() as client:
        finess = f"59{pro['id']:07d}"
        etablissement = client.post(
            "/etablissements",
            headers=admin,
            json={
                "finess": finess,
                "nom": "Foyer",
                "insee": "59350",
                "categorie": "autre",
                "public": False,
                "places_permanentes": 30,
            },
        )
        assert etablissement.status_code == 201, etablissement.text
    etablissement_id = etablissement.json()["id"]
    for _ in range(ROUNDS):
        version = current(server, admin, base)["version"]
        places = current(server, admin, f"/etablissements/{etablissement_id}")["version"]
        calls = [
            ("PATCH", base, {"headers": admin, "json": {"version": version, "capacite": 300 + n}}) for n in range(2)
        ]
        calls += [
            (
                "PATCH",
                f"{base}/disponibilite",
                {"headers": pro["headers"], "json": {"version": version, "rayon_km": 20 + n}},
            )
            for n in range(2)
        ]
        calls += [
            (
                "PATCH",
                f"/etablissements/{etablissement_id}",
                {"headers": admin, "json": {"version": places, "places_permanentes": 40 + n}},
            )
            for n in range(2)
        ]
        calls += [("POST", "/mesures", {"headers": pro["headers"], "json": mesure_body()}) for _ in range(2)]
        statuses = no_server_error(server.at_once(calls), {200, 201, 409})
        assert statuses[201] == 2 and statuses[200] >= 2  # one professional edit and one établissement edit win
    load_matches_recount(server)


def test_score_weights_and_matches_during_measure_writes(server, pro, admin):
    judge = server.token("magistrat", tribunal=LILLE)
    weights = {"distance": 0.4, "capacite": 0.3, "profil": 0.1, "fraicheur": 0.1, "equite": 0.1}
    match = {"tribunal": LILLE, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"}
    for _ in range(ROUNDS):
        calls = [("PUT", "/match/poids/59", {"headers": admin, "json": weights})] * 3
        calls += [("POST", "/match", {"headers": judge, "json": match})] * 3
        calls += [("POST", "/mesures", {"headers": pro["headers"], "json": mesure_body()}) for _ in range(2)]
        statuses = no_server_error(server.at_once(calls), {200, 201, 409})
        assert statuses[201] == 2
    load_matches_recount(server)


def test_reservations_reserved_answered_and_cancelled_at_once(server, pro):
    judge = server.token("magistrat", tribunal=LILLE)
    request = {"tribunal": LILLE, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"}
    with server.client() as client:
        match = client.post("/match", headers=judge, json=request).json()
    for round_ in range(ROUNDS):
        body = {
            "match_id": match["match_id"],
            "mandataire": pro["id"],
            "famille": {"statut": "non_examine"},
            "hors_liste": True,
            "justification": "Choix du juge pour le test",
        }
        reserved = server.at_once(
            [
                ("POST", "/reservations", {"headers": judge, "json": {**body, "numero_rg": f"29/{round_}{n:04d}"}})
                for n in range(THREADS)
            ]
        )
        assert no_server_error(reserved, {201}) == {201: THREADS}
        ids = [answer.json()["id"] for answer in reserved]
        # Each reservation answered twice at once: accepted and cancelled, refused and cancelled.
        calls = []
        for n, reservation in enumerate(ids[:4]):
            answer = (
                ("acceptation", {"date_nomination": "2026-11-20"})
                if n % 2
                else ("refus", {"motif": "Plus aucune place ce mois-ci"})
            )
            calls.append(
                ("POST", f"/reservations/{reservation}/{answer[0]}", {"headers": pro["headers"], "json": answer[1]})
            )
            calls.append(("DELETE", f"/reservations/{reservation}", {"headers": judge}))
        statuses = no_server_error(server.at_once(calls), {200, 409})
        assert statuses[200] == 4  # one answer per reservation wins, the other sees it and answers 409
    load_matches_recount(server)


def test_etp_of_a_new_year_declared_at_once(server, pro, admin):
    """Each round, a year nobody declared yet, declared at once by the service and by an admin with different
    values: every request inserts or updates the one row of that year (upsert), so each gets 200, none a
    uniqueness conflict, and the year ends with one of the values sent."""
    base = f"/mandataires/{pro['id']}/etp"
    for round_ in range(ROUNDS):
        annee = 2030 + round_
        sent = [10.5 + n for n in range(THREADS)]
        calls = [
            ("PUT", f"{base}/{annee}", {"headers": pro["headers"] if n % 2 else admin, "json": {"etp": etp}})
            for n, etp in enumerate(sent)
        ]
        answers = server.at_once(calls)
        assert no_server_error(answers, {200}) == {200: THREADS}
        assert sorted(answer.json()["etp"] for answer in answers) == sent
        declared = [row for row in current(server, pro["headers"], base) if row["annee"] == annee]
        assert len(declared) == 1 and declared[0]["etp"] in sent
