from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.auth.constants import Access, Role
from app.types import DateISO, Texte


class JetonCreate(BaseModel):
    """A personal token: the signed-in person's role and scope (an agent may narrow it to one département of their
    territory), read-write or read-only, expiring at `expire_le` (at most TOKEN_EXPIRY_DAYS from today)."""

    model_config = ConfigDict(extra="forbid")

    nom: Annotated[Texte, Field(min_length=1, max_length=200, description="À quoi sert le jeton (logiciel...)")]
    acces: Access = Access.ECRITURE
    expire_le: DateISO | None = None
    departement: Annotated[Texte, Field(max_length=3)] | None = None


class JetonOut(BaseModel):
    id: int
    nom: str | None
    role: Role
    tribunal: int | None
    departement: str | None
    region: str | None
    mandataire: int | None
    acces: Access
    compte: int | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    etat: str = Field(description="actif, expire ou revoque")


class JetonCree(JetonOut):
    jeton: str = Field(description="Le jeton, montré cette seule fois (seule son empreinte est conservée)")


class JetonPage(BaseModel):
    total: int
    items: list[JetonOut]
