"""The simulation's request and answer, in French (API and command line share them)."""

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from app.matching.schemas import WeightsIn

StrategieCode = Literal["moteur", "places_libres", "plus_proche", "frontiere"]
STRATEGIES_DESCRIPTION = (
    "moteur : le moteur de classement avec les poids en vigueur ; places_libres : e-MJPM, liste, plus de places "
    "libres d'abord ; plus_proche : e-MJPM, carte, plus proche d'abord ; frontiere : plus proche ayant de la place"
)


class SimulationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    annees: int = Field(1, ge=1, le=10, description="Nombre d'années simulées")
    arrivees: int | None = Field(
        None, ge=1, le=100_000, description="Nouvelles mesures la première année ; par défaut, celles de l'an passé"
    )
    croissance: float = Field(0.0, ge=-0.5, le=1.0, description="Croissance annuelle des arrivées (0,03 : 3 %)")
    graine: int = Field(1, ge=0, le=2**31 - 1, description="Graine du tirage : même graine, mêmes arrivées")
    strategies: list[StrategieCode] = Field(
        default_factory=lambda: list(get_args(StrategieCode)),
        min_length=1,
        max_length=4,
        description=STRATEGIES_DESCRIPTION,
    )
    poids: WeightsIn | None = Field(None, description="Poids d'une stratégie « moteur » supplémentaire, à comparer")


class ResultatDepartement(BaseModel):
    departement: str
    arrivees: int
    designations: int
    distance_moyenne_km: float | None
    au_dela_capacite: int
    sans_candidat: int


class Resultat(BaseModel):
    strategie: str
    libelle: str
    arrivees: int
    designations: int
    distance_moyenne_km: float | None
    distance_p90_km: float | None
    au_dela_capacite: int = Field(description="Désignations d'un professionnel déjà complet")
    sans_candidat: int = Field(description="Mesures sans aucun professionnel éligible")
    gini_occupation: float | None = Field(description="Indice de Gini de l'occupation (charge / capacité) à la fin")
    p90_p10_occupation: float | None = Field(description="Rapport des 9e et 1er déciles de l'occupation à la fin")
    occupation_moyenne: float | None
    part_par_exercice: dict[str, float]
    par_departement: list[ResultatDepartement]


class Hypotheses(BaseModel):
    annees: int
    arrivees_par_an: list[int]
    croissance: float
    graine: int
    taux_cloture_annuel: float = Field(description="Part des mesures en cours qui se terminent dans l'année")
    debut: str
    professionnels: int = Field(description="Professionnels pouvant recevoir une mesure du territoire")


class SimulationOut(BaseModel):
    territoire: list[str] = Field(description="Départements simulés")
    hypotheses: Hypotheses
    resultats: list[Resultat]
