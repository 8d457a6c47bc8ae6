from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime, utcnow


class DepartementWeights(Base):
    """Weights of the score set by an administrator for one département (default: settings)."""

    __tablename__ = "departement_weights"

    departement: Mapped[str] = mapped_column(String(3), primary_key=True)
    poids: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))


class MatchRecord(Base):
    """A match request and the answer shown, kept for audit and for the reservation step."""

    __tablename__ = "match_request"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    tribunal_id: Mapped[int] = mapped_column(ForeignKey("tribunal.id"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    engine_version: Mapped[str] = mapped_column(String(20))
    demande: Mapped[dict] = mapped_column(JSON)
    reponse: Mapped[dict] = mapped_column(JSON)


class RegistryVersion(Base):
    """One row whose counter moves with every change to what the matching index holds (profiles, weights; not
    the load): every worker compares it per request and rebuilds its index when it moved."""

    __tablename__ = "registry_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
