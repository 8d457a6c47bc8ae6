"""API schemas of the professionals' routes: availability, bulk measures (e-MJPM's vendor shape), imports."""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    SkipValidation,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from app.errors import ErrorItem, french_message
from app.professionals import labels
from app.registry.constants import CauseSortie, Champ, Civilite, LieuVie, MotifAbsence, Nature, Specialite
from app.registry.schemas import (
    YEAR_MIN,
    AbsenceIn,
    Capacite,
    Langue,
    MandataireOut,
    MesureCreate,
    MesureFields,
    Model,
    NumeroRg,
    TribunalKey,
    not_null,
)
from app.types import DateISO, Id, Texte, Version, plausible_date

LOT_MAX = 1000  # measures per call, as e-MJPM's vendor API

# --- availability ----------------------------------------------------------------------------------


class Avertissement(BaseModel):
    code: str
    message: str


class AbsenceChange(Model):
    id: Id
    debut: DateISO | None = None
    fin: DateISO | None = None
    motif: MotifAbsence | None = None
    remplacant: Id | None = Field(default=None, description="null retire le remplaçant")

    _not_null = field_validator("debut", "fin", "motif")(not_null)


class AbsencesOps(Model):
    ajouter: list[AbsenceIn] = Field(default_factory=list)
    modifier: list[AbsenceChange] = Field(default_factory=list)
    supprimer: list[Id] = Field(default_factory=list, description="Identifiants des absences à retirer")


class AntenneCapacite(Model):
    id: Id = Field(description="Identifiant du site (antenne)")
    capacite: Capacite | None = Field(description="Capacité propre de l'antenne ; null : aucune")


class DisponibiliteUpdate(Model):
    """What a professional declares about its availability. Every call, even with `version` alone (a
    confirmation that nothing changed), stamps `derniere_mise_a_jour`, the freshness the matching weighs."""

    version: Version
    capacite: Capacite | None = None
    accepte_nouvelles_mesures: bool | None = None
    rayon_km: Annotated[int, Field(ge=1, le=500)] | None = Field(default=None, description="null : non précisé")
    specialites: list[Specialite] | None = None
    langues: list[Langue] | None = None
    absences: AbsencesOps | None = None
    antennes: list[AntenneCapacite] | None = None

    _not_null = field_validator(
        "capacite", "accepte_nouvelles_mesures", "specialites", "langues", "absences", "antennes"
    )(not_null)


class DisponibiliteOut(MandataireOut):
    avertissements: list[Avertissement] = Field(
        description="Remarques sur la déclaration (capacité au-dessus des normes régionales...), jamais bloquantes"
    )


class CommuneMesures(BaseModel):
    pays: Literal["FR", "BE"]
    code: str = Field(description="Code INSEE (France) ou NIS (Belgique)")
    commune: str
    departement: str | None
    lat: float
    lon: float
    mesures: int = Field(description="Mesures en cours ou en attente des personnes qui y résident")


class CarteMesures(BaseModel):
    mandataire: int
    communes: list[CommuneMesures] = Field(description="Du plus grand nombre de mesures au plus petit")
    sans_position: int = Field(description="Mesures en cours ou en attente dont la commune n'est pas connue")


# --- one measure in e-MJPM's vendor API shape ------------------------------------------------------

NatureIn = Annotated[Nature, BeforeValidator(labels.nature_code)]
ChampIn = Annotated[Champ, BeforeValidator(labels.champ_code)]
LieuVieIn = Annotated[LieuVie, BeforeValidator(labels.lieu_vie_code)]
CiviliteIn = Annotated[Civilite, BeforeValidator(labels.civilite_code)]
CauseSortieIn = Annotated[CauseSortie, BeforeValidator(labels.cause_sortie_code)]
DateIn = Annotated[date, BeforeValidator(labels.parse_date), AfterValidator(plausible_date)]
Pays = Annotated[Literal["FR", "BE"], BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v)]
# e-MJPM fields this service does not keep (history of states, resources, chamber...): accepted and dropped.
IGNORED_VENDOR_FIELDS = frozenset(
    {
        "id",
        "cabinet",
        "tribunal_cabinet",
        "date_premier_mesure",
        "date_protection_en_cours",
        "resultat_revision",
        "ressources",
        "type_etablissement",
        "etablissement_siret",
        "etats",
    }
)
ETAT_FIELDS = ("nature_mesure", "champ_mesure", "lieu_vie", "code_postal", "ville", "pays")


class MesureLotItem(MesureFields):
    """A measure as e-MJPM's vendor API sent it. Labels are accepted for codes ("Curatelle renforcée",
    "protection_bien_personne", "mesure_ad_hoc"...). On an update, a field left out keeps its value and a field
    sent as null is cleared. Without `statut`, a `cause_sortie` closes the measure and a null one reopens it."""

    numero_rg: NumeroRg
    tribunal_siret: TribunalKey
    nature_mesure: NatureIn
    champ_mesure: ChampIn | None = None
    lieu_vie: LieuVieIn
    pays: Pays | None = Field(default=None, description="Par défaut : BE pour un code postal à 4 chiffres, FR sinon")
    code_postal: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4,5}$")]
    ville: Annotated[Texte, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    civilite: CiviliteIn | None = None
    annee_naissance: Annotated[int, Field(ge=YEAR_MIN)] | None = None
    date_nomination: DateIn | None = None
    date_fin_mesure: DateIn | None = None
    statut: Literal["en_cours", "eteinte"] | None = Field(
        default=None, description="Par défaut : éteinte si cause_sortie est donnée"
    )
    cause_sortie: CauseSortieIn | None = Field(default=None, validate_default=True)
    numero_dossier: Annotated[Texte, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    antenne_id: Id | None = Field(default=None, description="Site (antenne) du mandataire : GET /mandataires/moi")

    @model_validator(mode="before")
    @classmethod
    def flatten_vendor_shape(cls, data: Any) -> Any:
        """e-MJPM kept nature, champ, lieu de vie and residence in `etats` (history): the last state counts."""
        if not isinstance(data, dict) or not IGNORED_VENDOR_FIELDS.intersection(data):
            return data
        etats = data.get("etats")
        flat = {k: v for k, v in data.items() if k not in IGNORED_VENDOR_FIELDS}
        if isinstance(etats, list) and etats and all(isinstance(e, dict) for e in etats):
            last = max(etats, key=lambda e: str(e.get("date_changement_etat") or ""))
            for name in ETAT_FIELDS:
                if name not in flat and last.get(name) not in (None, ""):
                    flat[name] = last[name]
        return flat

    @field_validator("code_postal")
    @classmethod
    def postcode_of_the_country(cls, code: str, info: ValidationInfo) -> str:
        pays = info.data.get("pays")
        if pays == "FR" and len(code) != 5:
            raise ValueError("un code postal français a 5 chiffres")
        if pays == "BE" and len(code) != 4:
            raise ValueError("un code postal belge a 4 chiffres")
        return code


class LotIn(Model):
    mesures: Annotated[
        list[SkipValidation[MesureLotItem]],
        Field(
            description=f"Au plus {LOT_MAX} mesures ; chacune est validée à part (voir `resultats`)",
            json_schema_extra={"maxItems": LOT_MAX},
        ),
    ]


class Motif(BaseModel):
    code: str
    champ: str | None = Field(description="Champ en cause (nom de l'API e-MJPM), s'il y en a un")
    message: str


class LotItemOut(BaseModel):
    index: int = Field(description="Position dans le lot (à partir de 0)")
    numero_rg: str | None
    tribunal_siret: str | None
    resultat: Literal["created", "updated", "unchanged", "rejected"]
    id: int | None = Field(description="Identifiant de la mesure (sauf rejet)")
    motifs: list[Motif] = Field(default_factory=list, description="Pourquoi la mesure est rejetée")
    avertissements: list[Motif] = Field(default_factory=list)


class LotOut(BaseModel):
    strict: bool
    dry_run: bool = Field(description="true : lot seulement vérifié, rien n'a été écrit")
    applique: bool = Field(description="false : rien n'a été écrit (lot strict rejeté, ou dry_run)")
    total: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    resultats: list[LotItemOut]


class LotRejected(BaseModel):
    detail: list[ErrorItem]
    rapport: LotOut | SkipJsonSchema[None] = Field(
        default=None, description="Rapport du lot ; absent quand la requête elle-même est invalide (JSON, paramètres)"
    )


# --- spreadsheet import ----------------------------------------------------------------------------


class LigneRejetee(BaseModel):
    ligne: int = Field(description="Numéro de ligne dans le fichier (l'en-tête est la ligne 1)")
    colonne: str | None
    code: str
    message: str


class ImportOut(BaseModel):
    fichier: str
    format: Literal["csv", "xlsx"]
    encodage: str | None
    dry_run: bool
    applique: bool = Field(description="true : le fichier a été enregistré ; false : rien n'a été écrit")
    lignes: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    erreurs: list[LigneRejetee]
    avertissements: list[LigneRejetee]


class ImportRejected(BaseModel):
    detail: list[ErrorItem]
    rapport: ImportOut | SkipJsonSchema[None] = Field(
        default=None, description="Rapport de l'import ; absent quand la requête elle-même est invalide (paramètres)"
    )


# --- single measure --------------------------------------------------------------------------------


class MesureReplace(MesureCreate):
    """Full replacement of a measure: every field is restated (an omitted optional field is cleared)."""

    version: Version
    mandataire: Id | None = Field(default=None, description="Par défaut, le mandataire actuel de la mesure")


# --- pydantic errors, in French --------------------------------------------------------------------

# pydantic error type -> the report's reason code (the French message comes from app.errors, as for every 422).
REASON_CODES = {
    "missing": "champ_obligatoire",
    "extra_forbidden": "champ_inconnu",
    "string_pattern_mismatch": "format_invalide",
    "string_too_long": "valeur_trop_longue",
    "string_too_short": "champ_obligatoire",
    "string_type": "valeur_invalide",
    "int_parsing": "nombre_invalide",
    "int_type": "nombre_invalide",
    "int_from_float": "nombre_invalide",
    "greater_than_equal": "valeur_invalide",
    "less_than_equal": "valeur_invalide",
    "literal_error": "valeur_inconnue",
    "enum": "valeur_inconnue",
    "date_type": "date_invalide",
    "date_parsing": "date_invalide",
    "model_type": "valeur_invalide",
    "dict_type": "valeur_invalide",
    "value_error": "valeur_invalide",
}


def reasons_of(error: ValidationError) -> list[tuple[str | None, str, str]]:
    """(field, code, French message) of each error of a MesureLotItem."""
    reasons = []
    for item in error.errors(include_url=False, include_input=False):
        field = str(item["loc"][0]) if item["loc"] else None
        reasons.append((field, REASON_CODES.get(item["type"], item["type"]), french_message(item)))
    return reasons
