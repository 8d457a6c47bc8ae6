"""The simulation's request and answer, in French (API and command line share them)."""

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from app.geo.constants import INSEE_PATTERN
from app.matching.schemas import WeightsIn
from app.types import Id

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


class ResultatRegion(BaseModel):
    region: str
    arrivees: int
    designations: int
    distance_moyenne_km: float | None = Field(description="Moyenne des départements pondérée par leurs désignations")
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
    par_region: list[ResultatRegion]


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


# --- scenarios and "where to add" ---------------------------------------------------------------------------

ExerciceAjoute = Literal["individuel", "service"]


class AjoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    insee: str = Field(pattern=INSEE_PATTERN, description="Code INSEE de la commune où le professionnel s'installe")
    capacite: int = Field(ge=1, le=1000, description="Mesures qu'il peut prendre")
    exercice: ExerciceAjoute = Field("individuel", description="individuel (MI) ou service")
    nombre: int = Field(1, ge=1, le=50, description="Combien de professionnels identiques")


class PlafondIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mandataire_id: Id
    capacite: int = Field(ge=0, le=10_000, description="Nouvelle capacité déclarée")


class ScenarioIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ajouts: list[AjoutIn] = Field(default_factory=list, max_length=100)
    retraits: list[Id] = Field(
        default_factory=list, max_length=500, description="Identifiants des professionnels retirés"
    )
    plafonds: list[PlafondIn] = Field(default_factory=list, max_length=500)
    croissance: float | None = Field(
        None, ge=-0.5, le=1.0, description="Autre croissance annuelle des arrivées ; par défaut, celle de la simulation"
    )


def _one_strategy() -> "SimulationIn":
    return SimulationIn(strategies=["moteur"])


class ComparaisonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    simulation: SimulationIn = Field(
        default_factory=_one_strategy, description="La simulation, la même pour l'offre actuelle et le scénario"
    )
    scenario: ScenarioIn


class Simulee(BaseModel):
    hypotheses: Hypotheses
    resultats: list[Resultat]


class ComparaisonOut(BaseModel):
    territoire: list[str]
    scenario: ScenarioIn
    actuel: Simulee = Field(description="L'offre actuelle")
    modifie: Simulee = Field(description="L'offre du scénario")


class ImplantationsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nombre: int = Field(3, ge=1, le=10, description="Nombre de nouveaux professionnels à implanter")
    capacite: int = Field(40, ge=1, le=1000, description="Capacité de chacun")
    exercice: ExerciceAjoute = Field("individuel", description="individuel (MI) ou service")
    norme_km: float = Field(
        70.0, ge=5, le=300, description="Distance de référence : rayon des nouveaux et de ceux qui n'en déclarent pas"
    )
    simulation: SimulationIn = Field(default_factory=_one_strategy, description="La simulation de l'effet")


class Implantation(BaseModel):
    insee: str
    commune: str
    departement: str
    couvertes: float = Field(description="Arrivées sans candidat dans la norme qu'il prendrait")
    gain_km: float = Field(description="Kilomètres économisés sur les arrivées qu'il prendrait à d'autres")


class Affectation(BaseModel):
    sans_candidat_dans_la_norme: float = Field(
        description="Arrivées d'un an sans place libre à distance de référence, dans la meilleure répartition"
    )
    couvertes: float
    distance_moyenne_km: float | None


class HypothesesImplantation(BaseModel):
    nombre: int
    capacite: int
    exercice: ExerciceAjoute
    norme_km: float
    arrivees: int = Field(description="Arrivées d'un an, réparties selon la population des communes")
    professionnels: int = Field(description="Professionnels pouvant prendre la mesure d'une personne à domicile")


class ImplantationsOut(BaseModel):
    territoire: list[str]
    hypotheses: HypothesesImplantation
    implantations: list[Implantation]
    avant: Affectation
    apres: Affectation
    scenario: ScenarioIn = Field(description="Le scénario des implantations proposées, à comparer ou à modifier")
    effet: ComparaisonOut = Field(description="La simulation avant et après")
