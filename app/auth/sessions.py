"""Web sessions: a person signed in to a browser. Every sign-in (OpenID Connect, the development sign-in, an
invitation link) ends with `open_session` and the cookie it returns; sign-out with `close_session`.

Interface for the sign-in flows (they import this module and `app.auth.accounts`, nothing else of auth):

- `open_session(session, *, account, ip, user_agent, provider, id_token_hint=None) -> str`: a new session row for
  an account (`app.auth.accounts.account_for_sign_in` found it), stamps its last sign-in; returns the cookie
  value, to pass to `set_session_cookie`. Record the sign-in with `app.auth.accounts.record_sign_in`.
  The caller commits (a write route: `WriteSessionDep`).
- `close_session(session, value) -> ClosedSession | None`: delete the row of a cookie value; returns its
  account, provider and `id_token_hint` (for the provider's end-session call), None when there was no session.
- `set_session_cookie(response, value, settings, request)` / `clear_session_cookie(response, settings, request)`.
- `session_value(request)`: the cookie value a request carries, if any.

The cookie (`SESSION_COOKIE`) holds a 256-bit random secret; the row keeps only its SHA-256. It is HttpOnly, Secure
over https and in production, and **SameSite=Lax**: the OpenID provider sends the browser back to our callback
with a top-level GET from its own site, and the redirect that follows the callback (to the person's page) is
still part of that cross-site navigation, where a Strict cookie would not be sent (the person would look signed
out until the next click). Lax still withholds the cookie from cross-site POSTs, images and scripts' requests,
and a cookie-authenticated write must carry the `X-Requested-With: mjpm` header besides (`CSRF_HEADER`), which a
cross-site form cannot send: the CSRF protection is unchanged. GET routes change nothing.

A session ends at sign-out, after SESSION_IDLE_S without a request, SESSION_ABSOLUTE_S after sign-in, and as soon
as its account is disabled (`close_account_sessions`). Each worker trusts a checked session for TOKEN_CACHE_S
like a token, and never past its expiry (`Principal.expires_at`); a check records the last use (at most once a
minute), which is what the idle expiry reads.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from app.auth.constants import AccountState
from app.auth.exceptions import NotAuthenticated, SessionExpired
from app.auth.models import Account, WebSession
from app.auth.principal import Principal
from app.auth.service import scoped_principal
from app.config import Settings
from app.database import rowcount, utcnow, write_aside
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal

SESSION_COOKIE = "mjpm_session"
# A session's last use is written at most this often (and at least four times per idle period).
TOUCH_S = 60.0
USER_AGENT_LENGTH = 200  # the column's length


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class ClosedSession:
    account_id: int
    provider: str
    id_token_hint: str | None


def open_session(
    session: Session,
    *,
    account: Account,
    ip: str | None,
    user_agent: str | None,
    provider: str,
    id_token_hint: str | None = None,
    now: datetime | None = None,
) -> str:
    """A new session for an active account; returns the cookie value (shown to the browser only)."""
    now = now or utcnow()
    value = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            secret_hash=hash_secret(value),
            compte_id=account.id,
            created_at=now,
            last_seen_at=now,
            fournisseur=provider,
            id_token_hint=id_token_hint,
            ip=ip,
            user_agent=(user_agent or "")[:USER_AGENT_LENGTH] or None,
        )
    )
    account.derniere_connexion_at = now
    session.flush()
    return value


def close_session(session: Session, value: str) -> ClosedSession | None:
    row = session.scalar(select(WebSession).where(WebSession.secret_hash == hash_secret(value)))
    if row is None:
        return None
    closed = ClosedSession(account_id=row.compte_id, provider=row.fournisseur, id_token_hint=row.id_token_hint)
    session.delete(row)
    session.flush()
    return closed


def close_account_sessions(session: Session, account_id: int) -> int:
    """End every session of an account (disabled, or its role changed); returns how many."""
    return rowcount(session.execute(delete(WebSession).where(WebSession.compte_id == account_id)))


def purge_sessions(session: Session, *, settings: Settings, now: datetime) -> int:
    """Delete the rows of ended sessions (they are refused anyway); the audit purge job calls it."""
    idle = now - timedelta(seconds=settings.session_idle_s)
    absolute = now - timedelta(seconds=settings.session_absolute_s)
    return rowcount(
        session.execute(delete(WebSession).where(or_(WebSession.last_seen_at < idle, WebSession.created_at < absolute)))
    )


_SESSION = (
    select(
        WebSession.id,
        WebSession.created_at,
        WebSession.last_seen_at,
        Account.id.label("account_id"),
        Account.etat,
        Account.role,
        Account.tribunal_id,
        Account.departement,
        Account.region,
        Account.mandataire_id,
        Tribunal.departement.label("tribunal_departement"),
    )
    .join(Account, Account.id == WebSession.compte_id)
    .outerjoin(Tribunal, Tribunal.id == Account.tribunal_id)
    .where(WebSession.secret_hash == bindparam("secret_hash"))
)


def session_expired() -> NotAuthenticated:
    return SessionExpired("session expirée : reconnectez-vous")


def authenticate_session(
    session: Session, *, value: str, settings: Settings, gazetteer: Gazetteer, now: datetime | None = None
) -> Principal:
    """The person a session cookie names; raises NotAuthenticated for an unknown, ended or expired session, or
    an account that is no longer active. Records the session's last use (a short write, at most once a minute)."""
    now = now or utcnow()
    row = session.connection().execute(_SESSION, {"secret_hash": hash_secret(value)}).first()
    if row is None or row.etat != AccountState.ACTIF:
        raise NotAuthenticated("session inconnue ou terminée : reconnectez-vous")
    absolute_end = row.created_at + timedelta(seconds=settings.session_absolute_s)
    idle_end = row.last_seen_at + timedelta(seconds=settings.session_idle_s)
    if now >= absolute_end or now >= idle_end:
        raise session_expired()
    if (now - row.last_seen_at).total_seconds() >= min(TOUCH_S, settings.session_idle_s / 4):
        with write_aside(session):
            session.execute(update(WebSession).where(WebSession.id == row.id).values(last_seen_at=now))
    return scoped_principal(
        gazetteer,
        row,
        token_id=None,
        account_id=row.account_id,
        # A worker's cached check never outlives the session's idle or absolute end.
        expires_at=min(absolute_end, now + timedelta(seconds=settings.session_idle_s)),
    )


def client_ip(request: Request) -> str | None:
    """The caller's address, for the access journal (uvicorn puts there the X-Forwarded-For of trusted proxies)."""
    return request.client.host if request.client else None


def session_value(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def _secure(settings: Settings, request: Request) -> bool:
    return request.url.scheme == "https" or settings.environment == "production"


def set_session_cookie(response: Response, value: str, settings: Settings, request: Request) -> None:
    """The cookie lives as long as the session may (its absolute expiry); the server decides before that."""
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=int(settings.session_absolute_s),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(settings, request),
    )


def clear_session_cookie(response: Response, settings: Settings, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(settings, request))
