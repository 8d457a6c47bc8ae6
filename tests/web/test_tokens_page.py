"""The tokens page through HTTP: every signed-in person may create a personal token there; admins also see every
token; a token (not a session) cannot create one; strangers are sent to the sign-in page."""

from app.auth.sessions import SESSION_COOKIE

LILLE = "17590111500709"


def test_admins_see_every_token_and_others_only_the_creation_form(client, session_cookie):
    client.cookies.set(SESSION_COOKIE, session_cookie("admin"))
    page = client.get("/jetons-d-acces")
    assert page.status_code == 200 and "Tous les jetons" in page.text and "Créer le jeton" in page.text
    assert 'href="/jetons-d-acces"' in page.text  # in the main menu
    client.cookies.set(SESSION_COOKIE, session_cookie("magistrat", tribunal=LILLE))
    page = client.get("/jetons-d-acces")
    assert page.status_code == 200 and "Créer le jeton" in page.text and "Tous les jetons" not in page.text
    assert "magistrat" in page.text  # the role the token will have


def test_a_token_opens_the_page_but_creates_no_token_there(client, make_token):
    page = client.get("/jetons-d-acces", headers=make_token("agent", departement="59"))
    assert page.status_code == 200 and "Créer le jeton" not in page.text
    assert "depuis une session" in page.text


def test_strangers_are_sent_to_sign_in(client):
    response = client.get("/jetons-d-acces", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion?suivant=")
