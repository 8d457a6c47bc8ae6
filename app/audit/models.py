from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """Who did what, when and why, on a designation. Match requests are kept whole in `match_request`."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(20))
    match_id: Mapped[str | None] = mapped_column(String(36), index=True)
    reservation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    tribunal_id: Mapped[int | None] = mapped_column(ForeignKey("tribunal.id"))
    mandataire_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
