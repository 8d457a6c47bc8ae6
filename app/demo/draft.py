"""The demo register while it is being drawn: one random generator, the territory, the rows so far.

Each module of `app.demo` adds what it generates to one `Draft`, in the fixed order `seed.seed_demo` follows:
the same seed and the same day walk the same draws.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from app.demo import tunables as t
from app.demo.geography import Geography
from app.demo.tunables import MAX_SPAN_DAYS, ScaleTargets
from app.geo.gazetteer import Commune
from app.registry.constants import MandataireStatut, MesureStatut

Progress = Callable[[str, int, int], None]


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


class Draft:
    def __init__(
        self,
        geography: Geography,
        targets: ScaleTargets,
        *,
        seed: int,
        today: date,
        progress: Progress | None,
        reservation_expiry_days: int,
        etablissement_offset: int = 0,
        used_finess: set[str] | None = None,
    ) -> None:
        self.geography = geography
        self.targets = targets
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today
        self.progress = progress
        self.reservation_expiry_days = reservation_expiry_days
        # Timestamps stop a little before midnight UTC of `today`, so that none is in the future in France.
        self.anchor = datetime.combine(today, time(0, 0), tzinfo=UTC) - timedelta(hours=3)
        self.days = [today - timedelta(days=i) for i in range(MAX_SPAN_DAYS + 400)]
        self.stamps = [min(datetime.combine(d, time(8, 30), tzinfo=UTC), self.anchor) for d in self.days]
        # The history: its first day, and per day back, the chance that a judgment drawn on it is kept (the
        # season's) and the working day a judgment of that day moves to (a weekend's goes to the Friday before).
        self.history_start = date(today.year - t.HISTORY_YEARS, 1, 1)
        self.history_days = (today - self.history_start).days
        busiest = max(t.SEASONALITY.values())
        self.season = [t.SEASONALITY[d.month] / busiest for d in self.days]
        last = len(self.days) - 1
        self.workday = [min(last, i + max(0, d.weekday() - 4)) for i, d in enumerate(self.days)]
        self.etablissement_offset = etablissement_offset
        self.used_finess = set(used_finess or ())
        self.used_sirets: set[str] = set()
        self.used_names: set[str] = set()

        self.mandataires: list[SeedMandataire] = []
        self.etablissements: list[SeedEtablissement] = []
        self.etablissements_by_departement: dict[str, list[SeedEtablissement]] = {}
        self.absences: list[dict] = []
        self.mesures: list[tuple] = []
        self.reservations: list[tuple] = []  # in the order of `reservations.RESERVATION_KEYS`
        self.belgian_count = 0
        self.weights_cache: dict[tuple[str, str, str], float] = {}
        self.rg_counters: dict[tuple[int, int], int] = {}
        # Professionals a judge may have reserved first, by (département, nature) (`reservations.others`).
        self.candidates: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def stamp(self, days_ago: float) -> datetime:
        return self.anchor - timedelta(days=days_ago)
