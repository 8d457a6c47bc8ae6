"""The tables of authentication: machines' tokens, people's accounts, their web sessions and the access journal.

Secrets are never stored: a token as its HMAC-SHA256 (keyed by TOKEN_SECRET), a session cookie and an invitation
link as their SHA-256 (both are 256-bit random values, so a plain hash is enough)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime, utcnow


class ApiToken(Base):
    """A bearer token: only its HMAC-SHA256 is stored, never the token itself.

    `acces` is `ecriture` (every method the role allows) or `lecture` (GET only); `compte_id` names the person who
    made a personal token (null for tokens of `mjpm token create`): a disabled account's tokens stop working.
    `expires_at` is null only for tokens created before expiries existed (the migration gave them one year)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    nom: Mapped[str | None] = mapped_column(String(200))
    tribunal_id: Mapped[int | None] = mapped_column(ForeignKey("tribunal.id"))
    departement: Mapped[str | None] = mapped_column(String(3))
    region: Mapped[str | None] = mapped_column(String(2))
    mandataire_id: Mapped[int | None] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acces: Mapped[str] = mapped_column(String(10), default="ecriture", server_default="ecriture")
    # No foreign key (SQLite cannot add one to the existing table): accounts are never deleted, and a token whose
    # account is missing or not active is refused.
    compte_id: Mapped[int | None] = mapped_column(index=True)


class Account(Base):
    """A person: e-mail (lower-case, unique), names, one role and its scope, and a state (`etat`):
    `invite` (created, invitation sent) → `actif` (invitation used or first sign-in) → `desactive` (and back).

    Scope by role, as for tokens: magistrat and greffier a tribunal; agent a département, a région or neither
    (national); mandataire their professional's record (`siret` copied from it: the white list, see
    `app.auth.accounts.account_for_sign_in`); admin national."""

    __tablename__ = "compte"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    nom: Mapped[str] = mapped_column(String(100))
    prenom: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    tribunal_id: Mapped[int | None] = mapped_column(ForeignKey("tribunal.id"))
    departement: Mapped[str | None] = mapped_column(String(3))
    region: Mapped[str | None] = mapped_column(String(2))
    mandataire_id: Mapped[int | None] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"))
    siret: Mapped[str | None] = mapped_column(String(14), index=True)
    etat: Mapped[str] = mapped_column(String(10))
    invitation_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invitation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    derniere_connexion_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser: the SHA-256 of its cookie's secret, its account, when it began and was last used.

    It ends at sign-out (row deleted), after SESSION_IDLE_S without use or SESSION_ABSOLUTE_S after `created_at`,
    and when its account is disabled (rows deleted). `id_token_hint` keeps the OpenID provider's ID token for its
    sign-out (RP-initiated logout)."""

    __tablename__ = "session_compte"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    compte_id: Mapped[int] = mapped_column(ForeignKey("compte.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fournisseur: Mapped[str] = mapped_column(String(20))
    id_token_hint: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class AccessEvent(Base):
    """The access journal: every sign-in (accepted or refused), sign-out, account change and token issued or
    revoked; who (`acteur_*`), on what (`compte_id`, `jeton_id`), from which address, when. Kept as long as the
    audit (AUDIT_RETENTION_DAYS, `mjpm audit purge`). `email` is the address a refused sign-in tried."""

    __tablename__ = "journal_acces"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(30))
    compte_id: Mapped[int | None] = mapped_column(ForeignKey("compte.id", ondelete="SET NULL"), index=True)
    jeton_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    acteur_compte_id: Mapped[int | None] = mapped_column(ForeignKey("compte.id", ondelete="SET NULL"))
    acteur_jeton_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(254))
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
