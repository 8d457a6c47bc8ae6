from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.auth.constants import AccountState, Role
from app.types import Id, Texte

# An address as people type it: one @, no spaces; the service compares it lower-case.
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Nom = Annotated[Texte, Field(min_length=1, max_length=100)]


class ScopeIn(BaseModel):
    """A role and its scope: magistrat and greffier `tribunal` (SIRET or code); agent `departement`, `region` or
    neither (national); mandataire `mandataire` (the professional's id); admin nothing."""

    role: Role
    tribunal: Annotated[Texte, Field(max_length=20)] | None = None
    departement: Annotated[Texte, Field(max_length=3)] | None = None
    region: Annotated[Texte, Field(max_length=2)] | None = None
    mandataire: Id | None = None


class CompteCreate(ScopeIn):
    model_config = ConfigDict(extra="forbid")

    email: Email
    nom: Nom
    prenom: Nom


class CompteUpdate(BaseModel):
    """Changes to an account; `role` with its scope replaces the whole scope (the account's sessions end)."""

    model_config = ConfigDict(extra="forbid")

    email: Email | None = None
    nom: Nom | None = None
    prenom: Nom | None = None
    perimetre: ScopeIn | None = None


class CompteOut(BaseModel):
    id: int
    email: str
    nom: str
    prenom: str
    role: Role
    tribunal: int | None
    departement: str | None
    region: str | None
    mandataire: int | None
    siret: str | None
    etat: AccountState
    invitation_expire_le: datetime | None
    created_at: datetime
    updated_at: datetime
    derniere_connexion_at: datetime | None


class ComptePage(BaseModel):
    total: int
    items: list[CompteOut]


class MembreOut(BaseModel):
    """A person who acts for a professional's record (a service's staff): what the service's space shows."""

    id: int
    prenom: str
    nom: str
    email: str
    etat: AccountState
    derniere_connexion_at: datetime | None
