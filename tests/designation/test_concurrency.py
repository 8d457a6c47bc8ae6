"""Concurrent reservations through a real server and separate database connections, on the engine under test:
no overbooking (50 attempts for 3 free places: exactly 3 succeed, the stored load equals the recount), and
retries with one Idempotency-Key all get the first answer."""

import pytest
from sqlalchemy import text

from tests.registry.factories import mandataire_body
from tests.support import live_server

LILLE_TJ = "17590111500709"
ATTEMPTS = 50
RETRIES = 20


@pytest.fixture(scope="module")
def server(tmp_path_factory, gazetteer, database_server):
    with live_server(database_server, tmp_path_factory.mktemp("designation"), gazetteer, "mjpm_concurrency") as server:
        yield server


def _professional_and_match(server, judge, capacite: int) -> tuple[dict, dict]:
    with server.client() as client:
        pro = client.post(
            "/mandataires",
            headers=server.token("admin"),
            json=mandataire_body(natures=["tutelle"], capacite=capacite, sites=[{"nom": "B", "insee": "59350"}]),
        ).json()
        match = client.post(
            "/match",
            headers=judge,
            json={"tribunal": LILLE_TJ, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"},
        ).json()
    assert pro["id"] in [c["mandataire"]["id"] for c in match["candidats"]]
    return pro, match


def _reservation(match: dict, pro: dict, numero_rg: str) -> dict:
    return {
        "match_id": match["match_id"],
        "mandataire": pro["id"],
        "numero_rg": numero_rg,
        "famille": {"statut": "non_examine"},
    }


def test_fifty_concurrent_reservations_for_three_places(server):
    judge = server.token("magistrat", tribunal=LILLE_TJ)
    pro, match = _professional_and_match(server, judge, capacite=3)
    answers = server.at_once(
        [
            ("POST", "/reservations", {"headers": judge, "json": _reservation(match, pro, f"25/{n:05d}")})
            for n in range(ATTEMPTS)
        ]
    )
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(201) == 3, statuses
    assert statuses.count(409) == ATTEMPTS - 3, statuses

    with server.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT mesures_en_cours, mesures_en_attente FROM mandataire WHERE id = :id"), {"id": pro["id"]}
        ).one()
        recount = connection.execute(
            text("SELECT COUNT(*) FROM mesure WHERE mandataire_id = :id AND statut = 'en_attente'"), {"id": pro["id"]}
        ).scalar()
        reservations = connection.execute(
            text("SELECT COUNT(*) FROM reservation WHERE mandataire_id = :id"), {"id": pro["id"]}
        ).scalar()
    assert tuple(stored) == (0, 3) and recount == 3 and reservations == 3


def test_concurrent_retries_with_one_idempotency_key_all_get_the_first_answer(server):
    judge = server.token("magistrat", tribunal=LILLE_TJ)
    pro, match = _professional_and_match(server, judge, capacite=5)
    headers = {**judge, "Idempotency-Key": "une-seule-fois"}
    answers = server.at_once(
        [("POST", "/reservations", {"headers": headers, "json": _reservation(match, pro, "25/99999")})] * RETRIES
    )
    assert [answer.status_code for answer in answers] == [201] * RETRIES, [a.text for a in answers]
    assert len({answer.content for answer in answers}) == 1
    with server.engine.connect() as connection:
        for table in ("reservation", "mesure"):
            count = f"SELECT COUNT(*) FROM {table} WHERE mandataire_id = :id"
            assert connection.execute(text(count), {"id": pro["id"]}).scalar() == 1, table
