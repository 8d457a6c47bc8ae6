"""API shapes of the vendors (éditeurs): registration by administrators, the professionals' approvals, the call log."""

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field

from app.registry.schemas import Model, OutModel
from app.types import Texte, Version

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _redirect_uri(value: str) -> str:
    """An absolute https address without fragment (RFC 6749 §3.1.2); plain http only on the machine itself, for a
    vendor's development (e-MJPM's own tests use http://localhost:3001)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError("adresse de retour invalide") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("adresse de retour absolue attendue (https://...)")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise ValueError("adresse de retour en https obligatoire (http seulement pour localhost)")
    if parts.fragment or "#" in value:
        raise ValueError("adresse de retour sans fragment (#) attendue")
    if any(c.isspace() for c in value):
        raise ValueError("adresse de retour sans espace attendue")
    return value


RedirectUri = Annotated[str, Field(min_length=8, max_length=2000), AfterValidator(_redirect_uri)]
RedirectUris = Annotated[list[RedirectUri], Field(min_length=1, max_length=10)]
Nom = Annotated[Texte, Field(min_length=1, max_length=200)]


class EditeurCreate(Model):
    nom: Nom
    redirect_uris: RedirectUris


class EditeurUpdate(Model):
    version: Version
    nom: Nom | None = None
    redirect_uris: RedirectUris | None = None
    actif: bool | None = Field(default=None, description="false : l'éditeur ne peut plus rien (ses jetons refusés)")


class EditeurOut(OutModel):
    id: int
    client_id: str = Field(description="Identifiant client OAuth2 (l'id de l'éditeur, comme e-MJPM)")
    nom: str
    redirect_uris: list[str]
    actif: bool
    created_at: datetime
    updated_at: datetime
    version: int


class EditeurSecret(EditeurOut):
    client_secret: str = Field(description="Secret client, montré cette seule fois (seule son empreinte est gardée)")


class AppelOut(OutModel):
    id: int
    editeur_id: int
    mandataire_id: int | None
    methode: str
    route: str = Field(description="Modèle de la route appelée, jamais ses valeurs")
    statut: int
    duree_ms: int
    created_at: datetime


class AutorisationOut(BaseModel):
    """A vendor a professional approved, while one of its tokens is valid."""

    editeur_id: int
    nom: str
    accordee_le: datetime = Field(description="Date du jeton en cours (dernière autorisation ou rafraîchissement)")
    acces_expire_le: datetime
