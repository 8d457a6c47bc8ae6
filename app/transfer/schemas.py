from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.transfer.constants import Decision, MotifTransfert, StatutTransfert
from app.types import Id as Identifiant


class TransfertCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mandataire: Identifiant = Field(description="Le professionnel dont les mesures sont transférées")
    antenne: Identifiant | None = Field(default=None, description="Seulement les mesures de cette antenne")
    mesures: list[Identifiant] | None = Field(
        default=None, max_length=5000, description="Seulement ces mesures (sinon toutes ses mesures en cours)"
    )
    motif: MotifTransfert


class PropositionOut(BaseModel):
    mandataire_id: int
    nom: str
    type: str
    site_id: int | None
    site_nom: str | None
    distance_km: float | None
    cout: float = Field(description="Coût de la proposition (0 = idéale), hors occupation")
    explication: str


class TransfertMesureOut(BaseModel):
    mesure_id: int
    numero_rg: str
    tribunal: str
    nature: str
    decision: Decision
    proposition: PropositionOut | None
    alternatives: list[PropositionOut]
    motif_sans_proposition: str | None = Field(description="Pourquoi personne n'est proposé")
    exclusions: dict[str, int] = Field(description="Professionnels écartés par règle, comme /match")
    choix_mandataire_id: int | None
    refus: list[int] = Field(description="Professionnels qui ont décliné cette mesure")
    reservation_id: int | None


class TransfertOut(BaseModel):
    id: int
    created_at: datetime
    mandataire_id: int
    antenne_id: int | None
    motif: MotifTransfert
    statut: StatutTransfert
    cout_total: float
    nombre_mesures: int
    sans_proposition: int
    parametres: dict
    mesures: list[TransfertMesureOut]


class ChoixIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mandataire: Identifiant
    antenne: Identifiant | None = None
    justification: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)] | None = None


class ConfirmationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mesures: list[Identifiant] = Field(min_length=1, max_length=5000)
