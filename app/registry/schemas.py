"""API schemas of the registry: French field names, as a French front-end expects them."""

from datetime import date, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from stdnum.fr import siret as siret_number

from app import labels
from app.geo.constants import DEPARTEMENT_PATTERN
from app.geo.gazetteer import normalize_name
from app.geo.schemas import InseeCode, Residence
from app.registry import rg
from app.registry.constants import (
    FINESS_PATTERN,
    CategorieEtablissement,
    CauseSortie,
    Champ,
    Civilite,
    CodeLangue,
    LieuVie,
    MandataireStatut,
    MandataireType,
    MesureStatut,
    MotifAbsence,
    Nature,
    ResultatRevision,
    Specialite,
    TypeEtablissement,
)
from app.types import DateISO, Id, Texte, Version


def _valid_siret(value: str) -> str:
    if not siret_number.is_valid(value):
        raise ValueError("SIRET invalide : 14 chiffres dont la clé de contrôle (Luhn) est juste")
    return siret_number.compact(value)


Siret = Annotated[str, AfterValidator(_valid_siret)]
DepartementCode = Annotated[str, StringConstraints(pattern=DEPARTEMENT_PATTERN)]
TribunalKey = Annotated[
    Texte, StringConstraints(min_length=3, max_length=20), Field(description="SIRET ou code du tribunal")
]
Nom = Annotated[Texte, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _numero_rg(value: str) -> str:
    normalised = rg.normalize(value)
    if not normalised:
        raise ValueError("numéro RG sans lettre ni chiffre")
    if len(normalised) > 30:
        raise ValueError("numéro RG : au plus 30 lettres et chiffres")
    return normalised


NumeroRg = Annotated[
    Texte,
    StringConstraints(max_length=60),
    AfterValidator(_numero_rg),
    Field(description="Numéro RG ; conservé en majuscules, lettres et chiffres seuls (« 22r-00032 » : 22R00032)"),
]
# Names people give languages beyond their labels: Belgium's Dutch, the usual abbreviation of the sign language.
_LANGUE_ALIASES = {"flamand": CodeLangue.NL, "lsf": CodeLangue.FSL}
_LANGUES = {
    normalize_name(word): str(code)
    for word, code in [
        *((str(code), code) for code in CodeLangue),
        *((name, CodeLangue(code)) for code, name in labels.LANGUES.items()),
        *_LANGUE_ALIASES.items(),
    ]
}


def langue_code(word: str) -> str | None:
    """The ISO 639-1 code of a language given by code or French name, accent- and case-insensitively
    ("Néerlandais", "flamand": "nl"); None when unknown."""
    return _LANGUES.get(normalize_name(word))


def _valid_langue(value: str) -> str:
    code = langue_code(value)
    if code is None:
        raise ValueError(
            "langue inconnue : code ISO 639-1 (nl, de, en...) ou nom français (néerlandais, flamand, allemand...)"
        )
    return code


# A language by its code or French name, stored as its code (once each, in the order given).
Langue = Annotated[Texte, StringConstraints(max_length=40), AfterValidator(_valid_langue)]
Langues = Annotated[
    list[Langue],
    Field(
        max_length=30,
        description="Langues parlées : codes ISO 639-1 (nl, de...) ou noms français (néerlandais, flamand...), "
        "enregistrées en codes",
    ),
    AfterValidator(lambda codes: list(dict.fromkeys(codes))),
]
Finess = Annotated[str, StringConstraints(pattern=FINESS_PATTERN)]
Capacite = Annotated[int, Field(ge=0, le=20000)]
# Why a professional takes no new measure for now, shown to the judges and agents.
MotifNouvellesMesures = Annotated[Texte, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
# No control character (\s covers only some of them).
Email = Annotated[
    str,
    StringConstraints(
        pattern=r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$", max_length=254
    ),
]
NumeroDossier = Annotated[Texte, StringConstraints(max_length=50)]
YEAR_MIN = 1900
T = TypeVar("T")


def not_null(value):
    """For partial updates: an omitted field is left as it is, but null is no value for a required one."""
    if value is None:
        raise ValueError("ne peut pas être null : omettez le champ pour le laisser inchangé")
    return value


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
    debut: DateISO
    fin: DateISO
    motif: MotifAbsence
    remplacant: Id | None = Field(default=None, description="Identifiant du mandataire remplaçant")

    @field_validator("fin")
    @classmethod
    def fin_after_debut(cls, fin: date, info: ValidationInfo) -> date:
        debut = info.data.get("debut")
        if debut is not None and fin < debut:
            raise ValueError("la fin de l'absence précède son début")
        return fin


class EtablissementIn(Model):
    finess: Finess
    nom: Nom
    insee: InseeCode
    categorie: CategorieEtablissement
    public: bool
    places_permanentes: Annotated[int, Field(ge=0, le=10000)]


class EtablissementPatch(Model):
    version: Version
    nom: Nom | None = None
    insee: InseeCode | None = None
    categorie: CategorieEtablissement | None = None
    public: bool | None = None
    places_permanentes: Annotated[int, Field(ge=0, le=10000)] | None = None

    _not_null = field_validator("nom", "insee", "categorie", "public", "places_permanentes")(not_null)


# --- professionals ---------------------------------------------------------------------------------


class MandataireFields(Model):
    """Fields shared by creation and update; their checks live here once."""

    @field_validator("statut_jusqu_au", check_fields=False)
    @classmethod
    def status_end_after_start(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("statut_depuis")
        if start is not None and end is not None and end < start:
            raise ValueError("la fin du statut précède son début")
        return end


class MandataireCreate(MandataireFields):
    type: MandataireType
    dpf: bool = False
    nom: Nom
    siret: Siret | None = None
    email: Email | None = None
    telephone: Annotated[str, StringConstraints(pattern=r"^[0-9 +().-]{6,30}$")] | None = None
    statut: MandataireStatut = MandataireStatut.ACTIF
    statut_depuis: DateISO | None = None
    statut_jusqu_au: DateISO | None = None
    natures: Annotated[list[Nature], Field(min_length=1)]
    departements: Annotated[list[DepartementCode], Field(min_length=1)]
    tribunaux: list[TribunalKey] = Field(default_factory=list, description="Restriction à certains tribunaux")
    sites: list[SiteIn] = Field(default_factory=list)
    etablissements: list[Id] = Field(default_factory=list, description="Établissements couverts (préposés)")
    specialites: list[Specialite] = Field(default_factory=list)
    langues: Langues = Field(default_factory=list)
    rayon_km: Annotated[int, Field(ge=1, le=500)] | None = None
    capacite: Capacite
    capacite_autorisee: Capacite | None = None
    accepte_nouvelles_mesures: bool = True
    absences: list[AbsenceIn] = Field(default_factory=list)


class MandataireUpdate(MandataireFields):
    """Partial update; `version` must be the one read (optimistic concurrency: a stale version gets 409)."""

    version: Version
    dpf: bool | None = None
    nom: Nom | None = None
    siret: Siret | None = None
    email: Email | None = None
    telephone: Annotated[str, StringConstraints(pattern=r"^[0-9 +().-]{6,30}$")] | None = None
    statut: MandataireStatut | None = None
    statut_depuis: DateISO | None = None
    statut_jusqu_au: DateISO | None = None
    natures: Annotated[list[Nature], Field(min_length=1)] | None = None
    departements: Annotated[list[DepartementCode], Field(min_length=1)] | None = None
    tribunaux: list[TribunalKey] | None = None
    etablissements: list[Id] | None = None
    specialites: list[Specialite] | None = None
    langues: Langues | None = None
    rayon_km: Annotated[int, Field(ge=1, le=500)] | None = None
    capacite: Capacite | None = None
    capacite_autorisee: Capacite | None = None
    accepte_nouvelles_mesures: bool | None = None
    motif_nouvelles_mesures: MotifNouvellesMesures | None = Field(
        default=None, description="Pourquoi le mandataire n'accepte pas de nouvelles mesures ; null l'efface"
    )

    _not_null = field_validator(
        "dpf",
        "nom",
        "statut",
        "natures",
        "departements",
        "tribunaux",
        "etablissements",
        "specialites",
        "langues",
        "capacite",
        "accepte_nouvelles_mesures",
    )(not_null)


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
    langues: list[CodeLangue]
    rayon_km: int | None
    capacite: int
    capacite_autorisee: int | None
    accepte_nouvelles_mesures: bool
    motif_nouvelles_mesures: str | None = Field(
        description="Pourquoi le mandataire n'accepte pas de nouvelles mesures (null quand il en accepte)"
    )
    absences: list[AbsenceOut]
    derniere_mise_a_jour: datetime
    version: int


class Page(BaseModel, Generic[T]):
    total: int
    items: list[T]


# --- measures --------------------------------------------------------------------------------------


class MesureFields(Model):
    @field_validator("date_fin_mesure", check_fields=False)
    @classmethod
    def end_after_nomination(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_nomination")
        if start is not None and end is not None and end < start:
            raise ValueError("la fin de la mesure précède la nomination")
        return end

    @field_validator("cause_sortie", check_fields=False)
    @classmethod
    def closed_has_a_cause(cls, cause: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("statut") == MesureStatut.ETEINTE and not cause:
            raise ValueError("obligatoire pour une mesure éteinte")
        return cause

    @field_validator("annee_naissance", check_fields=False)
    @classmethod
    def adult(cls, year: int | None) -> int | None:
        # Someone born in year Y is 18 at the latest on 31 December of Y + 18.
        if year is not None and year > date.today().year - 18:
            raise ValueError("une mesure de protection des majeurs concerne une personne majeure")
        return year


class MesureCreate(MesureFields):
    mandataire: Id | None = Field(default=None, description="Par défaut, le mandataire du jeton")
    site: Id | None = None
    tribunal: TribunalKey
    numero_rg: NumeroRg
    numero_dossier: NumeroDossier | None = None
    nature: Nature
    champ: Champ | None = None
    lieu_vie: LieuVie
    residence: Residence
    etablissement: Id | None = None
    civilite: Civilite | None = None
    annee_naissance: Annotated[int, Field(ge=YEAR_MIN)] | None = None
    date_nomination: DateISO | None = None
    date_fin_mesure: DateISO | None = None
    statut: MesureStatut = MesureStatut.EN_COURS
    cause_sortie: CauseSortie | None = Field(default=None, validate_default=True)


class MesureUpdate(MesureFields):
    version: Version
    mandataire: Id | None = None
    site: Id | None = None
    numero_dossier: NumeroDossier | None = None
    nature: Nature | None = None
    champ: Champ | None = None
    lieu_vie: LieuVie | None = None
    residence: Residence | None = None
    etablissement: Id | None = None
    civilite: Civilite | None = None
    annee_naissance: Annotated[int, Field(ge=YEAR_MIN)] | None = None
    date_nomination: DateISO | None = None
    date_fin_mesure: DateISO | None = None
    statut: MesureStatut | None = None
    cause_sortie: CauseSortie | None = Field(default=None, validate_default=True)

    _not_null = field_validator("nature", "lieu_vie", "statut", "residence")(not_null)


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
    pays: str = Field(description="FR, BE, ou un autre pays (code ISO 3166-1 à 2 lettres)")
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
    date_premier_mesure: date | None
    date_protection_en_cours: date | None
    resultat_revision: ResultatRevision | None
    cabinet: str | None
    type_etablissement: TypeEtablissement | None
    editeur: int | None = Field(
        description="Logiciel métier (éditeur) qui a envoyé la mesure : elle ne se modifie alors que par lui"
    )
    statut: MesureStatut
    poids: float
    version: int
    created_at: datetime
    updated_at: datetime


# --- a service's full-time equivalents ---------------------------------------------------------------------


class EtpIn(Model):
    etp: float = Field(gt=0, le=10_000, description="Équivalents temps plein (ETP) du service pour l'année")


class EtpOut(OutModel):
    annee: int
    etp: float
