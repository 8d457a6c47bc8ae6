"""ORM models of the vendors, their authorization codes and tokens, and the log of their calls.

Secrets are stored as HMAC-SHA256 hashes under `TOKEN_SECRET` (as API tokens are), never in clear: the client
secret, the authorization codes, the access and refresh tokens."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime, utcnow


class Editeur(Base):
    """A vendor, an OAuth2 client: its client id is its id (as in e-MJPM)."""

    __tablename__ = "editeur"

    id: Mapped[int] = mapped_column(primary_key=True)
    nom: Mapped[str] = mapped_column(String(200), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    actif: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class EditeurCode(Base):
    """An authorization code a professional gave a vendor; used once (`used_at`), within VENDOR_CODE_S."""

    __tablename__ = "editeur_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    editeur_id: Mapped[int] = mapped_column(ForeignKey("editeur.id", ondelete="CASCADE"), index=True)
    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str | None] = mapped_column(String(2000))
    scope: Mapped[str | None] = mapped_column(String(200))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # What authlib's authorization-code grant reads (AuthorizationCodeMixin).
    def get_redirect_uri(self) -> str | None:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope or ""


class EditeurJeton(Base):
    """An access token (and its refresh token) of a vendor acting for a professional."""

    __tablename__ = "editeur_jeton"

    id: Mapped[int] = mapped_column(primary_key=True)
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    editeur_id: Mapped[int] = mapped_column(ForeignKey("editeur.id", ondelete="CASCADE"))
    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), index=True)
    # The code it was issued for (a replayed code revokes its tokens), kept through refreshes.
    code_id: Mapped[int | None] = mapped_column(ForeignKey("editeur_code.id", ondelete="SET NULL"), index=True)
    scope: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index(None, "editeur_id", "mandataire_id"),)

    # What authlib's refresh-token grant and revocation endpoint read (TokenMixin).
    def check_client(self, client) -> bool:
        return client.editeur.id == self.editeur_id

    def get_scope(self) -> str:
        return self.scope or ""


class EditeurAppel(Base):
    """One call of a vendor to the API: who, for whom, which route (its template), the answer's status and time;
    never a payload, a query string or a token. Purged with the audit retention."""

    __tablename__ = "editeur_appel"

    id: Mapped[int] = mapped_column(primary_key=True)
    editeur_id: Mapped[int] = mapped_column(ForeignKey("editeur.id", ondelete="CASCADE"))
    mandataire_id: Mapped[int | None] = mapped_column(ForeignKey("mandataire.id", ondelete="SET NULL"))
    methode: Mapped[str] = mapped_column(String(10))
    route: Mapped[str] = mapped_column(String(200))
    statut: Mapped[int] = mapped_column(SmallInteger)
    duree_ms: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index(None, "editeur_id", "created_at"), Index(None, "created_at"))
