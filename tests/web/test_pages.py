"""The web pages over HTTP: the development sign-in and the session cookie, CSRF guard on cookie-authenticated
writes, role checks of the pages and the map geometry. The browser test (test_browser.py) drives the same pages
in Chromium."""

import hashlib
import json
import re

import pytest
from sqlalchemy import select

from app import labels
from app.auth.dependencies import CSRF_HEADER, CSRF_VALUE
from app.auth.models import WebSession
from app.auth.sessions import SESSION_COOKIE
from app.config import Settings
from app.web import router as web_router
from app.web.router import DSFR_FIX
from tests.support import app_client

LILLE = "17590111500709"
MATCH = {"tribunal": LILLE, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"}


@pytest.fixture
def token(make_token):
    """A raw token (not a header) for a role and scope."""

    def make(role: str, **scope) -> str:
        return make_token(role, **scope)["Authorization"].removeprefix("Bearer ")

    return make


def sign_in(client, account_id: int, suivant: str = "", **kwargs):
    return client.post(
        "/connexion/demo", data={"compte": account_id, "suivant": suivant}, follow_redirects=False, **kwargs
    )


def set_cookie_header(response) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "=")]
    assert len(headers) == 1, response.headers
    return headers[0]


def test_sign_in_page_is_french_and_offers_the_people_in_development(client, make_account):
    judge = make_account("magistrat", tribunal=LILLE)
    response = client.get("/connexion")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert 'method="post" action="/connexion/demo"' in response.text
    assert f'name="compte" value="{judge.id}"' in response.text and "Dominique Testeur — magistrat" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_sign_in_sets_an_http_only_lax_cookie_and_redirects(client, make_account, session):
    account = make_account("agent", region="32")
    response = sign_in(client, account.id)
    assert response.status_code == 303
    assert response.headers["location"] == "/tableaux-de-bord"
    cookie = set_cookie_header(response)
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    value = cookie.split(";")[0].split("=", 1)[1]
    assert len(value) >= 40
    stored = session.scalar(select(WebSession.secret_hash).where(WebSession.compte_id == account.id))
    assert stored == hashlib.sha256(value.encode()).hexdigest()  # only the hash is kept
    assert "httponly" in attributes and attributes["samesite"].strip().lower() == "samesite=lax"
    assert attributes["path"].strip() == "Path=/"
    assert "secure" not in attributes  # plain http in the test environment
    assert value not in response.headers["location"]
    assert client.get("/tableaux-de-bord", follow_redirects=False).status_code == 200


def test_cookie_is_secure_over_https(client, make_account):
    account = make_account("admin")
    response = client.post("https://testserver/connexion/demo", data={"compte": account.id}, follow_redirects=False)
    assert response.status_code == 303
    assert "secure" in [p.strip().lower() for p in set_cookie_header(response).split(";")]


def test_sign_in_goes_back_to_the_page_asked_but_never_off_site(client, make_account):
    account = make_account("magistrat", tribunal=LILLE)
    assert sign_in(client, account.id, "/juge?x=1").headers["location"] == "/juge?x=1"
    for outside in ("//evil.example/juge", "https://evil.example/", "/\\evil.example", "juge"):
        assert sign_in(client, account.id, outside).headers["location"] == "/juge"


def test_a_disabled_or_unknown_person_is_refused_with_no_cookie(client, make_account):
    account = make_account("admin", etat="desactive")
    response = sign_in(client, account.id)
    assert response.status_code == 403
    assert "désactivé" in response.text and 'role="alert"' in response.text
    assert not [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    assert sign_in(client, 999_999).status_code == 403


def test_sign_in_refuses_a_cross_origin_form(client, make_account):
    account = make_account("admin")
    response = sign_in(client, account.id, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert not response.headers.get_list("set-cookie")
    assert sign_in(client, account.id, headers={"Origin": "http://testserver"}).status_code == 303
    proxied = {"Origin": "https://mjpm.example", "X-Forwarded-Host": "mjpm.example"}
    assert sign_in(client, account.id, headers=proxied).status_code == 303


def test_sign_out_ends_the_session_and_clears_the_cookie(client, make_account):
    sign_in(client, make_account("admin").id)
    value = client.cookies.get(SESSION_COOKIE)
    assert client.get("/tableaux-de-bord", follow_redirects=False).status_code == 200
    response = client.post("/deconnexion", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/connexion"
    cleared = set_cookie_header(response)
    assert "Max-Age=0" in cleared or "expires=Thu, 01 Jan 1970" in cleared.lower() or f'{SESSION_COOKIE}="";' in cleared
    assert client.get("/tableaux-de-bord", follow_redirects=False).status_code == 303
    client.cookies.set(SESSION_COOKIE, value)  # a copy of the old cookie: its session row is gone
    assert client.get("/mandataires").status_code == 401


def test_the_api_accepts_the_cookie_and_guards_writes_against_csrf(client, session_cookie):
    client.cookies.set(SESSION_COOKIE, session_cookie("magistrat", tribunal=LILLE))
    assert client.get("/mandataires").status_code == 200
    refused = client.post("/match", json=MATCH)
    assert refused.status_code == 403
    assert refused.json()["detail"][0]["type"] == "csrf"
    assert client.post("/match", json=MATCH, headers={CSRF_HEADER: "autre"}).status_code == 403
    assert client.post("/match", json=MATCH, headers={CSRF_HEADER: CSRF_VALUE}).status_code == 200


def test_the_bearer_header_needs_no_csrf_header_and_wins_over_the_cookie(client, token, session_cookie):
    client.cookies.set(SESSION_COOKIE, session_cookie("agent"))
    judge = {"Authorization": f"Bearer {token('magistrat', tribunal=LILLE)}"}
    assert client.post("/match", json=MATCH, headers=judge).status_code == 200
    client.cookies.set(SESSION_COOKIE, "not-a-session")
    assert client.get("/mandataires").status_code == 401


def test_the_development_sign_in_is_refused_in_production(session_factory, make_account):
    account = make_account("admin")
    production = Settings(environment="production", token_secret="x" * 40, database_url="sqlite://")
    with app_client(production, session_factory) as client:
        response = client.post("/connexion/demo", data={"compte": account.id}, follow_redirects=False)
        assert response.status_code == 404 and "désactivée en production" in response.text
        assert not response.headers.get_list("set-cookie")
        page = client.get("/connexion")
        assert page.status_code == 200 and "/connexion/demo" not in page.text


@pytest.mark.parametrize(
    ("role", "scope", "dashboards", "judge"),
    [
        ("admin", {}, 200, 200),
        ("agent", {"region": "32"}, 200, 403),
        ("agent", {"departement": "59"}, 200, 403),
        ("magistrat", {"tribunal": LILLE}, 403, 200),
        ("greffier", {"tribunal": LILLE}, 403, 200),
        ("mandataire", None, 403, 403),
    ],
)
def test_pages_by_role(client, token, session_cookie, role, scope, dashboards, judge):
    if scope is None:
        from tests.registry.factories import mandataire_body

        admin = {"Authorization": f"Bearer {token('admin')}"}
        scope = {"mandataire_id": client.post("/mandataires", json=mandataire_body(), headers=admin).json()["id"]}
    client.cookies.set(SESSION_COOKIE, session_cookie(role, **scope))
    judges_pages = (("/juge", judge), ("/juge/reservations", judge), ("/juge/statistiques", judge))
    for path, expected in (("/tableaux-de-bord", dashboards), *judges_pages):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == expected, (path, response.text[:300])
        assert response.headers["content-type"].startswith("text/html")
        assert f"Connecté : {labels.ROLES[role]}" in response.text  # the header names the role, refused pages too
        if expected == 403:
            assert "Accès refusé" in response.text and '<html lang="fr">' in response.text


def test_pages_without_a_token_redirect_to_the_sign_in_form(client):
    for path in ("/tableaux-de-bord?departement=59", "/juge", "/juge/reservations", "/juge/statistiques"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/connexion?suivant=%2F")
    assert client.get("/", follow_redirects=False).headers["location"] == "/connexion"


def test_the_bearer_header_opens_the_pages_too(client, token):
    headers = {"Authorization": f"Bearer {token('agent')}"}
    assert client.get("/tableaux-de-bord", headers=headers, follow_redirects=False).status_code == 200


def test_dashboard_page_lists_the_territory_and_keeps_the_filters_in_the_exports(client, session_cookie):
    client.cookies.set(SESSION_COOKIE, session_cookie("agent", region="32"))
    page = client.get("/tableaux-de-bord", params={"departement": "59", "type": "individuel", "region": "zz"}).text
    for code in ("02", "59", "60", "62", "80"):
        assert f'<option value="{code}" data-region="32"' in page
    assert '<option value="13"' not in page  # outside the agent's région
    assert '<option value="59" data-region="32" selected>' in page
    assert "Filtres ignorés (valeur inconnue) : region." in page
    for name in ("charge", "tension", "couverture", "histogramme-individuels", "flux", "belgique", "fraicheur"):
        assert f'href="/tableaux-de-bord/{name}.csv?departement=59&amp;type=individuel"' in page
        assert f'href="/tableaux-de-bord/{name}.xlsx?departement=59&amp;type=individuel"' in page
    assert 'data-requete="departement=59&amp;type=individuel"' in page
    for label in ('for="f-region"', 'for="f-departement"', 'for="f-tribunal"', 'for="f-type"', 'for="f-debut"'):
        assert label in page


def test_judge_page_presets_the_tribunal_of_the_token(client, session_cookie):
    client.cookies.set(SESSION_COOKIE, session_cookie("greffier", tribunal=LILLE))
    page = client.get("/juge").text
    assert page.count('<option value="17590111500709" data-departement="59">') == 1
    assert "Tribunal judiciaire de Lille" in page and "Le tribunal de votre jeton." in page
    assert page.count('name="besoins"') == 10
    assert 'id="commune"' in page and '<label class="fr-label" for="commune">Commune</label>' in page
    assert 'id="etablissement"' in page and 'id="nom-pourquoi"' in page
    for path in ("/juge/reservations", "/juge/statistiques"):
        other = client.get(path).text
        assert (
            other.count('<option value="17590111500709">') == 1
            and other.count("<option value=") == 1 + (path == "/juge/reservations") * 6
        )  # the tribunal of the token; the states of a reservation and "all"
    client.cookies.set(SESSION_COOKIE, session_cookie("admin"))
    assert client.get("/juge").text.count("<option value=") > 200  # an administrator picks any tribunal


def test_static_files_are_served(client):
    for name in ("app.css", "commun.js", "carte.js", "tableaux.js", "juge.js", "reservations.js", "statistiques.js"):
        assert client.get(f"/static/{name}").status_code == 200


ASSET = re.compile(r'<(?:link|script)\b[^>]*?\b(?:href|src)="([^"]+)"')


@pytest.mark.parametrize(("path", "role"), [("/connexion", None), ("/tableaux-de-bord", "agent"), ("/juge", "admin")])
def test_pages_load_only_local_assets_and_the_dsfr_is_served(client, session_cookie, path, role):
    """Every style sheet and script is served by the application (no CDN: no network at run time), the DSFR's
    among them, and answers; so do the fonts and icons its style sheet names."""
    if role:
        client.cookies.set(SESSION_COOKIE, session_cookie(role))
    page = client.get(path)
    assert page.status_code == 200
    assets = ASSET.findall(page.text)
    assert any("/static/dsfr/dsfr.min.css" in a for a in assets) and any("dsfr.module.min.js" in a for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        answer = client.get(asset)
        assert answer.status_code == 200, f"{asset}: {answer.status_code}; {DSFR_FIX}"
    css = client.get("/static/dsfr/dsfr.min.css").text
    named = sorted(set(re.findall(r"url\(((?:fonts|icons)/[^)]+)\)", css)))
    assert len(named) > 20
    for relative in named:
        assert client.get(f"/static/dsfr/{relative}").status_code == 200, relative


def test_the_demonstration_notice_is_shown_outside_production_only(client):
    assert "Environnement de démonstration" in client.get("/connexion").text
    client.app.state.settings = client.app.state.settings.model_copy(update={"environment": "production"})
    try:
        assert "Environnement de démonstration" not in client.get("/connexion").text
    finally:
        client.app.state.settings = client.app.state.settings.model_copy(update={"environment": "test"})


def test_pages_work_unstyled_when_the_dsfr_was_not_copied(client, monkeypatch, caplog):
    """Someone who runs the service without the scripts gets the pages, without the DSFR, and a log saying why."""
    monkeypatch.setattr(web_router, "STATIC_DIR", web_router.STATIC_DIR / "absent")
    web_router._static_version.cache_clear()
    try:
        page = client.get("/connexion")
    finally:
        web_router._static_version.cache_clear()
    assert page.status_code == 200 and 'href="/static/dsfr/dsfr.min.css"' in page.text
    assert any("ensure_node_modules" in record.getMessage() for record in caplog.records)


def test_departements_geojson_has_the_101_departements(client):
    response = client.get("/referentiel/departements.geojson", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    features = response.json()["features"]
    codes = [f["properties"]["code"] for f in features]
    assert len(features) == len(set(codes)) == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(codes)
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") and f["geometry"]["coordinates"] for f in features)
    assert len(response.content) < 400_000  # simplified for the browser


def test_departements_geojson_is_sent_gzipped_when_accepted(client):
    raw = client.get("/referentiel/departements.geojson", headers={"Accept-Encoding": "identity"}).content
    # httpx decodes the gzip body transparently; the header says it travelled compressed.
    response = client.get("/referentiel/departements.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == raw and json.loads(raw)["type"] == "FeatureCollection"
    assert int(response.headers["content-length"]) < len(raw) / 2
