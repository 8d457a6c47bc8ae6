"""Fixtures of the professionals' tests: a professional of the Nord with two antennes, its token, and plain-SQL
views of the database (measure rows, counters, recount) to compare states."""

import pytest
from sqlalchemy import text

from tests.registry.factories import mandataire_body

LILLE, DOUAI = "17590111500709", "17590111500576"


@pytest.fixture
def professional(client, admin) -> dict:
    body = mandataire_body(
        capacite=40,
        sites=[{"nom": "Antenne de Lille", "insee": "59350"}, {"nom": "Antenne de Douai", "insee": "59178"}],
    )
    response = client.post("/mandataires", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def itself(make_token, professional) -> dict[str, str]:
    return make_token("mandataire", mandataire_id=professional["id"])


def error(response) -> dict:
    return response.json()["detail"][0]


def mesure_rows(session) -> list[dict]:
    """Every measure row, as stored (all columns), in id order."""
    return [dict(row) for row in session.execute(text("SELECT * FROM mesure ORDER BY id")).mappings()]


def counters(session) -> dict:
    rows = {}
    for table in ("mandataire", "site"):
        query = f"SELECT id, mesures_en_cours, mesures_en_attente, charge_en_cours, charge_en_attente FROM {table}"
        rows[table] = {row[0]: tuple(row[1:]) for row in session.execute(text(query))}
    return rows


def recount(session, owner_column: str) -> dict:
    rows = session.execute(
        text(f"""
        SELECT {owner_column},
               SUM(CASE WHEN statut = 'en_cours' THEN 1 ELSE 0 END),
               SUM(CASE WHEN statut = 'en_attente' THEN 1 ELSE 0 END),
               SUM(CASE WHEN statut = 'en_cours' THEN poids ELSE 0 END),
               SUM(CASE WHEN statut = 'en_attente' THEN poids ELSE 0 END)
        FROM mesure WHERE {owner_column} IS NOT NULL GROUP BY {owner_column}""")
    )
    return {row[0]: (int(row[1]), int(row[2]), round(float(row[3]), 6), round(float(row[4]), 6)) for row in rows}


def assert_counters_equal_recount(session) -> None:
    """The stored load of every professional and site equals a plain-SQL recount of the measures."""
    stored = counters(session)
    for table, owner in (("mandataire", "mandataire_id"), ("site", "site_id")):
        expected = {k: v for k, v in recount(session, owner).items() if any(v)}
        actual = {k: (v[0], v[1], round(v[2], 6), round(v[3], 6)) for k, v in stored[table].items() if any(v)}
        assert actual == expected, table
