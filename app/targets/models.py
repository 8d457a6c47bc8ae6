"""The regional schéma's targets, one row per département, indicator and deadline."""

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime, utcnow


class Objectif(Base):
    __tablename__ = "objectif"
    __table_args__ = (UniqueConstraint("departement", "indicateur", "echeance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    departement: Mapped[str] = mapped_column(String(3), index=True)
    indicateur: Mapped[str] = mapped_column(String(40))
    cible: Mapped[int] = mapped_column(Integer)
    echeance: Mapped[date] = mapped_column(Date)
    # The starting point of the trajectory (the schéma's état des lieux): the value at that date.
    date_initiale: Mapped[date] = mapped_column(Date)
    valeur_initiale: Mapped[int] = mapped_column(Integer)
    libelle: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
