"""API schemas of the registry: French field names, as a French front-end expects them."""

from datetime import date, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from stdnum.fr import siret as siret_number

from app.geo.schemas import InseeCode, Residence
from app.registry.constants import (
    CategorieEtablissement,
    CauseSortie,
    Champ,
    Civilite,
    LieuVie,
    MandataireStatut,
    MandataireType,
    MesureStatut,
    MotifAbsence,
    Nature,
    Pays,
    Specialite,
)


def _valid_siret(value: str) -> str:
    if not siret_number.is_valid(value):
        raise ValueError("SIRET invalide : 14 chiffres dont la clé de contrôle (Luhn) est juste")
    return siret_number.compact(value)


Siret = Annotated[str, AfterValidator(_valid_siret)]
DepartementCode = Annotated[str, StringConstraints(pattern=r"^(\d{2}|2[AB]|97[1-6])$")]
TribunalKey = Annotated[
    str, StringConstraints(min_length=3, max_length=20), Field(description="SIRET ou code du tribunal")
]
Nom = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
NumeroRg = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.\- ]{0,29}$")]
Langue = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=40)]
Finess = Annotated[str, StringConstraints(pattern=r"^(\d{9}|2[AB]\d{7})$")]
Capacite = Annotated[int, Field(ge=0, le=2000)]
YEAR_MIN = 1900
T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- sites, absences, establishments -------------------------------------------------------------


class SiteIn(Model):
    nom: Nom
    insee: InseeCode
    capacite: Capacite | None = Field(default=None, description="Capacité propre de l'antenne, si elle en déclare une")


class SitePatch(Model):
    nom: Nom | None = None
    insee: InseeCode | None = None
    capacite: Capacite | None = None


class AbsenceIn(Model):
    debut: date
    fin: date
    motif: MotifAbsence
    remplacant: int | None = Field(default=None, description="Identifiant du mandataire remplaçant")

    @model_validator(mode="after")
    def fin_after_debut(self) -> "AbsenceIn":
        if self.fin < self.debut:
            raise ValueError("fin : la fin de l'absence précède son début")
        return self


class EtablissementIn(Model):
    finess: Finess
    nom: Nom
    insee: InseeCode
    categorie: CategorieEtablissement
    public: bool
    places_permanentes: Annotated[int, Field(ge=0, le=10000)]


class EtablissementPatch(Model):
    version: int
    nom: Nom | None = None
    insee: InseeCode | None = None
    categorie: CategorieEtablissement | None = None
    public: bool | None = None
    places_permanentes: Annotated[int, Field(ge=0, le=10000)] | None = None


# --- professionals ---------------------------------------------------------------------------------


class MandataireFields(Model):
    """Fields shared by creation and update; their checks live here once."""

    @model_validator(mode="after")
    def coherent(self):
        depuis, jusqu = getattr(self, "statut_depuis", None), getattr(self, "statut_jusqu_au", None)
        if depuis and jusqu and jusqu < depuis:
            raise ValueError("statut_jusqu_au : la fin du statut précède son début")
        return self


class MandataireCreate(MandataireFields):
    type: MandataireType
    dpf: bool = False
    nom: Nom
    siret: Siret | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)] | None = None
    telephone: Annotated[str, StringConstraints(pattern=r"^[0-9 +().-]{6,30}$")] | None = None
    statut: MandataireStatut = MandataireStatut.ACTIF
    statut_depuis: date | None = None
    statut_jusqu_au: date | None = None
    natures: Annotated[list[Nature], Field(min_length=1)]
    departements: Annotated[list[DepartementCode], Field(min_length=1)]
    tribunaux: list[TribunalKey] = Field(default_factory=list, description="Restriction à certains tribunaux")
    sites: list[SiteIn] = Field(default_factory=list)
    etablissements: list[int] = Field(default_factory=list, description="Établissements couverts (préposés)")
    specialites: list[Specialite] = Field(default_factory=list)
    langues: list[Langue] = Field(default_factory=list)
    rayon_km: Annotated[int, Field(ge=1, le=500)] | None = None
    capacite: Capacite
    capacite_autorisee: Capacite | None = None
    accepte_nouvelles_mesures: bool = True
    absences: list[AbsenceIn] = Field(default_factory=list)


class MandataireUpdate(MandataireFields):
    """Partial update; `version` must be the one read (optimistic concurrency: a stale version gets 409)."""

    version: int
    dpf: bool | None = None
    nom: Nom | None = None
    siret: Siret | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)] | None = None
    telephone: Annotated[str, StringConstraints(pattern=r"^[0-9 +().-]{6,30}$")] | None = None
    statut: MandataireStatut | None = None
    statut_depuis: date | None = None
    statut_jusqu_au: date | None = None
    natures: Annotated[list[Nature], Field(min_length=1)] | None = None
    departements: Annotated[list[DepartementCode], Field(min_length=1)] | None = None
    tribunaux: list[TribunalKey] | None = None
    etablissements: list[int] | None = None
    specialites: list[Specialite] | None = None
    langues: list[Langue] | None = None
    rayon_km: Annotated[int, Field(ge=1, le=500)] | None = None
    capacite: Capacite | None = None
    capacite_autorisee: Capacite | None = None
    accepte_nouvelles_mesures: bool | None = None


# Fields of the legal title: only the préfet's agents (and admins) change them, never the professional.
TITLE_FIELDS = frozenset(
    {
        "type",
        "dpf",
        "siret",
        "statut",
        "statut_depuis",
        "statut_jusqu_au",
        "natures",
        "departements",
        "tribunaux",
        "etablissements",
        "capacite_autorisee",
    }
)


class LoadOut(OutModel):
    mesures_en_cours: int
    mesures_en_attente: int
    charge_en_cours: float
    charge_en_attente: float
    places_libres: int | None = Field(
        description="Capacité déclarée − mesures en cours − mesures en attente (peut être négatif)"
    )
    taux_occupation: float | None = Field(description="(en cours + en attente) / capacité déclarée")


class SiteOut(LoadOut):
    id: int
    nom: str
    insee: str
    commune: str
    departement: str
    lat: float
    lon: float
    capacite: int | None


class AbsenceOut(OutModel):
    id: int
    debut: date
    fin: date
    motif: MotifAbsence
    remplacant: int | None


class TribunalRefOut(OutModel):
    code: str
    siret: str | None
    nom: str


class EtablissementOut(OutModel):
    id: int
    finess: str
    nom: str
    insee: str
    departement: str
    lat: float
    lon: float
    categorie: CategorieEtablissement
    public: bool
    places_permanentes: int
    version: int


class MandataireOut(LoadOut):
    id: int
    type: MandataireType
    dpf: bool
    nom: str
    siret: str | None
    email: str | None
    telephone: str | None
    statut: MandataireStatut
    statut_depuis: date | None
    statut_jusqu_au: date | None
    natures: list[Nature]
    departements: list[str]
    tribunaux: list[TribunalRefOut]
    sites: list[SiteOut]
    etablissements: list[EtablissementOut]
    specialites: list[Specialite]
    langues: list[str]
    rayon_km: int | None
    capacite: int
    capacite_autorisee: int | None
    accepte_nouvelles_mesures: bool
    absences: list[AbsenceOut]
    derniere_mise_a_jour: datetime
    version: int


class Page(BaseModel, Generic[T]):
    total: int
    items: list[T]


# --- measures --------------------------------------------------------------------------------------


class MesureFields(Model):
    @model_validator(mode="after")
    def coherent(self):
        start, end = getattr(self, "date_nomination", None), getattr(self, "date_fin_mesure", None)
        if start and end and end < start:
            raise ValueError("date_fin_mesure : la fin de la mesure précède la nomination")
        if getattr(self, "statut", None) == MesureStatut.ETEINTE and not getattr(self, "cause_sortie", None):
            raise ValueError("cause_sortie : obligatoire pour une mesure éteinte")
        year = getattr(self, "annee_naissance", None)
        if year is not None and year > date.today().year - 17:
            raise ValueError("annee_naissance : une mesure de protection des majeurs concerne une personne majeure")
        return self


class MesureCreate(MesureFields):
    mandataire: int | None = Field(default=None, description="Par défaut, le mandataire du jeton")
    site: int | None = None
    tribunal: TribunalKey
    numero_rg: NumeroRg
    numero_dossier: Annotated[str, StringConstraints(max_length=50)] | None = None
    nature: Nature
    champ: Champ | None = None
    lieu_vie: LieuVie
    residence: Residence
    etablissement: int | None = None
    civilite: Civilite | None = None
    annee_naissance: Annotated[int, Field(ge=YEAR_MIN)] | None = None
    date_nomination: date | None = None
    date_fin_mesure: date | None = None
    cause_sortie: CauseSortie | None = None
    statut: MesureStatut = MesureStatut.EN_COURS


class MesureUpdate(MesureFields):
    version: int
    mandataire: int | None = None
    site: int | None = None
    numero_dossier: Annotated[str, StringConstraints(max_length=50)] | None = None
    nature: Nature | None = None
    champ: Champ | None = None
    lieu_vie: LieuVie | None = None
    residence: Residence | None = None
    etablissement: int | None = None
    civilite: Civilite | None = None
    annee_naissance: Annotated[int, Field(ge=YEAR_MIN)] | None = None
    date_nomination: date | None = None
    date_fin_mesure: date | None = None
    cause_sortie: CauseSortie | None = None
    statut: MesureStatut | None = None


class MesureOut(OutModel):
    id: int
    mandataire: int
    site: int | None
    tribunal: TribunalRefOut
    numero_rg: str
    numero_dossier: str | None
    nature: Nature
    champ: Champ | None
    lieu_vie: LieuVie
    pays: Pays
    insee: str | None
    code_postal: str | None
    commune: str | None
    nis: str | None
    departement: str | None
    etablissement: int | None
    civilite: Civilite | None
    annee_naissance: int | None
    date_nomination: date | None
    date_fin_mesure: date | None
    cause_sortie: CauseSortie | None
    statut: MesureStatut
    poids: float
    version: int
    created_at: datetime
    updated_at: datetime
