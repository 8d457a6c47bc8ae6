"""Account management through HTTP (`/comptes`): who may manage whom, invitations (one-time, expiring), disabling
and re-enabling, the journal of every change. The worker's cache is off where promptness is checked."""

import re
from datetime import timedelta

import pytest
from cachetools import TTLCache
from sqlalchemy import select, update

from app.auth.dependencies import CSRF_HEADER, CSRF_VALUE
from app.auth.models import AccessEvent, Account
from app.auth.sessions import SESSION_COOKIE
from app.database import utcnow
from app.notifications.models import Notification
from tests.registry.factories import mandataire_body

LILLE = "17590111500709"


@pytest.fixture
def pros(client, admin):
    """A professional in the Nord (59) and one in the Bouches-du-Rhône (13)."""
    nord = client.post("/mandataires", headers=admin, json=mandataire_body(departements=["59"])).json()
    sud = client.post(
        "/mandataires",
        headers=admin,
        json=mandataire_body(departements=["13"], sites=[{"nom": "Bureau", "insee": "13055"}]),
    ).json()
    return nord, sud


def new(email: str, role: str, **scope) -> dict:
    return {"email": email, "nom": "Martin", "prenom": "Alex", "role": role, **scope}


def invitation_secret(session, email: str) -> str:
    body = session.scalars(
        select(Notification.body).where(Notification.recipient == email).order_by(Notification.id.desc())
    ).first()
    return re.search(r"/invitation/([A-Za-z0-9_-]+)", body).group(1)


def test_an_admin_invites_a_person_who_activates_the_account_once(client, session, admin, pros):
    created = client.post(
        "/comptes", headers=admin, json=new(" Pro@Example.FR ", "mandataire", mandataire=pros[0]["id"])
    )
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["email"] == "pro@example.fr" and account["etat"] == "invite"
    assert account["siret"] == pros[0]["siret"] and account["invitation_expire_le"] is not None
    notification = session.scalar(select(Notification).where(Notification.kind == "invitation"))
    assert notification.recipient == "pro@example.fr" and "http://127.0.0.1:8000/invitation/" in notification.body
    assert notification.payload == {"destinataire": "compte", "compte": account["id"]}
    secret = invitation_secret(session, "pro@example.fr")
    assert session.scalar(select(Account.invitation_hash)) != secret  # only its hash is stored

    page = client.get(f"/invitation/{secret}")
    assert page.status_code == 200 and "Activer mon compte" in page.text
    assert client.get(f"/comptes/{account['id']}", headers=admin).json()["etat"] == "invite"  # a GET spends nothing
    accepted = client.post(f"/invitation/{secret}", follow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["location"] == "/espace-professionnel"
    assert client.cookies.get(SESSION_COOKIE)  # the development sign-in opens a session at once
    assert client.get(f"/comptes/{account['id']}", headers=admin).json()["etat"] == "actif"
    client.cookies.clear()
    again = client.post(f"/invitation/{secret}", follow_redirects=False)
    assert again.status_code == 403 and "déjà servi" in again.text
    actions = session.scalars(select(AccessEvent.action).order_by(AccessEvent.id)).all()
    assert actions == ["creation", "invitation", "activation", "connexion", "connexion_refusee"]


def test_an_invitation_expires_and_a_new_one_replaces_it(client, session, admin):
    account = client.post("/comptes", headers=admin, json=new("agent@example.fr", "agent", region="32")).json()
    old = invitation_secret(session, "agent@example.fr")
    session.execute(update(Account).values(invitation_expires_at=utcnow() - timedelta(seconds=1)))
    session.flush()
    expired = client.post(f"/invitation/{old}", follow_redirects=False)
    assert expired.status_code == 403 and "expiré" in expired.text
    assert client.post(f"/comptes/{account['id']}/invitation", headers=admin).status_code == 200
    fresh = invitation_secret(session, "agent@example.fr")
    assert fresh != old
    assert client.post(f"/invitation/{old}", follow_redirects=False).status_code == 403
    assert client.post(f"/invitation/{fresh}", follow_redirects=False).status_code == 303
    resent = client.post(f"/comptes/{account['id']}/invitation", headers=admin)
    assert resent.status_code == 409 and resent.json()["detail"][0]["type"] == "compte_non_invite"


def test_agents_manage_professionals_and_agents_of_their_territory_only(client, make_token, make_account, pros):
    nord, sud = pros
    agent = make_token("agent", departement="59")
    refused = {
        "admin": new("a@example.fr", "admin"),
        "judge": new("j@example.fr", "magistrat", tribunal=LILLE),
        "wider agent": new("r@example.fr", "agent", region="32"),
        "national agent": new("n@example.fr", "agent"),
        "outside professional": new("s@example.fr", "mandataire", mandataire=sud["id"]),
    }
    for name, body in refused.items():
        response = client.post("/comptes", headers=agent, json=body)
        assert response.status_code == 403, name
        assert response.json()["detail"][0]["type"] == "hors_perimetre"
    assert (
        client.post("/comptes", headers=agent, json=new("d@example.fr", "agent", departement="59")).status_code == 201
    )
    mine = client.post("/comptes", headers=agent, json=new("p@example.fr", "mandataire", mandataire=nord["id"])).json()
    admin_account = make_account("admin")
    outside = make_account("mandataire", mandataire_id=sud["id"])
    for other in (admin_account, outside):
        assert client.get(f"/comptes/{other.id}", headers=agent).status_code == 404
        assert client.post(f"/comptes/{other.id}/desactivation", headers=agent).status_code == 404
    listed = client.get("/comptes", headers=agent).json()
    assert {a["email"] for a in listed["items"]} == {"d@example.fr", "p@example.fr"} and listed["total"] == 2
    moved = client.patch(f"/comptes/{mine['id']}", headers=agent, json={"perimetre": {"role": "admin"}})
    assert moved.status_code == 403  # nor may an agent make an account an admin
    region_agent = make_token("agent", region="32")
    assert client.get(f"/comptes/{mine['id']}", headers=region_agent).status_code == 200


@pytest.mark.parametrize(("role", "scope"), [("magistrat", {"tribunal": LILLE}), ("greffier", {"tribunal": LILLE})])
def test_judges_and_professionals_manage_no_account(client, make_token, pros, role, scope):
    for headers in (make_token(role, **scope), make_token("mandataire", mandataire_id=pros[0]["id"])):
        assert client.get("/comptes", headers=headers).status_code == 403
        assert client.post("/comptes", headers=headers, json=new("x@example.fr", "admin")).status_code == 403


def test_a_disabled_account_loses_its_session_at_once_and_may_come_back(client, session, admin, session_cookie):
    client.app.state.principals = TTLCache(maxsize=100, ttl=0)
    client.cookies.set(SESSION_COOKIE, session_cookie("agent", region="32"))
    assert client.get("/mandataires").status_code == 200
    account_id = session.scalar(select(Account.id))
    client.post("/connexion/demo", data={"compte": account_id}, follow_redirects=False)  # a sign-in on record
    disabled = client.post(f"/comptes/{account_id}/desactivation", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["etat"] == "desactive"
    assert client.get("/mandataires").status_code == 401
    assert client.post("/connexion/demo", data={"compte": account_id}, follow_redirects=False).status_code == 403
    enabled = client.post(f"/comptes/{account_id}/reactivation", headers=admin)
    assert enabled.status_code == 200 and enabled.json()["etat"] == "actif"  # the person had signed in
    assert client.post(f"/comptes/{account_id}/reactivation", headers=admin).status_code == 409
    lines = session.scalars(select(AccessEvent.action).where(AccessEvent.compte_id == account_id)).all()
    assert "desactivation" in lines and "reactivation" in lines


def test_an_admin_signed_in_cannot_disable_their_own_account(client, session, session_cookie):
    client.cookies.set(SESSION_COOKIE, session_cookie("admin"))
    own = session.scalar(select(Account.id))
    response = client.post(f"/comptes/{own}/desactivation", headers={CSRF_HEADER: CSRF_VALUE})
    assert response.status_code == 409 and response.json()["detail"][0]["type"] == "compte_courant"
    changed = client.patch(f"/comptes/{own}", headers={CSRF_HEADER: CSRF_VALUE}, json={"nom": "Durand"})
    assert changed.status_code == 200 and changed.json()["nom"] == "Durand"
    line = session.scalar(select(AccessEvent).where(AccessEvent.action == "modification"))
    assert line.acteur_compte_id == own and line.details == {"champs": ["nom"]} and line.ip == "testclient"


def test_bad_input_names_the_field_and_writes_nothing(client, session, admin):
    bad = client.post("/comptes", headers=admin, json=new("pas-une-adresse", "admin"))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "email"]
    assert client.post("/comptes", headers=admin, json=new("x@example.fr", "magistrat")).status_code == 422
    assert client.post("/comptes", headers=admin, json=new("x@example.fr", "admin")).status_code == 201
    duplicate = client.post("/comptes", headers=admin, json=new("X@example.fr", "admin"))
    assert duplicate.status_code == 409 and duplicate.json()["detail"][0]["type"] == "email_existant"
    assert session.scalars(select(Account.email)).all() == ["x@example.fr"]
    assert client.get("/comptes/999999", headers=admin).status_code == 404


def test_a_service_reads_the_people_who_act_for_it_and_no_one_elses(client, admin, make_token, pros):
    nord, sud = pros
    for email in ("b.secretaire@example.org", "a.delegue@example.org"):
        body = new(email, "mandataire", mandataire=nord["id"]) | {"nom": email[2:5].title()}
        assert client.post("/comptes", headers=admin, json=body).status_code == 201
    own = make_token("mandataire", mandataire_id=nord["id"])
    members = client.get(f"/mandataires/{nord['id']}/comptes", headers=own)
    assert members.status_code == 200, members.text
    assert [(m["nom"], m["email"], m["etat"]) for m in members.json()] == [
        ("Del", "a.delegue@example.org", "invite"),
        ("Sec", "b.secretaire@example.org", "invite"),
    ]
    assert client.get(f"/mandataires/{sud['id']}/comptes", headers=own).status_code == 404
    assert client.get(f"/mandataires/{sud['id']}/comptes", headers=admin).json() == []
    agent = make_token("agent", departement="59")
    assert client.get(f"/mandataires/{nord['id']}/comptes", headers=agent).status_code == 403
