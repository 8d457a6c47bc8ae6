"""The edge of the API: one error shape for every failure, French messages, input bounded before it reaches the
database (control characters, 32-bit ids, ISO dates within plausible bounds, body sizes), 500s that log no value."""

import logging
import re
from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.config import Settings
from app.dependencies import get_session
from app.types import INT32_MAX
from tests.professionals.test_lot_api import vendor
from tests.registry.factories import mandataire_body, mesure_body

ENGLISH = re.compile(r"\b(Input should|Field required|should be|valid|String|Value error|Not Found)\b")


def assert_error_shape(response, status: int) -> list[dict]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    for item in detail:
        assert set(item) == {"type", "loc", "msg"}, item
        assert not ENGLISH.search(item["msg"]), item
    return detail


@pytest.fixture
def itself(make_token, client, admin) -> dict[str, str]:
    created = client.post("/mandataires", json=mandataire_body(), headers=admin)
    assert created.status_code == 201, created.text
    return make_token("mandataire", mandataire_id=created.json()["id"])


# --- one shape ---------------------------------------------------------------------------------------------------


def test_an_unknown_route_and_a_wrong_method_answer_in_the_one_shape(client):
    (missing,) = assert_error_shape(client.get("/nulle-part"), 404)
    assert missing["type"] == "introuvable"
    response = client.delete("/healthz")
    (method,) = assert_error_shape(response, 405)
    assert method["type"] == "methode_non_permise" and response.headers["allow"] == "GET"


def test_malformed_json_is_a_422_giving_the_position(client, admin):
    response = client.post("/match", content=b'{"tribunal": ', headers={**admin, "content-type": "application/json"})
    (error,) = assert_error_shape(response, 422)
    assert error["type"] == "json_invalid" and error["loc"] == ["body", 13]
    assert "position 13" in error["msg"]


def test_validation_messages_are_french_and_keep_pydantic_codes(client, admin):
    detail = assert_error_shape(client.post("/match", json={"limit": 0, "urgence": "peut-être"}, headers=admin), 422)
    by_field = {tuple(e["loc"]): e for e in detail}
    assert by_field["body", "tribunal"] == {"type": "missing", "loc": ["body", "tribunal"], "msg": "champ obligatoire"}
    assert by_field["body", "limit"]["type"] == "greater_than_equal"
    assert by_field["body", "limit"]["msg"] == "doit être supérieur ou égal à 1"
    assert by_field["body", "urgence"]["msg"] == "booléen attendu (true ou false)"


def test_the_values_allowed_are_listed_in_french(client, admin):
    body = {"tribunal": "17590111500709", "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "chez soi"}
    (error,) = assert_error_shape(client.post("/match", headers=admin, json=body), 422)
    assert error["type"] == "enum" and error["msg"].endswith("'etablissement_conservation_domicile' ou 'sdf')")
    (error,) = assert_error_shape(client.get("/tableaux-de-bord/dpf?par=commune", headers=admin), 422)
    assert error["msg"] == "valeur inconnue (valeurs admises : 'departement' ou 'region')"


def test_the_bounds_of_a_decimal_field_are_written_the_french_way(client, admin):
    mandataire = client.post("/mandataires", headers=admin, json=mandataire_body()).json()["id"]
    (error,) = assert_error_shape(
        client.put(f"/mandataires/{mandataire}/etp/2025", headers=admin, json={"etp": 0}), 422
    )
    assert (error["type"], error["msg"]) == ("greater_than", "doit être supérieur à 0")  # not « à 0.0 »


def test_401_asks_for_a_bearer_token(client):
    response = client.get("/mandataires")
    (error,) = assert_error_shape(response, 401)
    assert error["type"] == "non_authentifie" and response.headers["www-authenticate"] == "Bearer"


def test_a_body_beyond_the_limit_is_413_whether_declared_or_streamed(client, admin):
    big = b'{"tribunal": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    declared = client.post("/match", content=big, headers={**admin, "content-type": "application/json"})
    (error,) = assert_error_shape(declared, 413)
    assert error["type"] == "requete_trop_volumineuse" and "1 Mo" in error["msg"]

    def chunks() -> Iterator[bytes]:
        yield big[: len(big) // 2]
        yield big[len(big) // 2 :]

    streamed = client.post("/match", content=chunks(), headers={**admin, "content-type": "application/json"})
    assert assert_error_shape(streamed, 413)[0]["type"] == "requete_trop_volumineuse"


def test_the_bulk_route_keeps_its_own_larger_limit(client, itself):
    # 1.5 MB: beyond the common limit, within the bulk one: the body is read (and refused for its content).
    body = b'{"mesures": "' + b"x" * (1536 * 1024) + b'"}'
    response = client.post("/mesures/lot", content=body, headers={**itself, "content-type": "application/json"})
    assert assert_error_shape(response, 422)[0]["loc"] == ["body", "mesures"]


def test_a_server_error_is_json_with_a_reference_and_logs_no_value(client, caplog):
    def failing_session():
        # A database error whose bound parameters are personal data (an RG number, a postcode).
        with client.app.state.engine.connect() as connection:
            connection.execute(
                text("SELECT * FROM table_absente WHERE rg = :rg AND cp = :cp"), {"rg": "24/98765", "cp": "59350"}
            )
        yield None

    client.app.dependency_overrides[get_session] = failing_session
    with caplog.at_level(logging.ERROR):
        response = client.get("/mesures?numero_rg=24/98765", headers={"Authorization": "Bearer x"})
    (error,) = assert_error_shape(response, 500)
    reference = response.headers["x-request-id"]
    assert error["type"] == "erreur_interne" and reference in error["msg"]
    logged = caplog.text
    assert reference in logged and "table_absente" in logged
    assert "24/98765" not in logged and "59350" not in logged


def test_database_errors_never_carry_bound_parameters(engine):
    with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
        connection.execute(text("SELECT * FROM table_absente WHERE rg = :rg"), {"rg": "24/98765"})
    assert "24/98765" not in str(raised.value)


# --- input bounded at the edge -----------------------------------------------------------------------------------


def test_a_nul_character_is_refused_in_every_text(client, admin, itself):
    cases = [
        client.post("/mandataires", json=mandataire_body(nom="Camille\x00Testeur"), headers=admin),
        client.post("/mesures", json=mesure_body(numero_dossier="D\x00"), headers=itself),
        client.get("/mesures", params={"numero_rg": "24/\x00"}, headers=admin),
        client.get("/audit/matches/ab%00cd", headers=admin),
        client.get("/mandataires", params={"q": "Cam\x1bille"}, headers=admin),
    ]
    for response in cases:
        (error,) = assert_error_shape(response, 422)
        assert error["type"] == "caractere_interdit" and "U+00" in error["msg"], error


def test_a_nul_character_in_a_batch_rejects_its_item_only(client, itself):
    report = client.post("/mesures/lot", json={"mesures": [vendor("24/00001", ville="Lil\x00le")]}, headers=itself)
    assert report.status_code == 200, report.text
    (item,) = report.json()["resultats"]
    assert item["resultat"] == "rejected" and item["motifs"][0]["champ"] == "ville"
    assert item["motifs"][0]["code"] == "caractere_interdit"


@pytest.mark.parametrize(
    "path",
    [f"/mandataires/{INT32_MAX + 1}", "/mesures/99999999999999999999", f"/mandataires?offset={INT32_MAX + 1}"],
)
def test_integers_beyond_the_columns_are_422(client, admin, path):
    (error,) = assert_error_shape(client.get(path, headers=admin), 422)
    assert error["type"] in ("less_than_equal", "int_parsing")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0, "date_type"),
        ("20240101", "date_type"),
        ("0001-01-01", "date_hors_limites"),
        ("9999-12-31", "date_hors_limites"),
    ],
)
def test_dates_are_iso_strings_within_plausible_bounds(client, itself, value, code):
    response = client.post("/mesures", json=mesure_body(date_nomination=value), headers=itself)
    (error,) = assert_error_shape(response, 422)
    assert error == {"type": code, "loc": ["body", "date_nomination"], "msg": error["msg"]}


def test_an_absence_ending_in_9999_is_refused(client, admin):
    created = client.post("/mandataires", json=mandataire_body(), headers=admin).json()
    absence = {"debut": "2026-01-01", "fin": "9999-12-31", "motif": "conges"}
    response = client.post(f"/mandataires/{created['id']}/absences", json=absence, headers=admin)
    assert assert_error_shape(response, 422)[0]["type"] == "date_hors_limites"


# --- settings ----------------------------------------------------------------------------------------------------


def test_a_refused_setting_never_echoes_values(monkeypatch):
    monkeypatch.setenv("SMTP_PASSWORD", "mot-de-passe-smtp")
    monkeypatch.setenv("SMTP_USERNAME", "compte-smtp")
    for environment in ({"ENVIRONMENT": "production"}, {"SMTP_PORT": "pas-un-port"}):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(ValidationError) as refused:
            Settings(_env_file=None)
        assert "mot-de-passe-smtp" not in str(refused.value) and "compte-smtp" not in str(refused.value)
        for name in environment:
            monkeypatch.delenv(name)


# --- documentation pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_documentation_is_served_without_cdn_and_cannot_be_framed(client, page):
    response = client.get(page)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
    addresses = re.findall(r'(?:src|href|spec-url|data-openapi)="([^"]*)"', response.text)
    assert addresses and all(a.startswith("/") and not a.startswith("//") for a in addresses), addresses
    for address in addresses:
        assert client.get(address).status_code == 200, address
    assert not re.search(r"https?://", response.text + client.get("/docs/init.js").text)
