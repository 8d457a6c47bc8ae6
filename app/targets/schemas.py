from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.geo.constants import DEPARTEMENT_PATTERN
from app.targets.constants import Indicateur
from app.types import DateISO, Texte


class ObjectifIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    departement: str = Field(pattern=DEPARTEMENT_PATTERN, description="Code du département")
    indicateur: Indicateur
    cible: int = Field(ge=0, le=1_000_000, description="Valeur visée à l'échéance")
    echeance: DateISO = Field(description="Date à laquelle la cible doit être atteinte")
    date_initiale: DateISO | None = Field(
        default=None, description="Point de départ de la trajectoire (état des lieux) ; par défaut aujourd'hui"
    )
    valeur_initiale: int | None = Field(
        default=None, ge=0, le=1_000_000, description="Valeur au point de départ ; par défaut celle du registre"
    )
    libelle: Texte | None = Field(default=None, max_length=200, description="Intitulé de l'objectif dans le schéma")


class ObjectifOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    departement: str
    indicateur: Indicateur
    cible: int
    echeance: date
    date_initiale: date
    valeur_initiale: int
    libelle: str | None
    created_at: datetime
