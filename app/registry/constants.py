"""Controlled vocabularies of the registry (API values, in French, as the legal texts name them)."""

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from app import labels

# The window of a professional's recent designations (the matching's equity criterion), in days: counted by the one
# load path (`app.registry.load`) so that `/match` reads them without counting.
RECENT_DESIGNATION_DAYS = 28
# A kept count holds a day at most after it was made: measures changed behind the load path's back (by a process of
# the previous version during an upgrade, by a fix made in SQL) are counted right again by the next recount.
RECENT_COUNT_HOLDS = timedelta(days=1)
# The start of a count that holds from any instant (a professional without measures), and a bound past any date.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)

# A FINESS number: nine digits, or Corsica's 2A or 2B and seven digits.
FINESS_PATTERN = r"^(\d{9}|2[AB]\d{7})$"


class MandataireType(StrEnum):
    SERVICE = "service"
    INDIVIDUEL = "individuel"
    PREPOSE = "prepose"


# The French labels of the codes live in app/labels.py; these views key them by the enums.
MANDATAIRE_TYPE_LABELS = labels.for_enum(MandataireType, labels.TYPES_MANDATAIRE)


# A professional's own columns that the API names as they are: changed by a PATCH as sent, answered as stored.
MANDATAIRE_PLAIN_FIELDS = (
    "dpf",
    "nom",
    "siret",
    "email",
    "telephone",
    "statut",
    "statut_depuis",
    "statut_jusqu_au",
    "langues",
    "rayon_km",
    "capacite",
    "capacite_autorisee",
    "accepte_nouvelles_mesures",
    "motif_nouvelles_mesures",
)


class MandataireStatut(StrEnum):
    ACTIF = "actif"
    SUSPENDU = "suspendu"
    RETIRE = "retire"
    CESSATION = "cessation"


class Nature(StrEnum):
    SAUVEGARDE_JUSTICE = "sauvegarde_justice"
    CURATELLE_SIMPLE = "curatelle_simple"
    CURATELLE_RENFORCEE = "curatelle_renforcee"
    TUTELLE = "tutelle"
    MESURE_ACCOMPAGNEMENT_JUDICIAIRE = "mesure_accompagnement_judiciaire"
    MJAGBF = "mjagbf"
    SUBROGE_CURATEUR = "subroge_curateur"
    SUBROGE_TUTEUR = "subroge_tuteur"
    MANDAT_AD_HOC = "mandat_ad_hoc"
    MANDAT_PROTECTION_FUTURE = "mandat_protection_future"


NATURE_LABELS = labels.for_enum(Nature, labels.NATURES)


class Champ(StrEnum):
    BIEN = "bien"
    PERSONNE = "personne"
    BIEN_PERSONNE = "bien_personne"


class LieuVie(StrEnum):
    DOMICILE = "domicile"
    ETABLISSEMENT = "etablissement"
    ETABLISSEMENT_CONSERVATION_DOMICILE = "etablissement_conservation_domicile"
    SDF = "sdf"


# A person who lives in an establishment: distances start from it and its préposés may take the measure.
IN_ETABLISSEMENT = frozenset({LieuVie.ETABLISSEMENT, LieuVie.ETABLISSEMENT_CONSERVATION_DOMICILE})


LIEU_VIE_LABELS = labels.for_enum(LieuVie, labels.LIEUX_VIE)


class MesureStatut(StrEnum):
    EN_ATTENTE = "en_attente"
    EN_COURS = "en_cours"
    ETEINTE = "eteinte"


MESURE_STATUT_LABELS = labels.for_enum(MesureStatut, labels.STATUTS_MESURE)


# Statuses that hold a place in the professional's capacity.
ACTIVE_STATUTS = frozenset({MesureStatut.EN_COURS, MesureStatut.EN_ATTENTE})
# What a measure keeps of the person's residence (`service.place_of`): the commune, never a street or a point.
PLACE_COLUMNS = ("pays", "insee", "code_postal", "commune", "nis", "departement")


class CauseSortie(StrEnum):
    MAINLEVEE = "mainlevee"
    DECES = "deces"
    CADUCITE = "caducite"
    DESSAISISSEMENT_FAMILLE = "dessaisissement_famille"
    DESSAISISSEMENT_AUTRE_MJPM = "dessaisissement_autre_mjpm"
    TRANSFERT = "transfert"
    AUTRE = "autre"


CAUSE_SORTIE_LABELS = labels.for_enum(CauseSortie, labels.CAUSES_SORTIE)


class ResultatRevision(StrEnum):
    """Outcome of a measure's last review (e-MJPM's `resultat_revision`)."""

    AGGRAVATION = "aggravation"
    ALLEGEMENT = "allegement"
    DESSAISISSEMENT_AUTRE_MJPM = "dessaisissement_autre_mjpm"
    DESSAISISSEMENT_FAMILLE = "dessaisissement_famille"
    MAINLEVEE = "mainlevee"
    RECONDUCTION = "reconduction"


class TypeEtablissement(StrEnum):
    """Kind of establishment the person lives in (e-MJPM's `type_etablissement`)."""

    AUTRE_ETABLISSEMENT = "autre_etablissement"
    AUTRE_ETABLISSEMENT_S_MS = "autre_etablissement_s_ms"
    ETABLISSEMENT_HANDICAPES = "etablissement_handicapes"
    ETABLISSEMENT_HOSPITALIER = "etablissement_hospitalier"
    ETABLISSEMENT_PERSONNE_AGEE = "etablissement_personne_agee"
    ETABLISSEMENT_PSYCHIATRIQUE = "etablissement_psychiatrique"
    # In e-MJPM's reference table (`type_etablissement`, which its measures' column references) but not in its
    # rule's list: accepted for a person living at home, refused for one in an establishment (app/editors/rules.py).
    ETABLISSEMENT_CONSERVATION_DOMICILE = "etablissement_conservation_domicile"


class Civilite(StrEnum):
    MADAME = "madame"
    MONSIEUR = "monsieur"


class Pays(StrEnum):
    FR = "FR"
    BE = "BE"


class Specialite(StrEnum):
    BELGIQUE = "belgique"
    PSYCHIATRIE = "psychiatrie"
    SITUATIONS_COMPLEXES = "situations_complexes"
    FIN_DE_VIE = "fin_de_vie"
    HANDICAP = "handicap"
    PERSONNES_AGEES = "personnes_agees"
    JEUNES_MAJEURS = "jeunes_majeurs"
    PATRIMOINE_COMPLEXE = "patrimoine_complexe"
    EXPLOITANTS_AGRICOLES = "exploitants_agricoles"
    VISITES_BINOME = "visites_binome"


class CodeLangue(StrEnum):
    """A language by its ISO 639-1 code (labels in app/labels.py)."""

    FR = "fr"
    NL = "nl"
    DE = "de"
    EN = "en"
    ES = "es"
    IT = "it"
    PT = "pt"
    AR = "ar"
    TR = "tr"
    PL = "pl"
    RO = "ro"
    RU = "ru"
    UK = "uk"
    ZH = "zh"
    VI = "vi"
    FA = "fa"
    KU = "ku"
    SQ = "sq"
    SR = "sr"
    HY = "hy"
    TA = "ta"
    WO = "wo"
    BM = "bm"
    LN = "ln"
    FSL = "fsl"


class MotifAbsence(StrEnum):
    CONGES = "conges"
    MALADIE = "maladie"
    FORMATION = "formation"
    DEPART_RETRAITE = "depart_retraite"
    AUTRE = "autre"


class CategorieEtablissement(StrEnum):
    EHPAD = "ehpad"
    HOPITAL = "hopital"
    HOPITAL_PSYCHIATRIQUE = "hopital_psychiatrique"
    FOYER_ACCUEIL_MEDICALISE = "foyer_accueil_medicalise"
    MAISON_ACCUEIL_SPECIALISEE = "maison_accueil_specialisee"
    USLD = "usld"
    RESIDENCE_AUTONOMIE = "residence_autonomie"
    FOYER_PERSONNES_HANDICAPEES = "foyer_personnes_handicapees"
    AUTRE = "autre"


CATEGORIE_ETABLISSEMENT_LABELS = labels.for_enum(CategorieEtablissement, labels.CATEGORIES_ETABLISSEMENT)


# National MI load bands (domain brief §4: 2012, 1 018 MIs): (lowest load, highest load or None, MIs in the band).
# Bounds are inclusive: "30-50" in the source is 31 to 50.
MI_LOAD_BANDS: tuple[tuple[int, int | None, int], ...] = (
    (1, 30, 555),
    (31, 50, 266),
    (51, 80, 127),
    (81, 100, 28),
    (101, 120, 20),
    (121, 140, 6),
    (141, 160, 4),
    (161, 200, 9),
    (201, None, 3),
)
