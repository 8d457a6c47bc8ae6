"""The planning page through HTTP: agents and admins see it with their own départements only; judges get the
French 403 page; strangers are sent to sign in."""

from app.auth.sessions import SESSION_COOKIE

LILLE = "17590111500709"


def test_agents_see_the_page_with_their_departements_only(client, session_cookie):
    client.cookies.set(SESSION_COOKIE, session_cookie("agent", departement="80"))
    page = client.get("/planification-de-l-offre")
    assert page.status_code == 200
    assert 'href="/planification-de-l-offre"' in page.text  # in the main menu
    assert '<option value="80">80 – Somme</option>' in page.text and 'value="59"' not in page.text
    for label in ("Simuler un an", "Proposer des communes", "Comparer avec l'offre actuelle"):
        assert label in page.text
    client.cookies.set(SESSION_COOKIE, session_cookie("admin"))
    assert 'value="59"' in client.get("/planification-de-l-offre").text


def test_judges_are_refused_and_strangers_sent_to_sign_in(client, session_cookie):
    client.cookies.set(SESSION_COOKIE, session_cookie("magistrat", tribunal=LILLE))
    page = client.get("/planification-de-l-offre")
    assert page.status_code == 403 and "« Planification de l" in page.text
    assert 'href="/planification-de-l-offre"' not in page.text
    client.cookies.clear()
    response = client.get("/planification-de-l-offre", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion?suivant=")
