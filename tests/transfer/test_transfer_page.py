"""The transfer page: agents compute and follow plans, judges decide and confirm, others are refused."""

import pytest

from app.auth.sessions import SESSION_COOKIE
from tests.registry.factories import mandataire_body

LILLE = "17590111500709"


@pytest.mark.parametrize(
    ("role", "scope", "compute", "decide"),
    [
        ("admin", {}, True, True),
        ("agent", {"departement": "59"}, True, False),
        ("magistrat", {"tribunal": LILLE}, False, True),
        ("greffier", {"tribunal": LILLE}, False, True),
    ],
)
def test_the_page_offers_what_the_role_may_do(client, session_cookie, role, scope, compute, decide):
    client.cookies.set(SESSION_COOKIE, session_cookie(role, **scope))
    page = client.get("/transferts-de-mesures", follow_redirects=False)
    assert page.status_code == 200 and '<html lang="fr">' in page.text
    assert ('id="nouveau"' in page.text) is compute  # the form that computes a plan
    assert ('id="confirmer"' in page.text) is decide
    assert "Départ à la retraite" in page.text or not compute  # motifs in French
    assert 'href="/transferts-de-mesures" aria-current="page"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_professionals_are_refused_and_strangers_sent_to_sign_in(client, session_cookie, admin):
    pro = client.post("/mandataires", headers=admin, json=mandataire_body()).json()
    refused = client.get("/transferts-de-mesures", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/connexion?suivant=")
    client.cookies.set(SESSION_COOKIE, session_cookie("mandataire", mandataire_id=pro["id"]))
    page = client.get("/transferts-de-mesures", follow_redirects=False)
    assert page.status_code == 403 and "Accès refusé" in page.text
