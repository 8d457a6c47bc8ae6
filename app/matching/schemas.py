"""API schemas of the matching: the request a judge's office sends, the explained shortlist it gets back."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.geo.schemas import Residence
from app.registry.constants import Champ, CodeLangue, LieuVie, MandataireType, Nature, Specialite
from app.registry.schemas import TribunalKey
from app.types import Id


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tribunal: TribunalKey
    nature: Nature
    champ: Champ | None = None
    residence: Residence
    lieu_vie: LieuVie
    etablissement: Id | None = Field(default=None, description="Établissement où vit la personne (préposés)")
    besoins: list[Specialite] = Field(default_factory=list, max_length=20)
    langues: list[CodeLangue] = Field(
        default_factory=list,
        max_length=10,
        description="Langues que le professionnel doit parler (codes ISO 639-1 : nl, de, en...)",
    )
    annee_naissance: Annotated[int, Field(ge=1900, le=2100)] | None = None
    urgence: bool = False
    exclure: list[Id] = Field(default_factory=list, max_length=500, description="Mandataires écartés par le juge")
    limit: Annotated[int, Field(ge=1, le=50)] = 10
    inclure_complets: bool = False
    diversite: bool = True


class ExplainRequest(MatchRequest):
    mandataire: Id


class Composante(BaseModel):
    critere: str
    valeur: float | None = Field(description="Valeur brute (km, part libre, jours...)")
    unite: str
    sous_score: float
    poids: float
    contribution: float = Field(description="poids × sous-score / somme des poids")


class SiteRef(BaseModel):
    id: int
    nom: str
    lat: float
    lon: float
    commune: str | None = Field(default=None, description="Commune du site (son adresse)")
    insee: str | None = None


class MandataireRef(BaseModel):
    id: int
    nom: str
    type: MandataireType
    site_le_plus_proche: SiteRef | None
    telephone: str | None = None
    email: str | None = None


class Candidat(BaseModel):
    mandataire: MandataireRef
    rang: int
    score: float = Field(ge=0, le=1)
    composantes: list[Composante]
    distance_km: float | None
    places_libres: int
    taux_occupation: float | None
    derniere_mise_a_jour: datetime
    ajoute_pour_diversite: bool
    hors_zone_declaree: bool
    donnees_anciennes: bool
    complet: bool
    explication: str


class Exclusions(BaseModel):
    consideres: int = Field(description="Professionnels examinés (tout le registre)")
    eligibles: int
    par_motif: dict[str, int] = Field(description="Nombre de professionnels écartés, par code de motif")
    motifs: dict[str, str] = Field(description="Libellé de chaque code de motif")


class Parametres(BaseModel):
    poids: dict[str, float]
    version_moteur: str
    version_registre: int


class MatchResponse(BaseModel):
    match_id: str
    tribunal: str
    residence: dict
    candidats: list[Candidat]
    exclus: Exclusions
    parametres: Parametres


class Motif(BaseModel):
    code: str
    libelle: str


class ExplainResponse(BaseModel):
    mandataire: int
    nom: str
    retenu: bool = Field(description="Figure dans la liste renvoyée par /match pour cette demande")
    eligible: bool
    motif: str | None = Field(description="Code du premier motif d'exclusion (celui compté par /match), s'il y en a")
    motifs: list[Motif] = Field(description="Toutes les règles que le professionnel ne remplit pas, dans l'ordre")
    message: str
    candidat: Candidat | None = Field(description="Composantes du score, quand les règles d'éligibilité sont remplies")


class WeightsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    distance: float = Field(ge=0, le=1)
    capacite: float = Field(ge=0, le=1)
    profil: float = Field(ge=0, le=1)
    fraicheur: float = Field(ge=0, le=1)
    equite: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def not_all_zero(self) -> "WeightsIn":
        if not any(self.model_dump().values()):
            raise ValueError("au moins un poids doit être positif")
        return self


class WeightsOut(WeightsIn):
    departement: str
    source: str = Field(description="« departement » si surchargé par un administrateur, sinon « defaut »")
