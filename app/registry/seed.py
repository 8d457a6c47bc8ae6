"""Deterministic synthetic demo data: professionals, sites, establishments, absences and measures.

`seed_demo` fills an already-migrated database whose `tribunal` table is synced (`sync_tribunaux`) with a
realistic but entirely invented register, at the scale of Hauts-de-France (`region`) or of France
(`national`), following the figures of the domain brief (§4 load bands, §9 sizes):

- professionals are placed in real communes drawn in proportion to population (services' antennes and
  hospitals in communes of 3 000 inhabitants or more); measures are drawn in the communes of the départements
  where their professional is listed, by population and nearness to its sites (nearest antenne as `site_id`);
- measures `en_attente` are pending reservations (`reservation` rows, no nomination date yet), as if reserved
  by a judge through the API in the last two months;
- every random draw comes from one `random.Random(seed)` walked in a fixed order over sorted inputs, and every
  date is relative to `today`: the same seed and the same day give the same rows;
- the load counters of professionals and sites are computed while the measures are generated and inserted with
  the rows, so they equal a recount of the measures from the first commit;
- rows are written with SQLAlchemy Core bulk inserts (explicit primary keys, chunks of 10 000) in one
  transaction, on SQLite and PostgreSQL.

Names are built from small invented lists: no real person appears in the data.
"""

import bisect
import math
import random
import time as clock
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

import numpy as np
from sqlalchemy import Connection, Engine, Table, func, select, text, update
from sqlalchemy.orm import Session
from stdnum import luhn

from app.config import Settings
from app.designation.constants import Famille, ReservationStatut
from app.designation.models import Reservation
from app.geo.distance import haversine_km
from app.geo.gazetteer import BelgianMunicipality, Commune, Gazetteer, normalize_name
from app.geo.models import Tribunal
from app.matching.models import RegistryVersion
from app.registry.constants import (
    MI_LOAD_BANDS,
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
    Specialite,
)
from app.registry.models import (
    Absence,
    Etablissement,
    Mandataire,
    MandataireDepartement,
    MandataireEtablissement,
    MandataireNature,
    MandataireSpecialite,
    MandataireTribunal,
    Mesure,
    Site,
)
from app.registry.workload import measure_weight

Scale = Literal["region", "national"]
Progress = Callable[[str, int, int], None]

CHUNK_SIZE = 10_000
# Pending reservations expire after this many days unless the caller passes its own setting.
RESERVATION_EXPIRY_DAYS: int = Settings.model_fields["reservation_expiry_days"].default


@dataclass(frozen=True, slots=True)
class ScaleTargets:
    """What a scale aims at (the generated counts stay within a few per cent of these)."""

    region: str | None  # région code, or None for every département
    services: int
    individuels: int
    preposes: int
    mesures: int  # rows of the measure table, closed ones included


SCALES: dict[str, ScaleTargets] = {
    # Hauts-de-France 2019: 45 387 measures, 117 MIs, 42 préposés (domain brief §9).
    "region": ScaleTargets(region="32", services=20, individuels=117, preposes=42, mesures=45_000),
    # France: about 480 000 measures, 2 200 MIs, 350 services with about 1 000 sites, 600-700 préposés.
    "national": ScaleTargets(region=None, services=350, individuels=2_200, preposes=650, mesures=480_000),
}


@dataclass(frozen=True)
class SeedSummary:
    scale: str
    seed: int
    mandataires: dict[str, int]  # by type
    sites: int
    antennes: int  # sites of services
    etablissements: int
    absences: int
    mesures: dict[str, int]  # by statut
    reservations: int  # pending, one per measure en_attente
    mesures_belges: int
    elapsed_s: float

    @property
    def total_mandataires(self) -> int:
        return sum(self.mandataires.values())

    @property
    def total_mesures(self) -> int:
        return sum(self.mesures.values())


def database_is_empty(session: Session) -> bool:
    """True when no professional is registered yet (the only state `seed_demo` accepts)."""
    return session.scalar(select(Mandataire.id).limit(1)) is None


# --- tunables ------------------------------------------------------------------------------------------

ETEINTE_SHARE = 0.06  # closed measures, as a share of all measure rows
EN_ATTENTE_RATE = 0.011  # reservations not yet accepted, among active measures of an active professional
MEASURES_PER_1000 = (5.9, 12.9)  # range by département (domain brief §9)
TOWN_POPULATION = 3_000  # services' antennes and hospitals sit in communes at least this big
NEIGHBOUR_KM = 120.0  # département centroids this close may share professionals
BELGIAN_BORDER = ("59", "62", "02", "08", "55", "54")  # départements whose professionals may work in Belgium
BELGIAN_SHARE = 0.015  # Belgian measures, as a share of the border départements' measures
BELGIAN_MAX_FRACTION = 0.35  # at most this share of a professional's measures in Belgium

# The demo draws MI loads from the national bands; the open top band stops at 260 here.
SEED_MI_LOAD_BANDS = tuple((low, high if high is not None else 260, count) for low, high, count in MI_LOAD_BANDS)

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
MAX_SPAN_DAYS = 15 * 365

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
IN_ETABLISSEMENT = frozenset({LieuVie.ETABLISSEMENT, LieuVie.ETABLISSEMENT_CONSERVATION_DOMICILE})
CHAMP_MIX = {Champ.BIEN_PERSONNE: 0.82, Champ.BIEN: 0.12, Champ.PERSONNE: 0.06}
CAUSE_MIX = {
    CauseSortie.DECES: 0.40,
    CauseSortie.MAINLEVEE: 0.24,
    CauseSortie.DESSAISISSEMENT_FAMILLE: 0.10,
    CauseSortie.TRANSFERT: 0.10,
    CauseSortie.DESSAISISSEMENT_AUTRE_MJPM: 0.08,
    CauseSortie.CADUCITE: 0.06,
    CauseSortie.AUTRE: 0.02,
}
MOTIF_MIX = {
    MotifAbsence.CONGES: 0.55,
    MotifAbsence.MALADIE: 0.2,
    MotifAbsence.FORMATION: 0.12,
    MotifAbsence.DEPART_RETRAITE: 0.05,
    MotifAbsence.AUTRE: 0.08,
}
ANTENNES_MIX = {2: 0.45, 3: 0.30, 4: 0.15, 5: 0.06, 6: 0.04}
STATUT_MIX = {MandataireStatut.ACTIF: 0.94, MandataireStatut.SUSPENDU: 0.02, MandataireStatut.CESSATION: 0.04}

# Why no relative was designated (art. 449 code civil), for the pending reservations.
FAMILY_REFUSALS = (
    "Le seul proche, éloigné géographiquement, a décliné la charge.",
    "La famille a refusé la mesure en raison d'un conflit ancien.",
    "Le conjoint, lui-même âgé et malade, ne peut pas assumer la mesure.",
)
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
# A préposé's own establishment: public, over 80 places.
PREPOSE_ETABLISSEMENT_MIX = {
    CategorieEtablissement.EHPAD: 0.45,
    CategorieEtablissement.HOPITAL: 0.30,
    CategorieEtablissement.HOPITAL_PSYCHIATRIQUE: 0.15,
    CategorieEtablissement.USLD: 0.10,
}

LANGUES = (
    ("anglais",),
    ("arabe",),
    ("néerlandais",),
    ("espagnol",),
    ("portugais",),
    ("anglais", "espagnol"),
    ("turc",),
    ("langue des signes française",),
    ("allemand",),
)
SPECIALITES = tuple(s for s in Specialite if s != Specialite.BELGIQUE)

# Invented names: common first names with surnames assembled from syllables.
FIRST_NAMES = (
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Morgane",
    "Maxime",
    "Lou",
    "Noa",
    "Élise",
    "Hélène",
    "Agathe",
    "Bérénice",
    "Colette",
    "Delphine",
    "Estelle",
    "Fanny",
    "Gaëlle",
    "Inès",
    "Joëlle",
    "Laure",
    "Maud",
    "Nadège",
    "Ophélie",
    "Perrine",
    "Rosalie",
    "Solène",
    "Viviane",
    "Adrien",
    "Bastien",
    "Corentin",
    "Damien",
    "Étienne",
    "Fabien",
    "Gaspard",
    "Hugo",
    "Jérôme",
    "Lilian",
    "Mathis",
    "Nathan",
    "Olivier",
    "Pascal",
    "Rémi",
    "Sylvain",
    "Thibault",
    "Valentin",
    "Yann",
    "Zacharie",
)
SURNAME_HEADS = (
    "Bel",
    "Cor",
    "Dar",
    "Fon",
    "Gar",
    "Lam",
    "Mar",
    "Ros",
    "Ver",
    "Val",
    "Mor",
    "Sau",
    "Tes",
    "Bra",
    "Cla",
    "Del",
    "Gri",
    "Lan",
    "Pel",
    "Ram",
    "Bou",
    "Cha",
    "Fer",
    "Jou",
    "Lor",
    "Mon",
    "Pra",
    "Sor",
    "Tal",
    "Vir",
)
SURNAME_TAILS = (
    "ette",
    "ier",
    "ard",
    "ville",
    "mont",
    "eau",
    "ac",
    "in",
    "oux",
    "elle",
    "ot",
    "aud",
    "eron",
    "ignac",
    "oley",
    "anges",
    "ery",
    "usson",
    "ois",
    "ande",
)
ASSOCIATION_WORDS = (
    "Horizon",
    "Solidarité",
    "Trait d'Union",
    "Passerelle",
    "Confluence",
    "Boussole",
    "Relais",
    "Équinoxe",
    "Escale",
    "Cap Avenir",
    "Ancrage",
    "Sillage",
)
RESIDENCE_NAMES = (
    "Les Tilleuls",
    "Les Glycines",
    "Le Clos Fleuri",
    "Les Charmilles",
    "La Roseraie",
    "Les Hortensias",
    "Le Val Doré",
    "Les Peupliers",
    "La Source",
    "Les Érables",
    "Le Jardin d'Automne",
    "Les Magnolias",
    "Les Lilas",
    "Le Bois Joli",
    "Les Mimosas",
    "La Chênaie",
)
SERVICE_PREFIXES = ("UDAF", "ATMP", "Association tutélaire", "Mutualité tutélaire")

# Fictitious number blocks reserved by ARCEP for films and books, by région.
PHONE_PREFIX = {
    "11": "01 99 00",
    "24": "02 61 91",
    "28": "02 61 91",
    "52": "02 61 91",
    "53": "02 61 91",
    "27": "03 53 01",
    "32": "03 53 01",
    "44": "03 53 01",
    "84": "04 65 71",
    "93": "04 65 71",
    "94": "04 65 71",
    "75": "05 36 49",
    "76": "05 36 49",
}

PLURAL_DEPARTEMENTS = frozenset(
    {
        "Alpes-de-Haute-Provence",
        "Alpes-Maritimes",
        "Ardennes",
        "Bouches-du-Rhône",
        "Côtes-d'Armor",
        "Deux-Sèvres",
        "Landes",
        "Pyrénées-Atlantiques",
        "Pyrénées-Orientales",
        "Vosges",
        "Yvelines",
    }
)
FEMININE_DEPARTEMENTS = frozenset(
    {
        "Charente",
        "Charente-Maritime",
        "Corrèze",
        "Corse-du-Sud",
        "Côte-d'Or",
        "Creuse",
        "Dordogne",
        "Drôme",
        "Gironde",
        "Loire",
        "Loire-Atlantique",
        "Lozère",
        "Manche",
        "Marne",
        "Mayenne",
        "Meurthe-et-Moselle",
        "Meuse",
        "Moselle",
        "Nièvre",
        "Saône-et-Loire",
        "Sarthe",
        "Savoie",
        "Seine-Maritime",
        "Seine-et-Marne",
        "Seine-Saint-Denis",
        "Somme",
        "Vendée",
        "Vienne",
        "Guadeloupe",
        "Martinique",
        "Guyane",
    }
)
BARE_DEPARTEMENTS = frozenset({"Paris", "Mayotte", "La Réunion"})
VOWELS = frozenset("AEIOUYÉÈÊÎÔaeiouyéèêîô")


def of_departement(nom: str) -> str:
    """'du Nord', "de l'Aisne", 'de la Somme', 'des Ardennes', 'de Paris'."""
    if nom in BARE_DEPARTEMENTS:
        return f"de {nom}"
    if nom in PLURAL_DEPARTEMENTS or nom.startswith(("Hautes-", "Hauts-")):
        return f"des {nom}"
    if nom[0] in VOWELS or nom.startswith("Hérault"):
        return f"de l'{nom}"
    if nom in FEMININE_DEPARTEMENTS or nom.startswith("Haute-"):
        return f"de la {nom}"
    return f"du {nom}"


def of_commune(nom: str) -> str:
    """'de Lille', "d'Arras", 'du Cateau-Cambrésis', 'des Moëres', 'de la Bassée'."""
    for article, contracted in (("Le ", "du "), ("Les ", "des "), ("La ", "de la "), ("L'", "de l'")):
        if nom.startswith(article):
            return contracted + nom[len(article) :]
    return f"d'{nom}" if nom[0] in VOWELS else f"de {nom}"


# --- small helpers -------------------------------------------------------------------------------------


class Picker:
    """Weighted draws by bisection over cumulative weights (faster than `random.choices` for one draw)."""

    __slots__ = ("items", "cumulative", "total")

    def __init__(self, items: Sequence, weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(np.cumsum(np.asarray(weights, dtype=np.float64)).tolist()) if len(weights) else []
        self.total = self.cumulative[-1] if self.cumulative else 0.0

    @classmethod
    def of(cls, mix: dict) -> "Picker":
        return cls(list(mix), list(mix.values()))

    def __bool__(self) -> bool:
        return self.total > 0

    def pick(self, rng: random.Random):
        index = bisect.bisect_right(self.cumulative, rng.random() * self.total)
        return self.items[min(index, len(self.items) - 1)]


FAMILLE_PICKER = Picker.of({Famille.AUCUN_PROCHE: 0.7, Famille.PROCHE_REFUSE: 0.2, Famille.NON_EXAMINE: 0.1})
MI_BAND_PICKER = Picker(SEED_MI_LOAD_BANDS, [band[2] for band in SEED_MI_LOAD_BANDS])


def allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder), each at least `minimum`."""
    count = len(weights)
    if count == 0:
        return []
    base = [minimum] * count
    rest = total - minimum * count
    if rest <= 0:
        return base
    weight_sum = float(sum(weights)) or 1.0
    shares = [rest * w / weight_sum for w in weights]
    result = [b + int(s) for b, s in zip(base, shares, strict=True)]
    order = sorted(range(count), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[: total - sum(result)]:
        result[i] += 1
    return result


def sample_distinct(rng: random.Random, picker: Picker, count: int, tries: int = 60) -> list:
    """`count` draws without repetition when possible (small pools repeat rather than loop forever)."""
    chosen: list = []
    for _ in range(tries):
        if len(chosen) == count:
            break
        item = picker.pick(rng)
        if item not in chosen:
            chosen.append(item)
    while len(chosen) < count:
        chosen.append(picker.pick(rng))
    return chosen


def new_siret(rng: random.Random, used: set[str]) -> str:
    """A 14-digit SIRET whose SIREN and SIRET Luhn keys are right (checked by `stdnum.fr.siret`)."""
    while True:
        siren_body = str(rng.randrange(10_000_000, 100_000_000))
        siren = siren_body + luhn.calc_check_digit(siren_body)
        if siren == "356000000":  # La Poste numbers follow another rule
            continue
        body = siren + f"{rng.randrange(1, 10_000):04d}"
        siret = body + luhn.calc_check_digit(body)
        if siret not in used:
            used.add(siret)
            return siret


# --- the generator's working objects -------------------------------------------------------------------


@dataclass(eq=False)
class Load:
    en_cours: int = 0
    en_attente: int = 0
    charge_en_cours: float = 0.0
    charge_en_attente: float = 0.0

    def add(self, statut: str, poids: float) -> None:
        if statut == MesureStatut.EN_COURS:
            self.en_cours += 1
            self.charge_en_cours += poids
        elif statut == MesureStatut.EN_ATTENTE:
            self.en_attente += 1
            self.charge_en_attente += poids

    def columns(self) -> dict:
        return {
            "mesures_en_cours": self.en_cours,
            "mesures_en_attente": self.en_attente,
            "charge_en_cours": round(self.charge_en_cours, 6),
            "charge_en_attente": round(self.charge_en_attente, 6),
        }


@dataclass(eq=False)
class SeedEtablissement:
    id: int
    finess: str
    nom: str
    commune: Commune
    categorie: str
    public: bool
    places: int
    created_days_ago: int


@dataclass(eq=False)
class SeedSite:
    id: int
    nom: str
    commune: Commune
    capacite: int | None = None
    load: Load = field(default_factory=Load)


@dataclass(eq=False)
class SeedMandataire:
    id: int
    type: str
    departement: str  # home département (its first listing)
    nom: str
    target: int  # measures in progress or pending to generate
    dpf: bool = False
    natures: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    tribunaux: list[int] = field(default_factory=list)
    specialites: list[str] = field(default_factory=list)
    langues: list[str] = field(default_factory=list)
    rayon_km: int | None = None
    sites: list[SeedSite] = field(default_factory=list)
    etablissements: list[SeedEtablissement] = field(default_factory=list)
    capacite: int | None = None  # decided up front for préposés only; the others' follows their load
    belgian_fraction: float = 0.0
    statut: str = MandataireStatut.ACTIF
    load: Load = field(default_factory=Load)


@dataclass(frozen=True, slots=True)
class DepartementData:
    code: str
    nom: str
    region: str | None
    communes: list[Commune]
    lats: np.ndarray
    lons: np.ndarray
    populations: np.ndarray
    tribunals: np.ndarray  # tribunal id of each commune (the nearest seat of its département)
    picker: Picker  # communes by population
    towns: Picker  # communes of 3 000 inhabitants or more, by population (service offices, hospitals)
    centroid: tuple[float, float]


MESURE_KEYS = (
    "id",
    "mandataire_id",
    "site_id",
    "tribunal_id",
    "numero_rg",
    "numero_dossier",
    "nature",
    "champ",
    "lieu_vie",
    "pays",
    "insee",
    "code_postal",
    "commune",
    "nis",
    "departement",
    "etablissement_id",
    "civilite",
    "annee_naissance",
    "date_nomination",
    "date_fin_mesure",
    "cause_sortie",
    "statut",
    "poids",
    "created_at",
    "updated_at",
    "version",
)


class DemoSeeder:
    def __init__(
        self,
        gazetteer: Gazetteer,
        targets: ScaleTargets,
        *,
        seed: int,
        today: date,
        tribunals: list[tuple[int, str, str]],
        progress: Progress | None,
        etablissement_offset: int = 0,
        used_finess: set[str] | None = None,
        reservation_expiry_days: int = RESERVATION_EXPIRY_DAYS,
    ) -> None:
        self.gazetteer = gazetteer
        self.targets = targets
        self.rng = random.Random(seed)
        self.today = today
        self.progress = progress
        # Timestamps stop a little before midnight UTC of `today`, so that none is in the future in France.
        self.anchor = datetime.combine(today, time(0, 0), tzinfo=UTC) - timedelta(hours=3)
        self.days = [today - timedelta(days=i) for i in range(MAX_SPAN_DAYS + 400)]
        self.stamps = [min(datetime.combine(d, time(8, 30), tzinfo=UTC), self.anchor) for d in self.days]
        self.weights_cache: dict[tuple[str, str, str], float] = {}
        self.etablissement_offset = etablissement_offset
        self.used_finess = set(used_finess or ())
        self.used_sirets: set[str] = set()
        self.used_names: set[str] = set()

        self.tribunals_by_departement: dict[str, list[tuple[int, float, float]]] = {}
        for tribunal_id, code, departement in sorted(tribunals, key=lambda t: t[1]):
            entry = gazetteer.tribunaux.get(code)
            if entry is not None:
                self.tribunals_by_departement.setdefault(departement, []).append((tribunal_id, entry.lat, entry.lon))

        self.departements: dict[str, DepartementData] = {}
        self.mandataires: list[SeedMandataire] = []
        self.etablissements: list[SeedEtablissement] = []
        self.etablissements_by_departement: dict[str, list[SeedEtablissement]] = {}
        self.absences: list[dict] = []
        self.mesures: list[tuple] = []
        self.reservations: list[dict] = []
        self.reservation_expiry_days = reservation_expiry_days
        self.belgian_count = 0
        self.rg_counters: dict[tuple[int, int], int] = {}

    # --- geography ---------------------------------------------------------------------------------

    def tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def prepare_geography(self) -> None:
        codes = sorted(
            code
            for code, territory in self.gazetteer.departements.items()
            if self.targets.region is None or territory.region == self.targets.region
        )
        communes_by_departement: dict[str, list[Commune]] = {code: [] for code in codes}
        for insee in sorted(self.gazetteer.communes):
            commune = self.gazetteer.communes[insee]
            if commune.departement in communes_by_departement:
                communes_by_departement[commune.departement].append(commune)
        for code in codes:
            communes = communes_by_departement[code]
            tribunals = self.tribunals_by_departement.get(code)
            if not communes:
                continue
            if not tribunals:
                raise ValueError(
                    f"aucun tribunal en base pour le département {code} : lancez d'abord `mjpm db upgrade`"
                )
            lats = np.array([c.lat for c in communes])
            lons = np.array([c.lon for c in communes])
            populations = np.array([float(c.population) for c in communes])
            seats = np.array([(lat, lon) for _, lat, lon in tribunals])
            distances = haversine_km(lats[:, None], lons[:, None], seats[None, :, 0], seats[None, :, 1])
            tribunal_ids = np.array([t[0] for t in tribunals])[distances.argmin(axis=1)]
            territory = self.gazetteer.departements[code]
            centroid = territory.geometry.centroid
            self.departements[code] = DepartementData(
                code=code,
                nom=territory.nom,
                region=territory.region,
                communes=communes,
                lats=lats,
                lons=lons,
                populations=populations,
                tribunals=tribunal_ids,
                picker=Picker(communes, populations),
                towns=Picker(communes, np.where(populations >= TOWN_POPULATION, populations, 0.0))
                if (populations >= TOWN_POPULATION).any()
                else Picker(communes, populations),
                centroid=(centroid.y, centroid.x),
            )
        self.commune_tribunal = {
            c.insee: int(t) for d in self.departements.values() for c, t in zip(d.communes, d.tribunals, strict=True)
        }
        self.neighbours: dict[str, list[str]] = {}
        for code, data in self.departements.items():
            near = []
            for other, other_data in self.departements.items():
                if other != code:
                    km = float(haversine_km(*data.centroid, *other_data.centroid))
                    if km <= NEIGHBOUR_KM:
                        near.append((km, other))
            self.neighbours[code] = [other for _, other in sorted(near)]
        self.belgian = [self.gazetteer.belgian[nis] for nis in sorted(self.gazetteer.belgian)]
        self.belgian_lats = np.array([m.lat for m in self.belgian])
        self.belgian_lons = np.array([m.lon for m in self.belgian])

    # --- establishments ----------------------------------------------------------------------------

    def new_finess(self, departement: str) -> str:
        digits = 9 - len(departement)
        while True:
            finess = departement + f"{self.rng.randrange(10**digits):0{digits}d}"
            if finess not in self.used_finess:
                self.used_finess.add(finess)
                return finess

    def new_etablissement(
        self, departement: str, categorie: str, public: bool, places: int, commune: Commune
    ) -> SeedEtablissement:
        rng = self.rng
        residence = rng.choice(RESIDENCE_NAMES)
        nom = {
            CategorieEtablissement.EHPAD: f"EHPAD {residence}",
            CategorieEtablissement.HOPITAL: f"Centre hospitalier {of_commune(commune.nom)}",
            CategorieEtablissement.HOPITAL_PSYCHIATRIQUE: f"EPSM {of_commune(commune.nom)}",
            CategorieEtablissement.FOYER_ACCUEIL_MEDICALISE: f"Foyer d'accueil médicalisé {residence}",
            CategorieEtablissement.MAISON_ACCUEIL_SPECIALISEE: f"Maison d'accueil spécialisée {residence}",
            CategorieEtablissement.USLD: f"Unité de soins de longue durée {of_commune(commune.nom)}",
            CategorieEtablissement.AUTRE: f"Résidence autonomie {residence}",
        }[categorie]
        if categorie not in HOSPITALS:
            nom = f"{nom} ({commune.nom})"
        etablissement = SeedEtablissement(
            id=self.etablissement_offset + len(self.etablissements) + 1,
            finess=self.new_finess(departement),
            nom=nom,
            commune=commune,
            categorie=categorie,
            public=public,
            places=places,
            created_days_ago=rng.randint(30, 2_500),
        )
        self.etablissements.append(etablissement)
        self.etablissements_by_departement.setdefault(departement, []).append(etablissement)
        return etablissement

    def extra_etablissements(self, departement: str, count: int) -> None:
        data = self.departements[departement]
        categories = Picker.of({c: mix[0] for c, mix in ETABLISSEMENT_MIX.items()})
        for _ in range(count):
            categorie = categories.pick(self.rng)
            _, public_share, low, high = ETABLISSEMENT_MIX[categorie]
            self.new_etablissement(
                departement,
                categorie,
                self.rng.random() < public_share,
                self.rng.randint(low, high),
                (data.towns if categorie in HOSPITALS else data.picker).pick(self.rng),
            )

    # --- professionals -----------------------------------------------------------------------------

    def unique_name(self, make: Callable[[int], str]) -> str:
        for attempt in range(200):
            name = make(attempt)
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("no free name")  # pragma: no cover

    def person_name(self, attempt: int) -> str:
        rng = self.rng
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(SURNAME_HEADS) + rng.choice(SURNAME_TAILS)
        if attempt > 20:
            last = f"{last}-{rng.choice(SURNAME_HEADS)}{rng.choice(SURNAME_TAILS)}"
        return f"{first} {last}"

    def service_name(self, data: DepartementData, index: int, head: Commune, attempt: int) -> str:
        """'UDAF du Nord', 'ATMP du Nord'..., then 'Association Horizon de Lille' for the next ones."""
        if index < len(SERVICE_PREFIXES):
            return f"{SERVICE_PREFIXES[index]} {of_departement(data.nom)}" + (f" ({head.nom})" if attempt else "")
        return f"Association {self.rng.choice(ASSOCIATION_WORDS)} {of_commune(head.nom)}" + (
            f" {attempt}" if attempt > 8 else ""
        )

    def mi_load(self) -> int:
        """A number of measures drawn from the national MI load bands."""
        low, high, _ = MI_BAND_PICKER.pick(self.rng)
        return self.rng.randint(low, high)

    def create_professionals(self) -> None:
        rng, targets = self.rng, self.targets
        codes = list(self.departements)
        populations = [float(self.departements[c].populations.sum()) for c in codes]
        services_by = dict(zip(codes, allocate(targets.services, populations, minimum=1), strict=True))
        individuels_by = dict(zip(codes, allocate(targets.individuels, populations, minimum=2), strict=True))
        preposes_by = dict(zip(codes, allocate(targets.preposes, populations, minimum=1), strict=True))
        # Measures held in each département: population times a rate drawn in the national range.
        demand = {c: p * rng.uniform(*MEASURES_PER_1000) / 1000 for c, p in zip(codes, populations, strict=True)}
        active_target = round(targets.mesures * (1 - ETEINTE_SHARE))
        demand_scale = active_target / sum(demand.values())

        # Establishments: the préposés' own (public, over 80 places), then others.
        own: dict[str, list[SeedEtablissement]] = {}
        own_categories = Picker.of(PREPOSE_ETABLISSEMENT_MIX)
        for code in codes:
            data = self.departements[code]
            own[code] = [
                self.new_etablissement(code, own_categories.pick(rng), True, rng.randint(81, 400), data.towns.pick(rng))
                for _ in range(preposes_by[code])
            ]
            self.extra_etablissements(code, max(4, round(float(data.populations.sum()) / 28_000)))
        self.tick("professionnels", 0, targets.services + targets.individuels + targets.preposes)

        mandataires: list[SeedMandataire] = []
        load_individuels: dict[str, int] = dict.fromkeys(codes, 0)
        load_preposes: dict[str, int] = dict.fromkeys(codes, 0)
        services: dict[str, list[SeedMandataire]] = {}
        for code in codes:
            data = self.departements[code]
            services[code] = []
            for index in range(services_by[code]):
                head = data.towns.pick(rng)
                nom = self.unique_name(
                    lambda attempt, data=data, index=index, head=head: self.service_name(data, index, head, attempt)
                )
                mandataire = SeedMandataire(id=0, type=MandataireType.SERVICE, departement=code, nom=nom, target=0)
                mandataire.sites = [SeedSite(id=0, nom=f"Siège — {head.nom}", commune=head)]
                mandataire.dpf = rng.random() < (0.85 if index == 0 else 0.12)
                services[code].append(mandataire)
        for code in codes:
            data = self.departements[code]
            for _ in range(individuels_by[code]):
                office = data.picker.pick(rng)
                mandataire = SeedMandataire(
                    id=0,
                    type=MandataireType.INDIVIDUEL,
                    departement=code,
                    nom=self.unique_name(self.person_name),
                    target=self.mi_load(),
                )
                mandataire.sites = [SeedSite(id=0, nom=f"Cabinet — {office.nom}", commune=office)]
                mandataire.dpf = rng.random() < 0.05
                load_individuels[code] += mandataire.target
                mandataires.append(mandataire)
        preposes: list[SeedMandataire] = []
        for code in codes:
            for etablissement in own[code]:
                capacite = rng.randint(25, 70)
                mandataire = SeedMandataire(
                    id=0,
                    type=MandataireType.PREPOSE,
                    departement=code,
                    nom=self.unique_name(
                        lambda attempt, e=etablissement: (
                            f"Préposé MJPM — {e.nom}" + (f" {attempt + 1}" if attempt else "")
                        )
                    ),
                    target=max(15, round(capacite * rng.uniform(0.72, 1.04))),
                )
                mandataire.capacite = capacite
                mandataire.sites = [SeedSite(id=0, nom=etablissement.nom, commune=etablissement.commune)]
                mandataire.etablissements = [etablissement, *self.convention_etablissements(etablissement, own[code])]
                load_preposes[code] += mandataire.target
                preposes.append(mandataire)

        # Services hold what the individuals and préposés do not, département by département.
        service_total = active_target - sum(load_individuels.values()) - sum(load_preposes.values())
        need = {
            c: max(demand[c] * demand_scale - load_individuels[c] - load_preposes[c], 150.0 * services_by[c])
            for c in codes
        }
        need_scale = service_total / sum(need.values())
        service_list: list[SeedMandataire] = []
        need_shares = allocate(service_total, [need[c] * need_scale for c in codes])
        for code, share in zip(codes, need_shares, strict=True):
            weights = [
                (1.8 if index == 0 else 1.0) * (rng.gammavariate(2.0, 1.0) + 0.25)
                for index in range(len(services[code]))
            ]
            targets_here = allocate(share, weights, minimum=min(60, share // max(1, len(weights))))
            for mandataire, target in zip(services[code], targets_here, strict=True):
                mandataire.target = target
                service_list.append(mandataire)
        self.place_antennes(service_list)

        ordered = service_list + mandataires + preposes
        for number, mandataire in enumerate(ordered, start=1):
            mandataire.id = number
        site_id = 0
        for mandataire in ordered:
            for site in mandataire.sites:
                site_id += 1
                site.id = site_id
        self.mandataires = ordered
        for number, mandataire in enumerate(ordered, start=1):
            self.describe(mandataire)
            if number % 250 == 0:
                self.tick("professionnels", number, len(ordered))
        self.assign_belgium()
        self.tick("professionnels", len(ordered), len(ordered))

    def convention_etablissements(
        self, own: SeedEtablissement, others_own: list[SeedEtablissement]
    ) -> list[SeedEtablissement]:
        """0-2 more establishments of the département covered by convention, public and near ones first."""
        rng = self.rng
        count = Picker.of({0: 0.5, 1: 0.35, 2: 0.15}).pick(rng)
        if not count:
            return []
        pool = [
            e
            for e in self.etablissements_by_departement[own.commune.departement]
            if e is not own and e not in others_own
        ]
        if not pool:
            return []
        distances = haversine_km(
            own.commune.lat,
            own.commune.lon,
            np.array([e.commune.lat for e in pool]),
            np.array([e.commune.lon for e in pool]),
        )
        weights = [
            (3.0 if e.public else 1.0) * math.exp(-float(km) / 30.0) for e, km in zip(pool, distances, strict=True)
        ]
        return sample_distinct(rng, Picker(pool, weights), min(count, len(pool)))

    def place_antennes(self, services: list[SeedMandataire]) -> None:
        """Bigger services get more antennes; antennes lie in communes of their département, by population."""
        rng = self.rng
        counts = sorted((Picker.of(ANTENNES_MIX).pick(rng) for _ in services), reverse=True)
        by_size = sorted(services, key=lambda m: (-m.target, m.departement, m.nom))
        for mandataire, count in zip(by_size, counts, strict=True):
            data = self.departements[mandataire.departement]
            head = mandataire.sites[0].commune
            others = [c for c in sample_distinct(rng, data.towns, count) if c is not head][: count - 1]
            seen: Counter[str] = Counter([head.insee])
            for commune in others:
                seen[commune.insee] += 1
                suffix = f" {seen[commune.insee]}" if seen[commune.insee] > 1 else ""
                mandataire.sites.append(
                    SeedSite(id=0, nom=f"Antenne {of_commune(commune.nom)}{suffix}", commune=commune)
                )

    def describe(self, mandataire: SeedMandataire) -> None:
        """Title, listings, specialities and languages of a professional."""
        rng = self.rng
        code = mandataire.departement
        neighbours = self.neighbours[code]
        if mandataire.type == MandataireType.SERVICE:
            mandataire.natures = [*PROTECTION_NATURES]
            if rng.random() < 0.92:
                mandataire.natures.append(Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE)
            mandataire.departements = [code] + (neighbours[:1] if neighbours and rng.random() < 0.12 else [])
            mandataire.specialites = self.specialites(SPECIALITES)
            if rng.random() < 0.2:
                mandataire.langues = list(rng.choice(LANGUES))
        elif mandataire.type == MandataireType.INDIVIDUEL:
            mandataire.natures = [*PROTECTION_NATURES]
            if rng.random() < 0.8:
                mandataire.natures.append(Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE)
            listings = Picker.of({1: 0.45, 2: 0.35, 3: 0.2}).pick(rng)
            tribunals = self.tribunals_by_departement[code]
            if len(tribunals) >= 2 and rng.random() < 0.04:
                office = mandataire.sites[0].commune
                seats = sorted(tribunals, key=lambda t: (float(haversine_km(office.lat, office.lon, t[1], t[2])), t[0]))
                mandataire.tribunaux = [seats[0][0]] + ([seats[1][0]] if rng.random() < 0.35 else [])
                listings = 1
            near = [n for n in neighbours[:4]]
            mandataire.departements = [code] + (
                sample_distinct(rng, Picker(near, [1.0] * len(near)), min(listings - 1, len(near)))
                if near and listings > 1
                else []
            )
            mandataire.specialites = self.specialites(SPECIALITES)
            if rng.random() < 0.1:
                mandataire.langues = list(rng.choice(LANGUES))
            if rng.random() < 0.85:
                mandataire.rayon_km = rng.choice((50, 55, 60, 65, 70, 75, 80))
        else:
            mandataire.natures = [*PROTECTION_NATURES]
            mandataire.departements = [code]
            own = mandataire.etablissements[0].categorie
            favourite = {
                CategorieEtablissement.EHPAD: Specialite.PERSONNES_AGEES,
                CategorieEtablissement.USLD: Specialite.FIN_DE_VIE,
                CategorieEtablissement.HOPITAL_PSYCHIATRIQUE: Specialite.PSYCHIATRIE,
            }.get(own, Specialite.SITUATIONS_COMPLEXES)
            mandataire.specialites = self.specialites(SPECIALITES, favourite=favourite)
        if mandataire.dpf:
            mandataire.natures.append(Nature.MJAGBF)
        mandataire.statut = Picker.of(STATUT_MIX).pick(rng)

    def specialites(self, pool: Sequence[str], favourite: str | None = None) -> list[str]:
        count = Picker.of({0: 0.25, 1: 0.35, 2: 0.25, 3: 0.15}).pick(self.rng)
        weights = [4.0 if s == favourite else 1.0 for s in pool]
        chosen = sample_distinct(self.rng, Picker(pool, weights), count)
        return sorted(chosen, key=list(pool).index)

    def assign_belgium(self) -> None:
        """A few services and MIs of the border départements work in Belgium, for 1-2 % of those measures."""
        rng = self.rng
        border = [c for c in BELGIAN_BORDER if c in self.departements]
        if not border:
            return
        chosen: list[SeedMandataire] = []
        for code in border:
            main = code in ("59", "62", "02", "08")
            services = [m for m in self.mandataires if m.type == MandataireType.SERVICE and m.departement == code]
            quota = max(1, round(len(services) * 0.25)) if code == "59" else (1 if main or rng.random() < 0.5 else 0)
            chosen += sample_distinct(
                rng, Picker(services, [float(m.target) for m in services]), min(quota, len(services))
            )
            for mandataire in self.mandataires:
                if (
                    mandataire.type == MandataireType.INDIVIDUEL
                    and mandataire.departement == code
                    and not mandataire.tribunaux
                    and rng.random() < (0.1 if main else 0.05)
                ):
                    chosen.append(mandataire)
        if not chosen:
            return
        base = sum(m.target for m in self.mandataires if m.departement in border)
        fraction = min(BELGIAN_MAX_FRACTION, BELGIAN_SHARE * base / sum(m.target for m in chosen))
        for mandataire in chosen:
            mandataire.specialites = sorted({*mandataire.specialites[:2], Specialite.BELGIQUE}, key=[*Specialite].index)
            if not mandataire.langues and rng.random() < 0.5:
                mandataire.langues = ["néerlandais"]
            mandataire.belgian_fraction = fraction

    # --- measures ----------------------------------------------------------------------------------

    def weight(self, nature: str, lieu_vie: str, pays: str) -> float:
        key = (nature, lieu_vie, pays)
        value = self.weights_cache.get(key)
        if value is None:
            value = self.weights_cache[key] = measure_weight(nature, lieu_vie, pays, weights={}, belgian_factor=1.0)
        return value

    def numero_rg(self, tribunal_id: int, year: int) -> str:
        key = (tribunal_id, year % 100)
        number = self.rg_counters.get(key, 0) + 1
        self.rg_counters[key] = number
        return f"{year % 100:02d}/{number:05d}"

    def create_measures(self) -> None:
        total = len(self.mandataires)
        self.tick("mesures", 0, total)
        for number, mandataire in enumerate(self.mandataires, start=1):
            self.measures_of(mandataire)
            if number % 100 == 0 or number == total:
                self.tick("mesures", number, total)

    def measures_of(self, mandataire: SeedMandataire) -> None:
        rng = self.rng
        sites = mandataire.sites
        sigma = {MandataireType.SERVICE: 35.0, MandataireType.INDIVIDUEL: 25.0}.get(mandataire.type, 12.0)
        # Candidate communes: those of its listed départements, by population and nearness to its nearest site.
        departements = [self.departements[c] for c in mandataire.departements]
        communes = [c for d in departements for c in d.communes]
        lats = np.concatenate([d.lats for d in departements])
        lons = np.concatenate([d.lons for d in departements])
        site_lats = np.array([s.commune.lat for s in sites])
        site_lons = np.array([s.commune.lon for s in sites])
        distances = haversine_km(lats[:, None], lons[:, None], site_lats[None, :], site_lons[None, :])
        nearest = distances.argmin(axis=1)
        closeness = np.exp(-distances.min(axis=1) / sigma)
        weights = np.concatenate([d.populations for d in departements]) * closeness
        if mandataire.tribunaux:
            allowed = np.isin(np.concatenate([d.tribunals for d in departements]), mandataire.tribunaux)
            weights = weights * allowed
            closeness = closeness * allowed
        commune_picker = Picker(range(len(communes)), weights)
        position = {c.insee: i for i, c in enumerate(communes)}
        nearest_site = nearest.tolist()

        if mandataire.type == MandataireType.PREPOSE:
            own, *others = mandataire.etablissements
            etablissement_picker = Picker(
                [own, *others], [0.7] + [0.3 / len(others)] * len(others) if others else [1.0]
            )
        else:
            pool = [e for d in departements for e in self.etablissements_by_departement.get(d.code, ())]
            etablissement_picker = Picker(pool, [e.places * float(closeness[position[e.commune.insee]]) for e in pool])

        belgian_picker = None
        if mandataire.belgian_fraction:
            km = haversine_km(
                self.belgian_lats[:, None], self.belgian_lons[:, None], site_lats[None, :], site_lons[None, :]
            )
            belgian_nearest = km.argmin(axis=1).tolist()
            near = km.min(axis=1)
            belgian_weights = np.where(near <= 90.0, np.exp(-near / 25.0), 0.0)
            if not belgian_weights.any():
                belgian_weights[np.argsort(near, kind="stable")[:15]] = 1.0
            belgian_picker = Picker(range(len(self.belgian)), belgian_weights)
            seats = [
                t
                for t in self.tribunals_by_departement[mandataire.departement]
                if not mandataire.tribunaux or t[0] in mandataire.tribunaux
            ]
            seat_km = haversine_km(
                self.belgian_lats[:, None],
                self.belgian_lons[:, None],
                np.array([t[1] for t in seats])[None, :],
                np.array([t[2] for t in seats])[None, :],
            )
            belgian_tribunal = [seats[i][0] for i in seat_km.argmin(axis=1).tolist()]

        mix = PREPOSE_NATURE_MIX if mandataire.type == MandataireType.PREPOSE else NATURE_MIX
        natures = Picker([n for n in mix if n in mandataire.natures], [mix[n] for n in mix if n in mandataire.natures])
        lieux = Picker.of(PREPOSE_LIEU_MIX if mandataire.type == MandataireType.PREPOSE else LIEU_MIX)
        belgian_lieux = Picker.of(BELGIAN_LIEU_MIX)
        champs = Picker.of(CHAMP_MIX)
        causes = Picker.of(CAUSE_MIX)
        can_wait = mandataire.statut == MandataireStatut.ACTIF
        closed = int(mandataire.target * ETEINTE_SHARE / (1 - ETEINTE_SHARE) + rng.random())
        days, stamps, today_year = self.days, self.stamps, self.today.year
        rows = self.mesures

        for index in range(mandataire.target + closed):
            nature = natures.pick(rng)
            etablissement = None
            if belgian_picker is not None and rng.random() < mandataire.belgian_fraction and nature != Nature.MJAGBF:
                pays = "BE"
                lieu = belgian_lieux.pick(rng)
                i = belgian_picker.pick(rng)
                municipality: BelgianMunicipality = self.belgian[i]
                codes = municipality.codes_postaux
                place = (
                    None,
                    codes[0] if len(codes) == 1 else rng.choice(codes),
                    municipality.nom_fr,
                    municipality.nis,
                    None,
                )
                site = sites[belgian_nearest[i]]
                tribunal_id = belgian_tribunal[i]
            else:
                pays = "FR"
                lieu = LieuVie.DOMICILE if nature == Nature.MJAGBF else lieux.pick(rng)
                if (
                    nature == Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE
                    and lieu in IN_ETABLISSEMENT
                    and rng.random() < 0.7
                ):
                    lieu = LieuVie.DOMICILE
                if (
                    lieu in IN_ETABLISSEMENT
                    and etablissement_picker
                    and (
                        mandataire.type == MandataireType.PREPOSE
                        or (lieu == LieuVie.ETABLISSEMENT and rng.random() < 0.45)
                    )
                ):
                    etablissement = etablissement_picker.pick(rng)
                    commune = etablissement.commune
                    site = sites[nearest_site[position[commune.insee]]] if commune.insee in position else sites[0]
                else:
                    k = commune_picker.pick(rng)
                    commune = communes[k]
                    site = sites[nearest_site[k]]
                codes = commune.codes_postaux
                postcode = (codes[0] if len(codes) == 1 else rng.choice(codes)) if codes else None
                place = (commune.insee, postcode, commune.nom, None, commune.departement)
                tribunal_id = self.commune_tribunal[commune.insee]

            if index < mandataire.target:
                statut = (
                    MesureStatut.EN_ATTENTE if can_wait and rng.random() < EN_ATTENTE_RATE else MesureStatut.EN_COURS
                )
                if statut == MesureStatut.EN_ATTENTE:
                    ago = rng.randint(0, self.reservation_expiry_days - 1)
                else:
                    ago = int(NATURE_SPAN_DAYS.get(nature, MAX_SPAN_DAYS) * rng.random() ** 1.6)
                end, cause, updated = None, None, stamps[ago]
            else:
                statut = MesureStatut.ETEINTE
                ago = 60 + int((MAX_SPAN_DAYS - 60) * rng.random() ** 1.3)
                end_ago = rng.randint(0, min(ago - 30, 1_095))
                end, cause, updated = days[end_ago], causes.pick(rng), stamps[end_ago]
            if lieu in IN_ETABLISSEMENT:
                age = rng.triangular(30, 101, 84)
            elif nature == Nature.MJAGBF:
                age = rng.triangular(19, 60, 34)
            else:
                age = rng.triangular(18, 96, 52)
            birth_year = today_year - int(age)
            day = days[ago]
            # A reserved measure is named by the judgment, when the professional accepts: no date yet.
            nomination = None if statut == MesureStatut.EN_ATTENTE else day
            poids = self.weight(nature, lieu, pays)
            champ = (
                Champ.BIEN if nature in (Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE, Nature.MJAGBF) else champs.pick(rng)
            )
            civilite = Civilite.MADAME if rng.random() < 0.54 else Civilite.MONSIEUR
            mesure_id = len(rows) + 1
            numero_rg = self.numero_rg(tribunal_id, day.year)
            rows.append(
                (
                    mesure_id,
                    mandataire.id,
                    site.id,
                    tribunal_id,
                    numero_rg,
                    None,
                    str(nature),
                    str(champ),
                    str(lieu),
                    pays,
                    *place,
                    etablissement.id if etablissement else None,
                    str(civilite),
                    birth_year,
                    nomination,
                    end,
                    str(cause) if cause else None,
                    str(statut),
                    poids,
                    stamps[ago],
                    updated,
                    1,
                )
            )
            mandataire.load.add(statut, poids)
            site.load.add(statut, poids)
            if statut == MesureStatut.EN_ATTENTE:
                self.reserve(mesure_id, mandataire.id, site.id, tribunal_id, numero_rg, str(nature), stamps[ago])
            if pays == "BE":
                self.belgian_count += 1

    def reserve(
        self,
        mesure_id: int,
        mandataire_id: int,
        site_id: int,
        tribunal_id: int,
        numero_rg: str,
        nature: str,
        created_at: datetime,
    ) -> None:
        """The pending reservation behind a measure `en_attente` (it expires like one made through the API)."""
        rng = self.rng
        famille = FAMILLE_PICKER.pick(rng)
        self.reservations.append(
            {
                "id": len(self.reservations) + 1,
                "mesure_id": mesure_id,
                "match_id": None,
                "mandataire_id": mandataire_id,
                "site_id": site_id,
                "tribunal_id": tribunal_id,
                "token_id": None,
                "numero_rg": numero_rg,
                "nature": nature,
                "statut": str(ReservationStatut.EN_ATTENTE),
                "cabinet": None,
                "date_jugement_prevue": None,
                "urgence": rng.random() < 0.08,
                "famille": str(famille),
                "famille_motif": rng.choice(FAMILY_REFUSALS) if famille == Famille.PROCHE_REFUSE else None,
                "hors_liste": False,
                "justification": None,
                "motif_refus": None,
                "idempotency_key": None,
                "created_at": created_at,
                "expires_at": created_at + timedelta(days=self.reservation_expiry_days),
                "reminded_at": None,
                "answered_at": None,
                "version": 1,
            }
        )

    # --- rows --------------------------------------------------------------------------------------

    def stamp(self, days_ago: float) -> datetime:
        return self.anchor - timedelta(days=days_ago)

    def capacity(self, mandataire: SeedMandataire) -> tuple[int, int | None]:
        rng = self.rng
        active = mandataire.load.en_cours + mandataire.load.en_attente
        if mandataire.type == MandataireType.PREPOSE:
            return mandataire.capacite or active, None
        roll = rng.random()
        if mandataire.type == MandataireType.INDIVIDUEL:
            if roll < 0.12:
                capacite = active  # full
            elif roll < 0.18:
                capacite = int(active * rng.uniform(0.8, 0.95))  # over capacity
            elif roll < 0.25:
                capacite = active * 2 + rng.randint(5, 15)  # room to grow
            else:
                capacite = round(active * rng.uniform(1.05, 1.4)) + rng.randint(1, 4)
            return max(capacite, 3), None
        if roll < 0.1:
            capacite = active
        elif roll < 0.15:
            capacite = int(active * rng.uniform(0.92, 0.98))
        else:
            capacite = round(active * rng.uniform(1.02, 1.18))
        autorisee = None
        if rng.random() < 0.4:
            autorisee = int(math.ceil(max(capacite, active) * rng.uniform(1.0, 1.15) / 10.0) * 10)
        return capacite, autorisee

    def mandataire_rows(self) -> tuple[list[dict], dict[str, list[dict]]]:
        rng = self.rng
        rows: list[dict] = []
        links: dict[str, list[dict]] = {
            "nature": [],
            "departement": [],
            "tribunal": [],
            "specialite": [],
            "etablissement": [],
            "site": [],
        }
        remplacants: dict[str, list[int]] = {}
        for mandataire in self.mandataires:
            if mandataire.type == MandataireType.INDIVIDUEL and mandataire.statut == MandataireStatut.ACTIF:
                remplacants.setdefault(mandataire.departement, []).append(mandataire.id)
        for mandataire in self.mandataires:
            capacite, autorisee = self.capacity(mandataire)
            statut_depuis = statut_jusqu_au = None
            if mandataire.statut == MandataireStatut.SUSPENDU:
                statut_depuis = self.days[rng.randint(0, 5)]
                statut_jusqu_au = statut_depuis + timedelta(days=8)
            elif mandataire.statut == MandataireStatut.CESSATION:
                statut_depuis = self.days[rng.randint(1, 40)]
                statut_jusqu_au = statut_depuis + timedelta(days=61)
            stale = rng.random() < 0.15
            updated_ago = rng.uniform(46, 400) if stale else rng.uniform(0.02, 30)
            created_ago = updated_ago + rng.uniform(30, 3_000)
            if mandataire.type == MandataireType.INDIVIDUEL:
                first, last = mandataire.nom.split(" ", 1)
                email = (
                    f"{normalize_name(first).replace(' ', '-')}.{normalize_name(last).replace(' ', '-')}@mjpm.example"
                )
            elif mandataire.type == MandataireType.SERVICE:
                email = f"contact@{normalize_name(mandataire.nom).replace(' ', '-')[:60]}.example"
            else:
                email = None
            region = self.departements[mandataire.departement].region
            prefix = PHONE_PREFIX.get(region or "", "01 99 00")
            rows.append(
                {
                    "id": mandataire.id,
                    "type": str(mandataire.type),
                    "dpf": mandataire.dpf,
                    "nom": mandataire.nom,
                    "nom_recherche": normalize_name(mandataire.nom),
                    "siret": None if mandataire.type == MandataireType.PREPOSE else new_siret(rng, self.used_sirets),
                    "email": email,
                    "telephone": f"{prefix} {rng.randrange(100):02d} {rng.randrange(100):02d}",
                    "statut": str(mandataire.statut),
                    "statut_depuis": statut_depuis,
                    "statut_jusqu_au": statut_jusqu_au,
                    "langues": mandataire.langues,
                    "rayon_km": mandataire.rayon_km,
                    "capacite": capacite,
                    "capacite_autorisee": autorisee,
                    "accepte_nouvelles_mesures": mandataire.statut != MandataireStatut.CESSATION
                    and rng.random() >= 0.05,
                    "derniere_mise_a_jour": self.stamp(updated_ago),
                    "created_at": self.stamp(created_ago),
                    "updated_at": self.stamp(updated_ago),
                    "version": 1,
                    **mandataire.load.columns(),
                }
            )
            links["nature"] += [{"mandataire_id": mandataire.id, "nature": str(n)} for n in mandataire.natures]
            links["departement"] += [
                {"mandataire_id": mandataire.id, "departement": d} for d in mandataire.departements
            ]
            links["tribunal"] += [{"mandataire_id": mandataire.id, "tribunal_id": t} for t in mandataire.tribunaux]
            links["specialite"] += [
                {"mandataire_id": mandataire.id, "specialite": str(s)} for s in mandataire.specialites
            ]
            links["etablissement"] += [
                {"mandataire_id": mandataire.id, "etablissement_id": e.id} for e in mandataire.etablissements
            ]
            for site in mandataire.sites:
                site_capacite = None
                if mandataire.type == MandataireType.SERVICE and rng.random() < 0.35:
                    site_active = site.load.en_cours + site.load.en_attente
                    site_capacite = max(10, round(site_active * rng.uniform(1.0, 1.2)))
                links["site"].append(
                    {
                        "id": site.id,
                        "mandataire_id": mandataire.id,
                        "nom": site.nom,
                        "insee": site.commune.insee,
                        "departement": site.commune.departement,
                        "lat": site.commune.lat,
                        "lon": site.commune.lon,
                        "capacite": site_capacite,
                        **site.load.columns(),
                    }
                )
            if rng.random() < 0.06:
                self.absence(mandataire, remplacants.get(mandataire.departement, []))
        return rows, links

    def absence(self, mandataire: SeedMandataire, remplacants: list[int]) -> None:
        rng = self.rng
        motif = Picker.of(MOTIF_MIX).pick(rng)
        if rng.random() < 0.4:  # current
            debut = self.days[rng.randint(1, 12)]
            fin = self.today + timedelta(days=rng.randint(2, 30))
        else:  # future
            debut = self.today + timedelta(days=rng.randint(5, 75))
            fin = debut + timedelta(days=rng.randint(4, 30))
        if motif == MotifAbsence.DEPART_RETRAITE:
            fin = debut + timedelta(days=rng.randint(180, 365))
        others = [i for i in remplacants if i != mandataire.id]
        remplacant = (
            rng.choice(others)
            if others and mandataire.type == MandataireType.INDIVIDUEL and rng.random() < 0.4
            else None
        )
        self.absences.append(
            {
                "id": len(self.absences) + 1,
                "mandataire_id": mandataire.id,
                "debut": debut,
                "fin": fin,
                "motif": str(motif),
                "remplacant_id": remplacant,
            }
        )

    def etablissement_rows(self) -> list[dict]:
        return [
            {
                "id": e.id,
                "finess": e.finess,
                "nom": e.nom,
                "nom_recherche": normalize_name(e.nom),
                "insee": e.commune.insee,
                "departement": e.commune.departement,
                "lat": e.commune.lat,
                "lon": e.commune.lon,
                "categorie": str(e.categorie),
                "public": e.public,
                "places_permanentes": e.places,
                "created_at": self.stamp(e.created_days_ago),
                "version": 1,
            }
            for e in self.etablissements
        ]


def _insert(
    connection: Connection,
    table: Table,
    rows: Sequence,
    done: list[int],
    total: int,
    tick: Callable,
    keys: tuple[str, ...] | None = None,
) -> None:
    for start in range(0, len(rows), CHUNK_SIZE):
        chunk = rows[start : start + CHUNK_SIZE]
        connection.execute(table.insert(), [dict(zip(keys, row, strict=True)) for row in chunk] if keys else chunk)
        done[0] += len(chunk)
        tick("insertion", done[0], total)


def _reset_sequences(connection: Connection, tables: Sequence[Table]) -> None:
    """PostgreSQL sequences do not see explicit keys: move them past the inserted ids."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max_id) "
                f"FROM (SELECT max(id) AS max_id FROM {table.name}) AS m WHERE max_id IS NOT NULL"
            )
        )


def seed_demo(
    engine: Engine,
    gazetteer: Gazetteer,
    *,
    scale: Scale,
    seed: int = 1,
    today: date | None = None,
    progress: Progress | None = None,
    reservation_expiry_days: int = RESERVATION_EXPIRY_DAYS,
) -> SeedSummary:
    """Fill an empty, migrated database (tribunals synced) with a synthetic register, in one transaction.

    `progress(stage, done, total)` is called as the work advances, for the stages "professionnels", "mesures"
    (professionals whose measures are generated) and "insertion" (rows written); each ends with done == total.
    Pending measures get a pending reservation expiring after `reservation_expiry_days` (pass the settings').
    Raises ValueError when the database already holds professionals or has no tribunals."""
    started = clock.perf_counter()
    targets = SCALES[scale]
    today = today or date.today()
    with engine.connect() as connection:
        if connection.scalar(select(Mandataire.id).limit(1)) is not None:
            raise ValueError(
                "la base contient déjà des mandataires : le jeu de démonstration ne s'installe que sur une base vide"
            )
        tribunals = [tuple(row) for row in connection.execute(select(Tribunal.id, Tribunal.code, Tribunal.departement))]
        etablissement_offset = connection.scalar(select(func.coalesce(func.max(Etablissement.id), 0))) or 0
        used_finess = set(connection.scalars(select(Etablissement.finess)))
    if not tribunals:
        raise ValueError("la table des tribunaux est vide : lancez d'abord `mjpm db upgrade`")

    seeder = DemoSeeder(
        gazetteer,
        targets,
        seed=seed,
        today=today,
        tribunals=tribunals,
        progress=progress,
        etablissement_offset=etablissement_offset,
        used_finess=used_finess,
        reservation_expiry_days=reservation_expiry_days,
    )
    seeder.prepare_geography()
    seeder.create_professionals()
    seeder.create_measures()
    mandataires, links = seeder.mandataire_rows()
    etablissements = seeder.etablissement_rows()

    plan: list[tuple[Table, Sequence, tuple[str, ...] | None]] = [
        (Etablissement.__table__, etablissements, None),
        (Mandataire.__table__, mandataires, None),
        (MandataireNature.__table__, links["nature"], None),
        (MandataireDepartement.__table__, links["departement"], None),
        (MandataireTribunal.__table__, links["tribunal"], None),
        (MandataireSpecialite.__table__, links["specialite"], None),
        (MandataireEtablissement.__table__, links["etablissement"], None),
        (Site.__table__, links["site"], None),
        (Absence.__table__, seeder.absences, None),
        (Mesure.__table__, seeder.mesures, MESURE_KEYS),
        (Reservation.__table__, seeder.reservations, None),
    ]
    total = sum(len(rows) for _, rows, _ in plan)
    done = [0]
    seeder.tick("insertion", 0, total)
    with engine.begin() as connection:
        for table, rows, keys in plan:
            _insert(connection, table, rows, done, total, seeder.tick, keys)
        # Core inserts skip the ORM hook that stamps registry changes: move the stamp, so that running workers
        # rebuild their matching index.
        connection.execute(update(RegistryVersion).values(version=RegistryVersion.version + 1))
        _reset_sequences(
            connection,
            [t for t, _, _ in plan if "id" in t.c and t.c.id.primary_key],
        )

    by_type = Counter(m.type for m in seeder.mandataires)
    statut_column = MESURE_KEYS.index("statut")
    by_statut = Counter(row[statut_column] for row in seeder.mesures)
    return SeedSummary(
        scale=scale,
        seed=seed,
        mandataires={str(t): by_type.get(t, 0) for t in MandataireType},
        sites=len(links["site"]),
        antennes=sum(len(m.sites) for m in seeder.mandataires if m.type == MandataireType.SERVICE),
        etablissements=len(etablissements),
        absences=len(seeder.absences),
        mesures={str(s): by_statut.get(str(s), 0) for s in MesureStatut},
        reservations=len(seeder.reservations),
        mesures_belges=seeder.belgian_count,
        elapsed_s=round(clock.perf_counter() - started, 2),
    )
