from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime, utcnow


class Reservation(Base):
    """A judge's reservation of a professional for a new measure. While pending, its measure (`en_attente`)
    holds a place; a refusal, cancellation or expiry deletes that measure and so releases the place, while the
    reservation keeps the story.

    A transfer's reservation names a measure in progress that stays with the professional handing it over until
    the new one accepts; meanwhile the reservation itself holds the place at the new professional
    (`poids_transfert`, see app.registry.load). A measure may so have several reservations over its life."""

    __tablename__ = "reservation"
    __table_args__ = (UniqueConstraint("token_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mesure_id: Mapped[int | None] = mapped_column(ForeignKey("mesure.id", ondelete="SET NULL"), index=True)
    match_id: Mapped[str | None] = mapped_column(ForeignKey("match_request.id", ondelete="SET NULL"), index=True)
    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    tribunal_id: Mapped[int] = mapped_column(ForeignKey("tribunal.id"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    numero_rg: Mapped[str] = mapped_column(String(30))
    nature: Mapped[str] = mapped_column(String(40))
    statut: Mapped[str] = mapped_column(String(20), index=True)
    cabinet: Mapped[str | None] = mapped_column(String(50))
    date_jugement_prevue: Mapped[date | None] = mapped_column(Date)
    urgence: Mapped[bool] = mapped_column(Boolean, default=False)
    famille: Mapped[str] = mapped_column(String(40))
    famille_motif: Mapped[str | None] = mapped_column(Text)
    hors_liste: Mapped[bool] = mapped_column(Boolean, default=False)
    # A transfer's reservation moves an existing measure: where it came from, so that a refusal, a cancellation
    # or an expiry gives it back instead of deleting it.
    ancien_mandataire_id: Mapped[int | None] = mapped_column(ForeignKey("mandataire.id"))
    ancien_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    # The weight of the place a pending transfer holds at the new professional (the measure's when it was sent).
    poids_transfert: Mapped[float | None] = mapped_column(Float)
    justification: Mapped[str | None] = mapped_column(Text)
    motif_refus: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class ReservationsAnnee(Base):
    """Reservations answered in a year (accepted, refused, expired) per département of their tribunal, type of
    professional and nature: counted as the answers are given (`app.designation.answers`)."""

    __tablename__ = "reservations_annee"
    # Every column, in the order the yearly table groups them: SQLite sums them from the index alone, in order,
    # instead of sorting the rows it looks up one by one.
    __table_args__ = (
        Index("ix_reservations_annee_territoire", "departement", "type", "annee", "statut", "nature", "reservations"),
    )

    departement: Mapped[str] = mapped_column(String(3), primary_key=True)
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    nature: Mapped[str] = mapped_column(String(40), primary_key=True)
    annee: Mapped[int] = mapped_column(Integer, primary_key=True)
    statut: Mapped[str] = mapped_column(String(20), primary_key=True)
    reservations: Mapped[int] = mapped_column(Integer, default=0)


class ReservationsMois(Base):
    """Reservations answered in a month (by the first day of the month of `answered_at`, in UTC) per tribunal and
    type of professional, one column per answer: counted as the answers are given (`app.designation.answers`), for
    the flux table."""

    __tablename__ = "reservations_mois"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered on its key, months first: a period is one range

    mois: Mapped[date] = mapped_column(Date, primary_key=True)
    tribunal_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    acceptees: Mapped[int] = mapped_column(Integer)
    refusees: Mapped[int] = mapped_column(Integer)
    expirees: Mapped[int] = mapped_column(Integer)


class DelaiAcceptation(Base):
    """The histogram of the acceptance delays of a month, per tribunal and type of professional: how many
    reservations accepted in the month waited `dixiemes` tenths of a day (rounded) between their creation and
    their acceptance. The flux table takes its medians from it (`app.designation.answers`)."""

    __tablename__ = "delai_acceptation"
    __table_args__ = {"sqlite_with_rowid": False}

    mois: Mapped[date] = mapped_column(Date, primary_key=True)
    tribunal_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    dixiemes: Mapped[int] = mapped_column(Integer, primary_key=True)
    reservations: Mapped[int] = mapped_column(Integer)


class DelaiAcceptationNational(Base):
    """The same histogram summed over every tribunal: the national flux table reads it, a few rows per month,
    instead of the per-tribunal histogram, which has nearly one row per accepted reservation."""

    __tablename__ = "delai_acceptation_national"
    # Keyed (month, tenths, type): the medians' sums per (month, tenths) read the rows in order.
    __table_args__ = {"sqlite_with_rowid": False}

    mois: Mapped[date] = mapped_column(Date, primary_key=True)
    dixiemes: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    reservations: Mapped[int] = mapped_column(Integer)
