"""API tokens through HTTP: expiry (401 with `WWW-Authenticate: Bearer error="invalid_token"`), read-only tokens,
admins' list and revocation (`/jetons`), personal tokens never beyond the person's scope."""

from datetime import date, timedelta

from cachetools import TTLCache
from sqlalchemy import select, update

from app.auth.constants import AccountState
from app.auth.dependencies import CSRF_HEADER, CSRF_VALUE
from app.auth.models import AccessEvent, Account, ApiToken
from app.auth.sessions import SESSION_COOKIE
from app.database import utcnow

LILLE = "17590111500709"
WRITE = {CSRF_HEADER: CSRF_VALUE}


def test_an_expired_token_gets_401_with_www_authenticate(client, session, make_token):
    client.app.state.principals = TTLCache(maxsize=100, ttl=0)
    headers = make_token("agent", region="32")
    assert client.get("/mandataires", headers=headers).status_code == 200
    expiry = session.scalar(select(ApiToken.expires_at))
    assert timedelta(days=364) < expiry - utcnow() <= timedelta(days=365)  # one year by default
    session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.flush()
    refused = client.get("/mandataires", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert refused.json()["detail"][0]["type"] == "jeton_expire" and "expiré" in refused.json()["detail"][0]["msg"]


def test_a_cached_token_is_refused_once_expired(client, session, make_token):
    headers = make_token("admin")
    assert client.get("/mandataires", headers=headers).status_code == 200
    (key, principal), *_ = client.app.state.principals.items()
    fields = {f: getattr(principal, f) for f in principal.__slots__}
    client.app.state.principals[key] = type(principal)(**{**fields, "expires_at": utcnow() - timedelta(seconds=1)})
    assert client.get("/mandataires", headers=headers).json()["detail"][0]["type"] == "jeton_expire"


def test_admins_list_and_revoke_tokens(client, session, admin, make_token):
    client.app.state.principals = TTLCache(maxsize=100, ttl=0)
    judge = make_token("magistrat", tribunal=LILLE)
    listed = client.get("/jetons", headers=admin).json()
    assert listed["total"] == 2 and all(item["etat"] == "actif" for item in listed["items"])
    assert "jeton" not in listed["items"][0] and "token_hash" not in listed["items"][0]
    judge_id = next(item["id"] for item in listed["items"] if item["role"] == "magistrat")
    assert client.get("/jetons", headers=judge).status_code == 403
    assert client.delete(f"/jetons/{judge_id}", headers=judge).status_code == 403
    assert client.delete(f"/jetons/{judge_id}", headers=admin).status_code == 204
    assert client.get("/mandataires", headers=judge).status_code == 401
    assert client.delete(f"/jetons/{judge_id}", headers=admin).status_code == 204  # idempotent
    assert client.delete("/jetons/999999", headers=admin).status_code == 404
    states = {item["id"]: item["etat"] for item in client.get("/jetons", headers=admin).json()["items"]}
    assert states[judge_id] == "revoque"
    assert client.get("/jetons", headers=admin, params={"actifs": True}).json()["total"] == 1
    line = session.scalar(select(AccessEvent).where(AccessEvent.action == "jeton_revoque"))
    assert line.jeton_id == judge_id and line.acteur_jeton_id is not None


def test_a_person_makes_a_personal_token_within_their_scope(client, session, session_cookie):
    client.cookies.set(SESSION_COOKIE, session_cookie("agent", region="32"))
    created = client.post("/jetons", headers=WRITE, json={"nom": "Tableur", "acces": "lecture"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["role"] == "agent" and body["region"] == "32" and body["acces"] == "lecture" and body["compte"]
    token = {"Authorization": f"Bearer {body['jeton']}"}
    client.cookies.clear()
    assert client.get("/tableaux-de-bord/index.json", headers=token).status_code == 200
    refused = client.post(
        "/comptes",
        headers=token,
        json={"email": "x@example.fr", "nom": "X", "prenom": "Y", "role": "agent", "departement": "59"},
    )
    assert refused.status_code == 403 and refused.json()["detail"][0]["type"] == "lecture_seule"
    # A token never makes another token.
    assert client.post("/jetons", headers=token, json={"nom": "Autre"}).status_code == 403


def test_a_personal_token_cannot_exceed_the_persons_scope(client, session, session_cookie):
    client.cookies.set(SESSION_COOKIE, session_cookie("agent", region="32"))
    outside = client.post("/jetons", headers=WRITE, json={"nom": "Sud", "departement": "13"})
    assert outside.status_code == 403 and outside.json()["detail"][0]["type"] == "hors_perimetre"
    narrowed = client.post("/jetons", headers=WRITE, json={"nom": "Nord", "departement": "59"})
    assert narrowed.status_code == 201 and narrowed.json()["departement"] == "59"
    assert narrowed.json()["region"] is None
    too_long = (date.today() + timedelta(days=400)).isoformat()
    refused = client.post("/jetons", headers=WRITE, json={"nom": "Long", "expire_le": too_long})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "expire_le"]
    short = (date.today() + timedelta(days=10)).isoformat()
    assert (
        client.post("/jetons", headers=WRITE, json={"nom": "Court", "expire_le": short}).json()["expires_at"][:10]
        == short
    )
    client.cookies.set(SESSION_COOKIE, session_cookie("magistrat", tribunal=LILLE))
    judge = client.post("/jetons", headers=WRITE, json={"nom": "Juge", "departement": "59"})
    assert judge.status_code == 403  # only an agent narrows a territory
    assert session.scalar(select(ApiToken.id).where(ApiToken.nom == "Juge")) is None


def test_a_disabled_accounts_personal_tokens_stop_working(client, session, session_cookie):
    client.app.state.principals = TTLCache(maxsize=100, ttl=0)
    client.cookies.set(SESSION_COOKIE, session_cookie("magistrat", tribunal=LILLE))
    token = {"Authorization": f"Bearer {client.post('/jetons', headers=WRITE, json={'nom': 'Greffe'}).json()['jeton']}"}
    client.cookies.clear()
    assert client.get("/mandataires", headers=token).status_code == 200
    session.execute(update(Account).values(etat=AccountState.DESACTIVE))
    session.flush()
    assert client.get("/mandataires", headers=token).status_code == 401
