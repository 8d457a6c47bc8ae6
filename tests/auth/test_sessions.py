"""Web sessions and sign-in, through HTTP: idle and absolute expiry, a disabled account losing its session, who may
sign in (e-mail, the professionals' SIRET white list), the access journal and its retention.

Time is moved by dating the session rows back (no sleeping); the worker's cache is off (TOKEN_CACHE_S = 0) so that
every request checks the database."""

from datetime import timedelta

import pytest
from cachetools import TTLCache
from sqlalchemy import select, update

from app.auth.accounts import account_for_sign_in, purge_journal, record_sign_in
from app.auth.constants import AccountState
from app.auth.exceptions import SignInRefused
from app.auth.models import AccessEvent, Account, WebSession
from app.auth.sessions import SESSION_COOKIE
from app.database import utcnow
from app.scheduler.service import purge_audit
from tests.registry.factories import mandataire_body

LILLE = "17590111500709"


@pytest.fixture
def uncached(client):
    client.app.state.principals = TTLCache(maxsize=100, ttl=0)
    return client


def age(session, **columns_seconds) -> None:
    """Move every session's timestamps this many seconds into the past."""
    now = utcnow()
    values = {column: now - timedelta(seconds=seconds) for column, seconds in columns_seconds.items()}
    session.execute(update(WebSession).values(**values))
    session.flush()


def test_a_session_idle_longer_than_the_setting_ends(uncached, session, session_cookie, settings):
    uncached.cookies.set(SESSION_COOKIE, session_cookie("admin"))
    assert uncached.get("/mandataires").status_code == 200
    age(session, last_seen_at=settings.session_idle_s - 30)
    assert uncached.get("/mandataires").status_code == 200  # still within the idle delay
    age(session, last_seen_at=settings.session_idle_s + 1)
    refused = uncached.get("/mandataires")
    assert refused.status_code == 401 and refused.json()["detail"][0]["type"] == "session_expiree"
    assert refused.headers["www-authenticate"] == "Bearer"
    page = uncached.get("/tableaux-de-bord", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/connexion")


def test_use_keeps_a_session_alive_until_its_absolute_end(uncached, session, session_cookie, settings):
    uncached.cookies.set(SESSION_COOKIE, session_cookie("admin"))
    age(session, last_seen_at=120, created_at=120)
    assert uncached.get("/mandataires").status_code == 200
    last_seen = session.scalar(select(WebSession.last_seen_at))
    assert utcnow() - last_seen < timedelta(seconds=60)  # the request recorded its use
    age(session, last_seen_at=1, created_at=settings.session_absolute_s + 1)
    refused = uncached.get("/mandataires")
    assert refused.status_code == 401 and refused.json()["detail"][0]["type"] == "session_expiree"


def test_a_cached_session_is_never_used_past_its_end(client, session_cookie, settings):
    """The worker's cache keeps a checked session for TOKEN_CACHE_S, but not past its idle or absolute end."""
    client.cookies.set(SESSION_COOKIE, session_cookie("admin"))
    assert client.get("/mandataires").status_code == 200
    (key, principal), *_ = client.app.state.principals.items()
    client.app.state.principals[key] = type(principal)(
        **{**{f: getattr(principal, f) for f in principal.__slots__}, "expires_at": utcnow() - timedelta(seconds=1)}
    )
    assert client.get("/mandataires").json()["detail"][0]["type"] == "session_expiree"


def test_a_disabled_account_loses_its_session(uncached, session, session_cookie):
    uncached.cookies.set(SESSION_COOKIE, session_cookie("agent", region="32"))
    assert uncached.get("/tableaux-de-bord", follow_redirects=False).status_code == 200
    session.execute(update(Account).values(etat=AccountState.DESACTIVE))
    session.flush()
    assert uncached.get("/mandataires").status_code == 401
    assert uncached.get("/tableaux-de-bord", follow_redirects=False).status_code == 303


def test_who_may_sign_in(session, make_account, client, admin):
    body = mandataire_body()
    pro = client.post("/mandataires", json=body, headers=admin).json()
    judge = make_account("magistrat", tribunal=LILLE, email="Juge@Example.fr")
    assert account_for_sign_in(session, email="  JUGE@example.FR ") is judge  # e-mails compare lower-case
    invited = make_account("agent", region="32", etat=AccountState.INVITE)
    invited.invitation_hash = "x" * 64
    assert account_for_sign_in(session, email=invited.email).etat == AccountState.ACTIF
    assert invited.invitation_hash is None  # the invitation link no longer works
    professional = make_account("mandataire", mandataire_id=pro["id"], email="pro@example.fr")
    assert professional.siret == body["siret"]
    # The white list: the professional's SIRET lets them in under another address of their provider.
    assert account_for_sign_in(session, email="autre@example.fr", siret=body["siret"]) is professional
    with pytest.raises(SignInRefused) as refused:
        account_for_sign_in(session, email="pro@example.fr", siret="99999999900099")
    assert refused.value.code == "siret_different"
    with pytest.raises(SignInRefused) as refused:
        account_for_sign_in(session, email="inconnu@example.fr", siret="99999999900099")
    assert refused.value.code == "compte_inconnu" and "Demandez" in refused.value.message
    disabled = make_account("admin", etat=AccountState.DESACTIVE)
    with pytest.raises(SignInRefused) as refused:
        account_for_sign_in(session, email=disabled.email)
    assert refused.value.code == "compte_desactive" and "désactivé" in refused.value.message


def test_sign_ins_and_refusals_are_journaled_with_the_address(client, session, make_account):
    account = make_account("admin")
    disabled = make_account("agent", etat=AccountState.DESACTIVE)
    assert client.post("/connexion/demo", data={"compte": account.id}, follow_redirects=False).status_code == 303
    assert client.post("/connexion/demo", data={"compte": disabled.id}, follow_redirects=False).status_code == 403
    assert client.post("/deconnexion", follow_redirects=False).status_code == 303
    lines = session.execute(
        select(AccessEvent.action, AccessEvent.compte_id, AccessEvent.ip, AccessEvent.details).order_by(AccessEvent.id)
    ).all()
    assert [(line.action, line.compte_id) for line in lines] == [
        ("connexion", account.id),
        ("connexion_refusee", disabled.id),
        ("deconnexion", account.id),
    ]
    assert all(line.ip == "testclient" for line in lines)
    assert lines[0].details == {"fournisseur": "dev"}
    assert lines[1].details == {"motif": "compte_desactive", "fournisseur": "dev"}
    assert session.scalar(select(Account.derniere_connexion_at).where(Account.id == account.id)) is not None


def test_the_retention_purge_deletes_old_journal_lines_and_ended_sessions(session, session_cookie, settings):
    session_cookie("admin")
    old = record_sign_in(session, account_id=None, email="x@example.fr", ip="10.0.0.1", outcome="refusee")
    recent = record_sign_in(session, account_id=None, email="y@example.fr", ip="10.0.0.2", outcome="refusee")
    old.created_at = utcnow() - timedelta(days=settings.audit_retention_days + 1)
    session.flush()
    assert purge_journal(session, now=utcnow(), retention_days=settings.audit_retention_days) == 1
    assert session.scalars(select(AccessEvent.id)).all() == [recent.id]
    old = record_sign_in(session, account_id=None, email="x@example.fr", ip="10.0.0.1", outcome="refusee")
    old.created_at = utcnow() - timedelta(days=settings.audit_retention_days + 1)
    age(session, last_seen_at=settings.session_idle_s + 1)
    summary = purge_audit(session, settings, utcnow())  # the scheduled job
    assert "1 ligne(s) du journal des accès" in summary and "1 session(s) terminée(s)" in summary
    assert session.scalars(select(WebSession.id)).all() == []
