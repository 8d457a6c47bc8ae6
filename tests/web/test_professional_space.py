"""The professional's space over HTTP: a professional lands on it after signing in, every page answers it (and
refuses the other roles), the count of reservations awaiting an answer is on every page. The browser journey is
in test_professional_browser.py."""

import pytest

from app.auth.sessions import SESSION_COOKIE
from app.web.professional import ONGLETS
from tests.registry.factories import mandataire_body
from tests.support import create_mandataire

LILLE = "17590111500709"
MATCH = {"tribunal": LILLE, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"}
PAGES = [o.url for o in ONGLETS if not o.service_only]
SERVICE_PAGES = [o.url for o in ONGLETS if o.service_only]
SERVICE_PAGE = SERVICE_PAGES[0]


@pytest.fixture
def professional(client, admin, session_cookie):
    """A new professional and the session cookie of its account."""

    def create(**overrides) -> tuple[dict, dict]:
        body = create_mandataire(client, admin, **overrides)
        return body, {SESSION_COOKIE: session_cookie("mandataire", mandataire_id=body["id"])}

    return create


def test_a_professional_lands_on_its_space_after_signing_in(client, admin, make_account):
    body = client.post("/mandataires", headers=admin, json=mandataire_body()).json()
    account = make_account("mandataire", mandataire_id=body["id"])
    response = client.post("/connexion/demo", data={"compte": account.id}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/espace-professionnel")
    assert client.get("/", follow_redirects=False).headers["location"] == "/espace-professionnel"


def test_every_page_of_the_space_answers_a_professional(client, professional):
    body, headers = professional(nom="Camille Espace")
    client.cookies.update(headers)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, response.text
        assert '<html lang="fr">' in response.text and "Camille Espace" in response.text
        assert f'href="{path}" aria-current="page"' in response.text and "espace.js" in response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "<script>" not in response.text and " style=" not in response.text  # strict CSP: nothing inline
        assert f'"mandataire": {body["id"]}' in response.text
        # An individual professional has no antennes nor ETP page in its menu.
        assert not any(f'href="{page}"' in response.text for page in SERVICE_PAGES)


def test_a_service_also_has_its_antennes_and_members_page(client, professional):
    _, individual = professional()
    _, service = professional(type="service", nom="Service Test", sites=[{"nom": "Antenne", "insee": "59350"}])
    client.cookies.update(service)
    response = client.get(SERVICE_PAGE)
    assert response.status_code == 200 and "Antennes et membres" in response.text
    assert SERVICE_PAGE in client.get("/espace-professionnel").text
    client.cookies.update(individual)
    assert client.get(SERVICE_PAGE).status_code == 404


def test_a_service_declares_its_etp_in_its_space_an_individual_reads_why_not(client, professional):
    """The page holds the form; the declaring itself is the API's (tests/dashboards/test_charge_professionnels.py)."""
    _, individual = professional()
    _, service = professional(type="service", nom="Service Effectifs")
    client.cookies.update(service)
    response = client.get("/espace-professionnel/effectifs")
    assert response.status_code == 200 and "<h1>Effectifs (ETP) par année</h1>" in response.text
    assert 'href="/espace-professionnel/effectifs"' in client.get("/espace-professionnel").text
    for field in ("etp-annee", "etp-valeur"):
        assert f'<label class="fr-label" for="{field}">' in response.text and f'aria-describedby="aide-{field}"' in (
            response.text
        )
    client.cookies.update(individual)
    refused = client.get("/espace-professionnel/effectifs")
    assert refused.status_code == 404 and "un mandataire individuel ou un préposé n&#39;a rien à déclarer" in (
        refused.text
    )


def test_without_a_token_the_space_sends_to_the_sign_in_form(client):
    for path in [*PAGES, SERVICE_PAGE]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/connexion?suivant=" + path.replace("/", "%2F")


@pytest.mark.parametrize(
    "role, scope",
    [("admin", {}), ("agent", {"region": "32"}), ("magistrat", {"tribunal": LILLE}), ("greffier", {"tribunal": LILLE})],
)
def test_other_roles_get_a_french_refusal(client, session_cookie, role, scope):
    client.cookies.set(SESSION_COOKIE, session_cookie(role, **scope))
    for path in (PAGES[0], PAGES[2]):
        response = client.get(path)
        assert response.status_code == 403
        assert "Espace professionnel" in response.text and "mandataire" in response.text


def test_every_page_counts_the_reservations_awaiting_an_answer(client, professional, make_token):
    body, headers = professional(natures=["tutelle"], capacite=5, sites=[{"nom": "Bureau", "insee": "59350"}])
    judge = make_token("magistrat", tribunal=LILLE)
    client.cookies.update(headers)
    assert 'data-attente="0"' in client.get("/espace-professionnel/mesures").text
    for number in (1, 2):
        match = client.post("/match", headers=judge, json={**MATCH, "diversite": False}).json()
        assert body["id"] in [c["mandataire"]["id"] for c in match["candidats"]]
        reservation = {
            "match_id": match["match_id"],
            "mandataire": body["id"],
            "numero_rg": f"25/0000{number}",
            "famille": {"statut": "aucun_proche_disponible"},
        }
        assert client.post("/reservations", headers=judge, json=reservation).status_code == 201
    for path in PAGES:
        text = client.get(path).text
        assert 'data-attente="2"' in text and "2 réservations attendent votre réponse" in text
