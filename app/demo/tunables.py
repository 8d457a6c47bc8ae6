"""What the demo register looks like: sizes, rates and distributions, apart from the code that draws them.

Figures follow the domain brief (§4 load bands, §9 sizes); changing one changes the data set of every seed.
"""

from dataclasses import dataclass
from typing import Literal

from app.config import Settings
from app.designation.constants import Famille
from app.registry.constants import (
    MI_LOAD_BANDS,
    CategorieEtablissement,
    CauseSortie,
    Champ,
    LieuVie,
    MandataireStatut,
    MandataireType,
    MotifAbsence,
    Nature,
    Specialite,
)


@dataclass(frozen=True, slots=True)
class ScaleTargets:
    """What a scale aims at (the generated counts stay within a few per cent of these)."""

    region: str | None  # région code, or None for every département
    services: int
    individuels: int
    preposes: int
    mesures: int  # measures held today (in progress or pending); the history's closed ones come on top


Scale = Literal["region", "national"]
SCALES: dict[str, ScaleTargets] = {
    # Hauts-de-France 2019: 45 387 measures, 117 MIs, 42 préposés (domain brief §9).
    "region": ScaleTargets(region="32", services=20, individuels=117, preposes=42, mesures=45_000),
    # France: about 480 000 measures, 2 200 MIs, 350 services with about 1 000 sites, 600-700 préposés.
    "national": ScaleTargets(region=None, services=350, individuels=2_200, preposes=650, mesures=480_000),
}

CHUNK_SIZE = 10_000  # rows per bulk insert
# Pending reservations expire after this many days unless the caller passes its own setting.
RESERVATION_EXPIRY_DAYS: int = Settings.model_fields["reservation_expiry_days"].default

# --- territory -------------------------------------------------------------------------------------------

MEASURES_PER_1000 = (5.9, 12.9)  # range by département (domain brief §9)
TOWN_POPULATION = 3_000  # services' antennes and hospitals sit in communes at least this big
NEIGHBOUR_KM = 120.0  # département centroids this close may share professionals
BELGIAN_BORDER = ("59", "62", "02", "08", "55", "54")  # départements whose professionals may work in Belgium
BELGIAN_MAIN_BORDER = ("59", "62", "02", "08")  # those along most of the border
BELGIAN_SHARE = 0.015  # Belgian measures, as a share of the border départements' measures
BELGIAN_MAX_FRACTION = 0.35  # at most this share of a professional's measures in Belgium
BELGIAN_SERVICES_NORD = 0.25  # share of the Nord's services working in Belgium (one elsewhere, or a coin toss)
BELGIAN_INDIVIDUELS = (0.1, 0.05)  # chance that an MI works in Belgium: main border, other border départements
BELGIAN_DUTCH = 0.5  # chance that a Belgian-side professional without languages speaks Dutch

# --- professionals ---------------------------------------------------------------------------------------

# The demo draws MI loads from the national bands; the open top band stops at 260 here.
SEED_MI_LOAD_BANDS = tuple((low, high if high is not None else 260, count) for low, high, count in MI_LOAD_BANDS)
ANTENNES_MIX = {2: 0.45, 3: 0.30, 4: 0.15, 5: 0.06, 6: 0.04}
STATUT_MIX = {MandataireStatut.ACTIF: 0.94, MandataireStatut.SUSPENDU: 0.02, MandataireStatut.CESSATION: 0.04}
SERVICE_DPF = (0.85, 0.12)  # chance that a service is DPF: the first of its département, the others
INDIVIDUEL_DPF = 0.05
SERVICE_MAJ, INDIVIDUEL_MAJ = 0.92, 0.8  # chance that a service, an MI, also takes the MAJ
SERVICE_NEIGHBOUR_LISTING = 0.2  # chance that a service is also listed (with an antenne) in a neighbour département
SERVICE_NEIGHBOUR_CHOICES = 3  # nearest neighbours among which one of the service's région is preferred
LISTINGS_MIX = {1: 0.45, 2: 0.35, 3: 0.2}  # départements an MI is listed in
TRIBUNAL_RESTRICTION = (0.04, 0.35)  # chance that an MI is restricted to its nearest tribunal, then to a second
SERVICE_LANGUES, INDIVIDUEL_LANGUES = 0.2, 0.1  # chance that a service, an MI, declares languages
RAYON_RATE, RAYONS_KM = 0.85, (50, 55, 60, 65, 70, 75, 80)  # MIs declaring an intervention radius
SPECIALITES_COUNT_MIX = {0: 0.25, 1: 0.35, 2: 0.25, 3: 0.15}
FAVOURITE_SPECIALITE_WEIGHT = 4.0
PREPOSE_CAPACITE = (25, 70)
PREPOSE_LOAD = (0.72, 1.04)  # préposé's load, as a share of its capacity (at least PREPOSE_MIN_LOAD)
PREPOSE_MIN_LOAD = 15
SERVICE_MIN_NEED = 150.0  # measures per service a département needs at least
SERVICE_MIN_LOAD = 60
# A service's measures per ETP (drawn once per service; schémas quote about 25), the year-to-year noise of its
# declared ETP (relative standard deviation) and the least it declares.
MEASURES_PER_ETP = (21.0, 29.0)
ETP_NOISE = 0.04
MIN_ETP = 0.5
HEAD_SERVICE_WEIGHT = 1.8  # the first service of a département is bigger
CONVENTIONS_MIX = {0: 0.5, 1: 0.35, 2: 0.15}  # establishments a préposé covers by convention besides its own
STALE_SHARE = 0.15  # professionals whose availability is older than 45 days
REFUSES_NEW = 0.05  # active professionals not taking new measures
SITE_CAPACITE_RATE = 0.35  # services' sites with their own capacity
ABSENCE_RATE, CURRENT_ABSENCE = 0.06, 0.4  # professionals with an absence; of those, absent today
REMPLACANT_RATE = 0.4  # absent MIs with a named replacement

PROTECTION_NATURES = (
    Nature.SAUVEGARDE_JUSTICE,
    Nature.CURATELLE_SIMPLE,
    Nature.CURATELLE_RENFORCEE,
    Nature.TUTELLE,
    Nature.SUBROGE_CURATEUR,
    Nature.SUBROGE_TUTEUR,
    Nature.MANDAT_AD_HOC,
    Nature.MANDAT_PROTECTION_FUTURE,
)
MOTIF_MIX = {
    MotifAbsence.CONGES: 0.55,
    MotifAbsence.MALADIE: 0.2,
    MotifAbsence.FORMATION: 0.12,
    MotifAbsence.DEPART_RETRAITE: 0.05,
    MotifAbsence.AUTRE: 0.08,
}
LANGUES = (  # ISO 639-1 codes, as the registry stores them
    ("en",),
    ("ar",),
    ("nl",),
    ("es",),
    ("pt",),
    ("en", "es"),
    ("tr",),
    ("fsl",),
    ("de",),
)
SPECIALITES = tuple(s for s in Specialite if s != Specialite.BELGIQUE)

# --- establishments --------------------------------------------------------------------------------------

POPULATION_PER_ETABLISSEMENT = 28_000  # extra establishments of a département (at least MIN_EXTRA_ETABLISSEMENTS)
MIN_EXTRA_ETABLISSEMENTS = 4
PREPOSE_ETABLISSEMENT_PLACES = (81, 400)  # a préposé's own establishment: public, over 80 places
# Establishments: (share among the extra ones, share public, places low, places high).
ETABLISSEMENT_MIX = {
    CategorieEtablissement.EHPAD: (0.58, 0.45, 30, 160),
    CategorieEtablissement.HOPITAL: (0.08, 0.85, 80, 400),
    CategorieEtablissement.HOPITAL_PSYCHIATRIQUE: (0.04, 0.85, 60, 300),
    CategorieEtablissement.FOYER_ACCUEIL_MEDICALISE: (0.08, 0.3, 20, 70),
    CategorieEtablissement.MAISON_ACCUEIL_SPECIALISEE: (0.08, 0.4, 20, 80),
    CategorieEtablissement.USLD: (0.06, 0.9, 30, 130),
    CategorieEtablissement.AUTRE: (0.08, 0.3, 20, 90),
}
HOSPITALS = frozenset(
    {CategorieEtablissement.HOPITAL, CategorieEtablissement.HOPITAL_PSYCHIATRIQUE, CategorieEtablissement.USLD}
)
PREPOSE_ETABLISSEMENT_MIX = {
    CategorieEtablissement.EHPAD: 0.45,
    CategorieEtablissement.HOPITAL: 0.30,
    CategorieEtablissement.HOPITAL_PSYCHIATRIQUE: 0.15,
    CategorieEtablissement.USLD: 0.10,
}

# --- measures --------------------------------------------------------------------------------------------

EN_ATTENTE_RATE = 0.011  # reservations not yet accepted, among active measures of an active professional
NATURE_MIX = {
    Nature.CURATELLE_RENFORCEE: 45.0,
    Nature.TUTELLE: 35.0,
    Nature.CURATELLE_SIMPLE: 8.0,
    Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE: 4.0,
    Nature.SAUVEGARDE_JUSTICE: 4.0,
    Nature.SUBROGE_CURATEUR: 0.8,
    Nature.SUBROGE_TUTEUR: 0.8,
    Nature.MANDAT_AD_HOC: 0.7,
    Nature.MANDAT_PROTECTION_FUTURE: 0.5,
    Nature.MJAGBF: 4.0,
}
# Residents of establishments are older and more often under tutelle.
PREPOSE_NATURE_MIX = {
    **NATURE_MIX,
    Nature.TUTELLE: 46.0,
    Nature.CURATELLE_RENFORCEE: 38.0,
    Nature.CURATELLE_SIMPLE: 5.0,
}
# How far back a measure still in progress may have been opened, in days (short natures are recent).
NATURE_SPAN_DAYS = {
    Nature.SAUVEGARDE_JUSTICE: 700,
    Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE: 1_450,
    Nature.MJAGBF: 1_450,
    Nature.MANDAT_AD_HOC: 1_000,
}
MAX_SPAN_DAYS = 40 * 365  # the oldest measure still in progress, or closed, was opened this long ago
LIEU_MIX = {
    LieuVie.DOMICILE: 0.615,
    LieuVie.SDF: 0.01,
    LieuVie.ETABLISSEMENT: 0.34,
    LieuVie.ETABLISSEMENT_CONSERVATION_DOMICILE: 0.035,
}
PREPOSE_LIEU_MIX = {
    LieuVie.ETABLISSEMENT: 0.88,
    LieuVie.ETABLISSEMENT_CONSERVATION_DOMICILE: 0.07,
    LieuVie.DOMICILE: 0.05,
}
BELGIAN_LIEU_MIX = {LieuVie.ETABLISSEMENT: 0.75, LieuVie.DOMICILE: 0.25}
CHAMP_MIX = {Champ.BIEN_PERSONNE: 0.82, Champ.BIEN: 0.12, Champ.PERSONNE: 0.06}
CAUSE_MIX = {  # why a measure closed, for the natures without a mix of their own
    CauseSortie.DECES: 0.40,
    CauseSortie.MAINLEVEE: 0.24,
    CauseSortie.DESSAISISSEMENT_FAMILLE: 0.10,
    CauseSortie.TRANSFERT: 0.10,
    CauseSortie.DESSAISISSEMENT_AUTRE_MJPM: 0.08,
    CauseSortie.CADUCITE: 0.06,
    CauseSortie.AUTRE: 0.02,
}
# Measures of a limited term mostly end with it (caducité) or are lifted; a sauvegarde also ends when a curatelle
# or a tutelle follows it (autre).
TERM_CAUSE_MIX = {
    CauseSortie.CADUCITE: 0.45,
    CauseSortie.MAINLEVEE: 0.3,
    CauseSortie.AUTRE: 0.1,
    CauseSortie.DECES: 0.08,
    CauseSortie.TRANSFERT: 0.04,
    CauseSortie.DESSAISISSEMENT_FAMILLE: 0.03,
}
CAUSE_MIX_BY_NATURE = {
    Nature.SAUVEGARDE_JUSTICE: {**TERM_CAUSE_MIX, CauseSortie.AUTRE: 0.3, CauseSortie.CADUCITE: 0.3},
    Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE: TERM_CAUSE_MIX,
    Nature.MJAGBF: TERM_CAUSE_MIX,
    Nature.MANDAT_AD_HOC: TERM_CAUSE_MIX,
}
# How far measures lie from the professional's nearest site (km of an exponential decay), by type.
SPREAD_KM = {MandataireType.SERVICE: 35.0, MandataireType.INDIVIDUEL: 25.0, MandataireType.PREPOSE: 12.0}
OWN_ETABLISSEMENT_SHARE = (0.7, 0.3)  # a préposé's residents in its own establishment, in the others
BELGIAN_REACH_KM, BELGIAN_SPREAD_KM = 90.0, 25.0  # Belgian communes a site serves, and the decay of the draw
MAJ_AT_HOME = 0.7  # MAJ whose person listed in an establishment is moved home (a MAJ is mostly at home)
LINKED_ETABLISSEMENT = 0.45  # measures in an establishment linked to an establishment record (non-préposés)
MADAME_SHARE = 0.54
# Ages (low, high, mode) of a person in an establishment, under MJAGBF, or any other.
AGE_IN_ETABLISSEMENT, AGE_MJAGBF, AGE_OTHER = (30, 101, 84), (19, 60, 34), (18, 96, 52)

# --- history ---------------------------------------------------------------------------------------------

# The register keeps the openings and closures of the full years before this one back to this many, and of this
# year: today's stock was built by them (with today 2026-11-23, the history starts on 2019-01-01).
HISTORY_YEARS = 7
# Openings grow this much a year (the stock grows alike, closures following it).
GROWTH_RATE = 0.03
# Closures per year of a measure, by nature (the other natures: DEFAULT_CLOSURE_RATE): deaths of the elderly under
# tutelle, terms of the limited measures. About 13 % of the stock closes a year, a little less than opens.
CLOSURE_RATE = {
    Nature.CURATELLE_RENFORCEE: 0.07,
    Nature.TUTELLE: 0.10,
    Nature.SAUVEGARDE_JUSTICE: 0.8,
    Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE: 0.35,
    Nature.MJAGBF: 0.35,
    Nature.MANDAT_AD_HOC: 0.5,
}
DEFAULT_CLOSURE_RATE = 0.09
# Judgments per month, relative: courts slow down in August and at Christmas.
SEASONALITY = {
    **{1: 1.04, 2: 1.04, 3: 1.08, 4: 1.02, 5: 0.98, 6: 1.06},
    **{7: 0.98, 8: 0.7, 9: 1.04, 10: 1.08, 11: 1.02, 12: 0.86},
}

# --- reservations ----------------------------------------------------------------------------------------

URGENCE_RATE = 0.08
FAMILLE_MIX = {Famille.AUCUN_PROCHE: 0.7, Famille.PROCHE_REFUSE: 0.2, Famille.NON_EXAMINE: 0.1}
# Openings of the history that judges made through a reservation here (the others came through business software).
RESERVED_SHARE = 0.9
# Chance that a reservation was first refused by, or expired at, another professional (the judge then reserved
# again, the same case number, at the one who accepted).
REFUSED_FIRST, EXPIRED_FIRST = 0.1, 0.03
# Mean days a professional takes to answer (acceptances are quick, refusals quicker).
ACCEPTANCE_DAYS, REFUSAL_DAYS = 3.0, 1.5
