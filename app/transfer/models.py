from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base, UTCDateTime, utcnow


class Transfert(Base):
    """A plan to hand a professional's measures (all, one antenne's, or a selection) over to others."""

    __tablename__ = "transfert"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    motif: Mapped[str] = mapped_column(String(30))
    statut: Mapped[str] = mapped_column(String(20), index=True)
    cout_total: Mapped[float] = mapped_column(Float)
    sans_proposition: Mapped[int] = mapped_column(Integer)
    parametres: Mapped[dict] = mapped_column(JSON, default=dict)

    mesures: Mapped[list["TransfertMesure"]] = relationship(
        back_populates="transfert", order_by="TransfertMesure.id", lazy="selectin", cascade="all, delete-orphan"
    )


class TransfertMesure(Base):
    """One measure of a plan: the proposal, its alternatives, and the judge's decision. `ouvert` is true while
    the plan is open and NULL afterwards, so that a measure belongs to one open plan at most (NULLs never
    collide in a unique constraint, on SQLite and PostgreSQL alike)."""

    __tablename__ = "transfert_mesure"
    __table_args__ = (UniqueConstraint("mesure_id", "ouvert"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transfert_id: Mapped[int] = mapped_column(ForeignKey("transfert.id", ondelete="CASCADE"), index=True)
    mesure_id: Mapped[int] = mapped_column(ForeignKey("mesure.id", ondelete="CASCADE"))
    ouvert: Mapped[bool | None] = mapped_column(Boolean)
    tribunal_id: Mapped[int] = mapped_column(ForeignKey("tribunal.id"), index=True)
    mesure_version: Mapped[int] = mapped_column(Integer)  # to tell, at confirmation, that it changed since
    proposition: Mapped[dict | None] = mapped_column(JSON)
    alternatives: Mapped[list] = mapped_column(JSON, default=list)
    motif_sans_proposition: Mapped[str | None] = mapped_column(String(40))
    exclusions: Mapped[dict] = mapped_column(JSON, default=dict)
    decision: Mapped[str] = mapped_column(String(20))
    choix_mandataire_id: Mapped[int | None] = mapped_column(ForeignKey("mandataire.id"))
    choix_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    justification: Mapped[str | None] = mapped_column(String(500))
    refus: Mapped[list] = mapped_column(JSON, default=list)  # professionals who declined (or let it expire)
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservation.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    transfert: Mapped[Transfert] = relationship(back_populates="mesures")
