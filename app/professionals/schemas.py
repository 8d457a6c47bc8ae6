"""API schemas of the professionals' routes: availability, bulk measures (e-MJPM's vendor shape), imports."""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SkipValidation,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from app.errors import ErrorItem, french_message
from app.geo.countries import is_country
from app.professionals import labels
from app.registry.constants import (
    CauseSortie,
    Champ,
    Civilite,
    LieuVie,
    MotifAbsence,
    Nature,
    ResultatRevision,
    Specialite,
    TypeEtablissement,
)
from app.registry.schemas import (
    YEAR_MIN,
    AbsenceIn,
    Capacite,
    Langues,
    MandataireOut,
    MesureCreate,
    MesureFields,
    Model,
    MotifNouvellesMesures,
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
    motif_nouvelles_mesures: MotifNouvellesMesures | None = Field(
        default=None, description="Pourquoi vous n'acceptez pas de nouvelles mesures (congé, charge...) ; null l'efface"
    )
    rayon_km: Annotated[int, Field(ge=1, le=500)] | None = Field(default=None, description="null : non précisé")
    specialites: list[Specialite] | None = None
    langues: Langues | None = None
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


def _assigned_country(code: str) -> str:
    if not is_country(code):
        raise ValueError(f"code pays inconnu : {code} (code ISO 3166-1 à 2 lettres attendu, comme FR ou BE)")
    return code


Pays = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    AfterValidator(_assigned_country),
    Field(description="Code ISO 3166-1 à 2 lettres d'un pays : FR, BE ou un autre (résidence non localisée)"),
]
CodePostal = Annotated[Texte, StringConstraints(strip_whitespace=True, min_length=1, max_length=10)]
Ville = Annotated[Texte, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# Fields a client echoes from what it read (e-MJPM's GET answers, ours): accepted and dropped.
ECHOED_FIELDS = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "latitude",
        "longitude",
        "status",
        "ti_id",
        "department_id",
        "departement_code",
        "editor_id",
        "etablissement_siret",
    }
)
ETAT_FIELDS = ("nature_mesure", "champ_mesure", "lieu_vie", "code_postal", "ville", "pays", "type_etablissement")
ETATS_MAX = 100


class VendorModel(BaseModel):
    """Parts of e-MJPM's payloads whose unknown fields e-MJPM ignores."""

    model_config = ConfigDict(extra="ignore")


class EtatIn(VendorModel):
    """One state of the measure's history (e-MJPM's `etats`)."""

    date_changement_etat: DateIn | None = None
    nature_mesure: NatureIn
    champ_mesure: ChampIn | None = None
    lieu_vie: LieuVieIn
    code_postal: CodePostal | None = None
    ville: Ville | None = None
    pays: Pays | None = None
    type_etablissement: TypeEtablissement | None = None
    etablissement_siret: Annotated[str, StringConstraints(strip_whitespace=True, max_length=14)] | None = None


class RessourceIn(VendorModel):
    """A year of the person's resources (e-MJPM's `ressources`)."""

    annee: Annotated[int, Field(ge=YEAR_MIN, le=2100)] | None = None
    niveau_ressource: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    prestations_sociales: list[Annotated[Texte, StringConstraints(max_length=40)]] = Field(
        default_factory=list, max_length=50
    )


def last_etat(etats: list) -> Any:
    """The current state: the latest `date_changement_etat` (e-MJPM sorts the states by date)."""
    return max(etats, key=lambda e: str(e.get("date_changement_etat") or ""))


class MesureLotItem(MesureFields):
    """A measure as e-MJPM's vendor API sends it. Labels are accepted for codes ("Curatelle renforcée",
    "protection_bien_personne", "mesure_ad_hoc"...). The current state (nature, champ, lieu de vie, residence) is
    the latest of `etats`, or given flat. On an update, a field left out keeps its value and a field sent as null is
    cleared. Without `statut`, a `cause_sortie` closes the measure and a null one reopens it."""

    numero_rg: NumeroRg
    tribunal_siret: TribunalKey
    nature_mesure: NatureIn
    champ_mesure: ChampIn | None = None
    lieu_vie: LieuVieIn
    pays: Pays | None = Field(default=None, description="Par défaut : BE pour un code postal à 4 chiffres, FR sinon")
    code_postal: CodePostal | None = Field(
        default=None,
        validate_default=True,
        description="4 chiffres en Belgique, 5 en France ; sans lui (comme e-MJPM l'accepte) la résidence n'est pas "
        "localisée",
    )
    ville: Ville | None = None
    type_etablissement: TypeEtablissement | None = None
    civilite: CiviliteIn | None = None
    annee_naissance: Annotated[int, Field(ge=YEAR_MIN)] | None = None
    date_nomination: DateIn | None = None
    date_fin_mesure: DateIn | None = None
    date_premier_mesure: DateIn | None = None
    date_protection_en_cours: DateIn | None = None
    statut: Literal["en_cours", "eteinte"] | None = Field(
        default=None, description="Par défaut : éteinte si cause_sortie est donnée"
    )
    cause_sortie: CauseSortieIn | None = Field(default=None, validate_default=True)
    resultat_revision: ResultatRevision | None = None
    numero_dossier: Annotated[Texte, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    cabinet: Annotated[Texte, StringConstraints(strip_whitespace=True, max_length=50)] | None = Field(
        default=None, description="Cabinet du juge (e-MJPM : `tribunal_cabinet`)"
    )
    antenne_id: Id | None = Field(default=None, description="Site (antenne) du mandataire : GET /mandataires/moi")
    etats: Annotated[list[EtatIn], Field(max_length=ETATS_MAX)] | None = Field(
        default=None, description="Historique des états ; le plus récent donne nature, champ, lieu de vie et résidence"
    )
    ressources: Annotated[list[RessourceIn], Field(max_length=ETATS_MAX)] | None = None

    @model_validator(mode="before")
    @classmethod
    def flatten_vendor_shape(cls, data: Any) -> Any:
        """e-MJPM keeps nature, champ, lieu de vie and residence in `etats` (history): the latest state counts.
        Fields echoed from a read are dropped; `tribunal_cabinet` is e-MJPM's name of `cabinet`."""
        if not isinstance(data, dict):
            return data
        flat = {k: v for k, v in data.items() if k not in ECHOED_FIELDS}
        if "tribunal_cabinet" in flat:
            cabinet = flat.pop("tribunal_cabinet")
            flat.setdefault("cabinet", cabinet)
        etats = flat.get("etats")
        if isinstance(etats, list) and etats and all(isinstance(e, dict) for e in etats):
            last = last_etat(etats)
            for name in ETAT_FIELDS:
                if name not in flat and last.get(name) not in (None, ""):
                    flat[name] = last[name]
        return flat

    @field_validator("code_postal")
    @classmethod
    def postcode_of_the_country(cls, code: str | None, info: ValidationInfo) -> str | None:
        pays = info.data.get("pays")
        if pays not in (None, "FR", "BE") or code is None:
            return code  # another country, or no postcode (e-MJPM accepts both): the residence is not located
        if not code.isdigit() or len(code) not in (4, 5):
            raise PydanticCustomError("string_pattern_mismatch", "4 (Belgique) ou 5 (France) chiffres attendus")
        if pays == "FR" and len(code) != 5:
            raise ValueError("un code postal français a 5 chiffres")
        if pays == "BE" and len(code) != 4:
            raise ValueError("un code postal belge a 4 chiffres")
        return code

    @field_validator("date_fin_mesure")
    @classmethod
    def end_after_nomination(cls, end: date | None, info: ValidationInfo) -> date | None:
        """e-MJPM accepts an end before the nomination (a warning of the batch, `_decide`)."""
        return end


class LotIn(Model):
    strictNumeroRG: bool = Field(  # noqa: N815 (e-MJPM's name)
        default=False,
        description="Refuser le lot si un numéro RG n'est pas exactement 8 lettres majuscules ou chiffres (e-MJPM)",
    )
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
