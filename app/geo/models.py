"""Reference tables kept in the database so that other tables can point at them with foreign keys."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base


class Tribunal(Base):
    __tablename__ = "tribunal"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    nom: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(30))
    insee: Mapped[str] = mapped_column(String(5))
    departement: Mapped[str] = mapped_column(String(3), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
