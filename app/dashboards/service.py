"""Dashboard tables for cohesion-sociale agents: one function per table.

Every figure is computed by the database (GROUP BY over indexed columns) or read from the load counters that
`app.registry.load` keeps on each professional; no function loads the measures into Python. The only work done
in Python is folding a few hundred aggregated rows (départements into régions, ranks, months) and the coverage
distances, computed with numpy over the communes of the reference geography and the sites of the professionals.

Territory: the caller's territory (`Principal.departements`) bounds every table; a filter reaching outside it
is refused (403 `hors_territoire`), never silently emptied. A professional listed in several départements is
counted once, in its *département de rattachement* (that of its first site, or its first listed département
when it has no site), so that national and regional totals add up; with a `tribunal` filter, the professionals
who can serve that tribunal are all counted in the tribunal's département.
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from statistics import median
from typing import Any, Literal

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    not_,
    select,
)
from sqlalchemy.orm import Session, aliased

from app.auth.exceptions import Forbidden
from app.auth.principal import Principal
from app.dashboards.schemas import Colonne, ColumnType, Tableau, TableauRef, Value
from app.designation.constants import ReservationStatut
from app.designation.models import Reservation
from app.errors import InvalidInput
from app.geo.distance import haversine_km
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal
from app.geo.tribunals import resolve_tribunal
from app.registry.constants import MI_LOAD_BANDS, MandataireStatut, MandataireType, MesureStatut, Nature
from app.registry.models import (
    Etablissement,
    Mandataire,
    MandataireDepartement,
    MandataireEtablissement,
    MandataireNature,
    Mesure,
    Site,
)
from app.registry.repository import available_on, serves_tribunal

Par = Literal["departement", "region"]
ParFraicheur = Literal["departement", "region", "mandataire"]

TYPES = [MandataireType.SERVICE, MandataireType.INDIVIDUEL, MandataireType.PREPOSE]
TYPE_LABELS = {
    MandataireType.SERVICE: "service",
    MandataireType.INDIVIDUEL: "individuel",
    MandataireType.PREPOSE: "préposé",
}
# Professionals who still hold their measures: everyone but those removed from the list.
EN_EXERCICE = (MandataireStatut.ACTIF, MandataireStatut.SUSPENDU, MandataireStatut.CESSATION)
STALE_AFTER_DAYS = 31
OBLIGED_PLACES = 80  # public establishments with more permanent places must have a préposé
DEFAULT_FLUX_MONTHS = 12
MAX_FLUX_MONTHS = 360  # one row per month

# The national MI load bands (inclusive bounds), after a band for MIs holding no measure (no 2012 reference).
BANDS: list[tuple[int, int | None, int | None]] = [(0, 0, None), *MI_LOAD_BANDS]


@dataclass(frozen=True, slots=True)
class TableSpec:
    nom: str
    titre: str
    description: str
    parametres: tuple[str, ...] = ()


TABLES: dict[str, TableSpec] = {
    spec.nom: spec
    for spec in (
        TableSpec(
            "charge",
            "Charge des mandataires par territoire et par type",
            "Professionnels, capacité déclarée, mesures en cours et en attente, places libres, taux d'occupation, "
            "charge pondérée et nombre de professionnels en surcapacité.",
            ("par",),
        ),
        TableSpec(
            "tension",
            "Territoires en tension",
            "Territoires classés par places libres pour 1 000 habitants et par taux d'occupation.",
            ("par",),
        ),
        TableSpec(
            "couverture",
            "Communes sans professionnel disponible à portée",
            "Pour une nature de mesure et une distance, les communes sans professionnel disponible à moins de "
            "cette distance, et la population concernée.",
            ("nature", "distance_km"),
        ),
        TableSpec(
            "histogramme-individuels",
            "Charge des mandataires individuels par tranche",
            "Mandataires individuels par tranche de mesures détenues, avec le repère national de 2012.",
        ),
        TableSpec(
            "flux",
            "Flux mensuels de mesures et de réservations",
            "Mesures ouvertes et éteintes par mois et par type ; réservations acceptées, refusées et expirées ; "
            "délai médian d'acceptation.",
            ("debut", "fin"),
        ),
        TableSpec(
            "belgique",
            "Mesures de personnes résidant en Belgique",
            "Mesures dont la personne réside en Belgique, par année de nomination et par professionnel.",
            ("debut", "fin"),
        ),
        TableSpec(
            "fraicheur",
            "Fraîcheur des disponibilités déclarées",
            f"Professionnels actifs dont la disponibilité n'a pas été mise à jour depuis plus de {STALE_AFTER_DAYS} "
            "jours, et leur part par territoire.",
            ("par",),
        ),
        TableSpec(
            "preposes",
            f"Établissements publics de plus de {OBLIGED_PLACES} places sans préposé",
            f"Établissements publics de plus de {OBLIGED_PLACES} places permanentes qu'aucun préposé actif ne couvre.",
        ),
    )
}


def index(prefix: str = "/tableaux-de-bord") -> list[TableauRef]:
    return [
        TableauRef(
            nom=spec.nom,
            titre=spec.titre,
            description=spec.description,
            parametres=list(spec.parametres),
            url=f"{prefix}/{spec.nom}",
            csv=f"{prefix}/{spec.nom}.csv",
            xlsx=f"{prefix}/{spec.nom}.xlsx",
        )
        for spec in TABLES.values()
    ]


# --- territory and filters ---------------------------------------------------------------------------


class OutsideTerritory(Forbidden):
    default_code = "hors_territoire"


@dataclass(frozen=True, slots=True)
class Filtres:
    """The common filters as the caller gave them."""

    region: str | None = None
    departement: str | None = None
    tribunal: str | None = None
    type: MandataireType | None = None
    debut: date | None = None
    fin: date | None = None


@dataclass(frozen=True)
class Perimetre:
    """The filters resolved against the caller's territory."""

    departements: frozenset[str] | None  # None: the whole country
    tribunal: Tribunal | None
    type: MandataireType | None
    debut: date | None
    fin: date | None
    now: datetime
    demandes: dict[str, Value] = field(default_factory=dict)  # the territorial filters as given, to echo back

    @property
    def today(self) -> date:
        return self.now.date()

    def codes(self, gazetteer: Gazetteer) -> list[str]:
        """The départements of the perimeter, in code order."""
        if self.tribunal is not None:
            return [self.tribunal.departement]
        if self.departements is None:
            return sorted(gazetteer.departements)
        return sorted(self.departements)

    def filtres(self, *, type: MandataireType | None | Literal[False] = False, **extra: Value) -> dict[str, Any]:
        """The filters a table applied: territory, those given, its own parameters (`type=None` when the table
        ignores the type filter, `type=X` when it forces one)."""
        applied: dict[str, Any] = {
            "territoire": None if self.departements is None else sorted(self.departements),
            **self.demandes,
        }
        chosen = self.type if type is False else type
        if chosen is not None:
            applied["type"] = chosen.value
        applied.update(extra)
        return applied


def resolve_perimetre(
    session: Session, gazetteer: Gazetteer, principal: Principal, filtres: Filtres, *, now: datetime
) -> Perimetre:
    """Intersect the filters with the caller's territory: 422 for an unknown or inconsistent filter, 403
    `hors_territoire` for one outside the territory (a région must lie wholly inside it)."""
    allowed = principal.departements
    departements = allowed
    demandes: dict[str, Value] = {}

    def check_inside(codes: frozenset[str], what: str, loc: str) -> None:
        if allowed is not None and not codes <= allowed:
            raise OutsideTerritory(f"{what} hors de votre territoire", loc=["query", loc])

    if filtres.region is not None:
        if filtres.region not in gazetteer.regions:
            raise InvalidInput(f"région inconnue : {filtres.region}", code="region_inconnue", loc=["query", "region"])
        codes = frozenset(c for c, d in gazetteer.departements.items() if d.region == filtres.region)
        check_inside(codes, f"la région {filtres.region} est", "region")
        departements = codes
        demandes["region"] = filtres.region
    if filtres.departement is not None:
        if filtres.departement not in gazetteer.departements:
            raise InvalidInput(
                f"département inconnu : {filtres.departement}", code="departement_inconnu", loc=["query", "departement"]
            )
        check_inside(frozenset({filtres.departement}), f"le département {filtres.departement} est", "departement")
        if departements is not None and filtres.departement not in departements:
            raise InvalidInput(
                f"le département {filtres.departement} n'est pas dans la région {filtres.region}",
                code="filtres_incoherents",
                loc=["query", "departement"],
            )
        departements = frozenset({filtres.departement})
        demandes["departement"] = filtres.departement
    tribunal = None
    if filtres.tribunal is not None:
        tribunal = resolve_tribunal(session, gazetteer, filtres.tribunal, ["query", "tribunal"])
        check_inside(frozenset({tribunal.departement}), f"le tribunal {filtres.tribunal} est", "tribunal")
        if departements is not None and tribunal.departement not in departements:
            raise InvalidInput(
                f"le tribunal {filtres.tribunal} n'est pas dans le territoire filtré",
                code="filtres_incoherents",
                loc=["query", "tribunal"],
            )
        departements = frozenset({tribunal.departement})
        demandes["tribunal"] = tribunal.siret or tribunal.code
    if filtres.debut is not None and filtres.fin is not None and filtres.debut > filtres.fin:
        raise InvalidInput("la période commence après sa fin", code="periode_invalide", loc=["query", "debut"])
    return Perimetre(
        departements=departements,
        tribunal=tribunal,
        type=filtres.type,
        debut=filtres.debut,
        fin=filtres.fin,
        now=now,
        demandes=demandes,
    )


# --- shared pieces -----------------------------------------------------------------------------------


def _col(cle: str, libelle: str, type: ColumnType = "entier") -> Colonne:
    return Colonne(cle=cle, libelle=libelle, type=type)


def _ratio(part: float, whole: float | None) -> float | None:
    return round(part / whole, 4) if whole else None


def _territory_columns(par: Par) -> list[Colonne]:
    if par == "region":
        return [_col("region", "Région", "texte"), _col("region_nom", "Nom de la région", "texte")]
    return [_col("departement", "Département", "texte"), _col("departement_nom", "Nom du département", "texte")]


def _territory_code(gazetteer: Gazetteer, departement: str, par: Par | ParFraicheur) -> str:
    """The code of the territory a département's figures are folded into."""
    if par == "region":
        territory = gazetteer.departements.get(departement)
        return territory.region if territory is not None and territory.region else "?"
    return departement


def _territory_cells(gazetteer: Gazetteer, code: str, par: Par) -> dict[str, Value]:
    if par == "region":
        region = gazetteer.regions.get(code)
        return {"region": code, "region_nom": region.nom if region else "inconnue"}
    departement = gazetteer.departements.get(code)
    return {"departement": code, "departement_nom": departement.nom if departement else "inconnu"}


def _rattachement() -> ColumnElement[str]:
    """Département de rattachement of a professional: that of its first site, else its first listing."""
    first_site = (
        select(Site.departement)
        .where(Site.mandataire_id == Mandataire.id)
        .order_by(Site.id)
        .limit(1)
        .correlate(Mandataire)
        .scalar_subquery()
    )
    first_listing = (
        select(func.min(MandataireDepartement.departement))
        .where(MandataireDepartement.mandataire_id == Mandataire.id)
        .correlate(Mandataire)
        .scalar_subquery()
    )
    return func.coalesce(first_site, first_listing)


def _professionnels(
    perimetre: Perimetre, *, statuts: Sequence[str], type: MandataireType | None | Literal[False] = False
) -> Subquery:
    """The professionals of the perimeter with their counters and département de rattachement."""
    departement = cast(literal(perimetre.tribunal.departement), String(3)) if perimetre.tribunal else _rattachement()
    query = select(
        Mandataire.id,
        Mandataire.nom,
        Mandataire.type,
        Mandataire.capacite,
        Mandataire.mesures_en_cours,
        Mandataire.mesures_en_attente,
        Mandataire.charge_en_cours,
        Mandataire.charge_en_attente,
        Mandataire.derniere_mise_a_jour,
        departement.label("departement"),
    ).where(Mandataire.statut.in_(statuts))
    chosen = perimetre.type if type is False else type
    if chosen is not None:
        query = query.where(Mandataire.type == chosen)
    if perimetre.tribunal is not None:
        query = query.where(serves_tribunal(perimetre.tribunal.id))
    return query.subquery("professionnel")


def _within(query: Select, column: ColumnElement[str], perimetre: Perimetre) -> Select:
    if perimetre.tribunal is None and perimetre.departements is not None:
        return query.where(column.in_(perimetre.departements))
    return query


def _by_tribunal(query: Select, tribunal_id: ColumnElement[int], perimetre: Perimetre) -> Select:
    """Measures and reservations belong to the territory of their tribunal."""
    if perimetre.tribunal is not None:
        return query.where(tribunal_id == perimetre.tribunal.id)
    if perimetre.departements is not None:
        return query.where(tribunal_id.in_(select(Tribunal.id).where(Tribunal.departement.in_(perimetre.departements))))
    return query


def _periode(perimetre: Perimetre, default_months: int | None) -> tuple[date | None, date | None]:
    fin = perimetre.fin or (perimetre.today if default_months else None)
    debut = perimetre.debut
    if debut is None and default_months:
        anchor = fin or perimetre.today
        month = anchor.year * 12 + anchor.month - 1 - (default_months - 1)
        debut = date(month // 12, month % 12 + 1, 1)
    return debut, fin


@dataclass
class Load:
    """Sums over professionals, additive across territories."""

    professionnels: int = 0
    capacite: int = 0
    en_cours: int = 0
    en_attente: int = 0
    places_libres: int = 0
    charge: float = 0.0
    surcapacite: int = 0

    def add(self, other: "Load") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def cells(self) -> dict[str, Value]:
        return {
            "professionnels": self.professionnels,
            "capacite": self.capacite,
            "mesures_en_cours": self.en_cours,
            "mesures_en_attente": self.en_attente,
            "places_libres": self.places_libres,
            "taux_occupation": _ratio(self.en_cours + self.en_attente, self.capacite),
            "charge_ponderee": round(self.charge, 2),
            "en_surcapacite": self.surcapacite,
        }


LOAD_COLUMNS = [
    _col("professionnels", "Professionnels"),
    _col("capacite", "Capacité déclarée"),
    _col("mesures_en_cours", "Mesures en cours"),
    _col("mesures_en_attente", "Mesures en attente"),
    _col("places_libres", "Places libres"),
    _col("taux_occupation", "Taux d'occupation", "pourcentage"),
    _col("charge_ponderee", "Charge pondérée", "decimal"),
    _col("en_surcapacite", "Professionnels en surcapacité"),
]


def _loads(session: Session, perimetre: Perimetre, *, by_type: bool) -> dict[tuple[str, str | None], Load]:
    """Load sums per (département de rattachement, type or None), from the counters, in one GROUP BY."""
    p = _professionnels(perimetre, statuts=EN_EXERCICE)
    held = p.c.mesures_en_cours + p.c.mesures_en_attente
    free = p.c.capacite - held
    keys = [p.c.departement, p.c.type] if by_type else [p.c.departement]
    query = select(
        *keys,
        func.count(),
        func.sum(p.c.capacite),
        func.sum(p.c.mesures_en_cours),
        func.sum(p.c.mesures_en_attente),
        func.sum(case((free > 0, free), else_=0)),
        func.sum(p.c.charge_en_cours + p.c.charge_en_attente),
        func.sum(case((held > p.c.capacite, 1), else_=0)),
    ).group_by(*keys)
    loads = {}
    for row in session.execute(_within(query, p.c.departement, perimetre)):
        values = row[len(keys) :]
        loads[(row[0], row[1] if by_type else None)] = Load(
            int(values[0]),
            int(values[1] or 0),
            int(values[2] or 0),
            int(values[3] or 0),
            int(values[4] or 0),
            float(values[5] or 0),
            int(values[6] or 0),
        )
    return loads


ATTRIBUTION_NOTE = (
    "Chaque professionnel est compté une seule fois, dans son département de rattachement (celui de son premier "
    "site, à défaut son premier département d'inscription), même s'il est inscrit sur plusieurs listes ; avec un "
    "filtre tribunal, tous les professionnels qui peuvent servir ce tribunal sont comptés dans son département."
)


# --- tables --------------------------------------------------------------------------------------------


def charge(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: Par = "departement") -> Tableau:
    folded: dict[tuple[str, str], Load] = defaultdict(Load)
    for (departement, kind), load in _loads(session, perimetre, by_type=True).items():
        folded[(_territory_code(gazetteer, departement, par), kind)].add(load)
    order = {kind: rank for rank, kind in enumerate(TYPES)}
    lignes = [
        {**_territory_cells(gazetteer, code, par), "type": kind, **load.cells()}
        for (code, kind), load in sorted(folded.items(), key=lambda item: (item[0][0], order.get(item[0][1], 9)))
    ]
    total = Load()
    for load in folded.values():
        total.add(load)
    first = "region" if par == "region" else "departement"
    return Tableau(
        nom="charge",
        titre=TABLES["charge"].titre,
        note=(
            "Professionnels inscrits (actifs, suspendus ou en cessation ; les retirés de la liste sont exclus). "
            "Chiffres tirés des compteurs de charge tenus à jour à chaque mouvement de mesure. Places libres : "
            "somme, par professionnel, de max(0, capacité − en cours − en attente) (un professionnel en "
            "surcapacité ne compense pas les places d'un autre). Taux d'occupation : (en cours + en attente) / "
            "capacité. Charge pondérée : mesures en cours et en attente pondérées selon leur nature et leur lieu "
            "de vie. " + ATTRIBUTION_NOTE
        ),
        filtres=perimetre.filtres(par=par),
        colonnes=[*_territory_columns(par), _col("type", "Type", "texte"), *LOAD_COLUMNS],
        lignes=lignes,
        totaux={first: "Total", **total.cells()},
    )


@lru_cache(maxsize=4)
def _populations(gazetteer: Gazetteer) -> dict[str, int]:
    populations: dict[str, int] = defaultdict(int)
    for commune in gazetteer.communes.values():
        populations[commune.departement] += commune.population
    return dict(populations)


def tension(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: Par = "departement") -> Tableau:
    loads = _loads(session, perimetre, by_type=False)
    populations = _populations(gazetteer)
    territories: dict[str, tuple[Load, list[int]]] = {}
    for departement in perimetre.codes(gazetteer):
        code = _territory_code(gazetteer, departement, par)
        load, population = territories.setdefault(code, (Load(), [0]))
        load.add(loads.get((departement, None), Load()))
        population[0] += populations.get(departement, 0)
    lignes = []
    for code, (load, (population,)) in territories.items():
        held = load.en_cours + load.en_attente
        lignes.append(
            {
                "rang": 0,
                **_territory_cells(gazetteer, code, par),
                "population": population,
                "professionnels": load.professionnels,
                "capacite": load.capacite,
                "mesures": held,
                "places_libres": load.places_libres,
                "places_pour_1000": round(1000 * load.places_libres / population, 3) if population else None,
                "mesures_pour_1000": round(1000 * held / population, 3) if population else None,
                "taux_occupation": _ratio(held, load.capacite),
                "rang_occupation": None,
            }
        )
    by_occupation = sorted(
        (row for row in lignes if row["taux_occupation"] is not None),
        key=lambda row: (-row["taux_occupation"], row["places_pour_1000"] or 0),
    )
    for rank, row in enumerate(by_occupation, 1):
        row["rang_occupation"] = rank
    lignes.sort(
        key=lambda row: (
            row["places_pour_1000"] if row["places_pour_1000"] is not None else float("inf"),
            -(row["taux_occupation"] or 0),
            row["region" if par == "region" else "departement"],
        )
    )
    for rank, row in enumerate(lignes, 1):
        row["rang"] = rank
    total_population = sum(row["population"] for row in lignes)
    total = Load()
    for load, _ in territories.values():
        total.add(load)
    held = total.en_cours + total.en_attente
    return Tableau(
        nom="tension",
        titre=TABLES["tension"].titre,
        note=(
            "Rang 1 : le territoire qui offre le moins de places libres pour 1 000 habitants ; rang d'occupation 1 : "
            "le taux d'occupation le plus élevé. Population municipale (INSEE) des communes du référentiel. Places "
            "libres et taux d'occupation comme dans le tableau de charge. " + ATTRIBUTION_NOTE
        ),
        filtres=perimetre.filtres(par=par),
        colonnes=[
            _col("rang", "Rang (places pour 1 000 habitants)"),
            *_territory_columns(par),
            _col("population", "Population"),
            _col("professionnels", "Professionnels"),
            _col("capacite", "Capacité déclarée"),
            _col("mesures", "Mesures en cours et en attente"),
            _col("places_libres", "Places libres"),
            _col("places_pour_1000", "Places libres pour 1 000 habitants", "decimal"),
            _col("mesures_pour_1000", "Mesures pour 1 000 habitants", "decimal"),
            _col("taux_occupation", "Taux d'occupation", "pourcentage"),
            _col("rang_occupation", "Rang (occupation)"),
        ],
        lignes=lignes,
        totaux={
            "rang": None,
            ("region" if par == "region" else "departement"): "Total",
            "population": total_population,
            "professionnels": total.professionnels,
            "capacite": total.capacite,
            "mesures": held,
            "places_libres": total.places_libres,
            "places_pour_1000": round(1000 * total.places_libres / total_population, 3) if total_population else None,
            "mesures_pour_1000": round(1000 * held / total_population, 3) if total_population else None,
            "taux_occupation": _ratio(held, total.capacite),
        },
    )


@dataclass(frozen=True, slots=True)
class CommuneArrays:
    insee: list[str]
    nom: list[str]
    population: np.ndarray
    lat: np.ndarray
    lon: np.ndarray


@lru_cache(maxsize=4)
def _communes_by_departement(gazetteer: Gazetteer) -> dict[str, CommuneArrays]:
    grouped = defaultdict(list)
    for commune in gazetteer.communes.values():
        grouped[commune.departement].append(commune)
    return {
        departement: CommuneArrays(
            insee=[c.insee for c in communes],
            nom=[c.nom for c in communes],
            population=np.array([c.population for c in communes], dtype=np.int64),
            lat=np.array([c.lat for c in communes]),
            lon=np.array([c.lon for c in communes]),
        )
        for departement, communes in grouped.items()
    }


def nearest_km(lat: np.ndarray, lon: np.ndarray, site_lat: np.ndarray, site_lon: np.ndarray) -> np.ndarray:
    """Distance from each point to the nearest site (inf without sites), in chunks of a bounded matrix."""
    nearest = np.full(len(lat), np.inf)
    if len(site_lat) == 0:
        return nearest
    step = max(1, 2_000_000 // len(site_lat))
    for start in range(0, len(lat), step):
        block = haversine_km(
            lat[start : start + step, None], lon[start : start + step, None], site_lat[None, :], site_lon[None, :]
        )
        nearest[start : start + step] = block.min(axis=1)
    return nearest


def couverture(
    session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, nature: Nature, distance_km: float
) -> Tableau:
    """Communes of the perimeter where no available professional listed in their département, whose title covers
    the nature, has a site within `distance_km` (great-circle)."""
    # An alias: `serves_tribunal` tests the professional's listings in its own EXISTS, which would otherwise
    # correlate to this join and lose its FROM clause.
    listing = aliased(MandataireDepartement)
    query = (
        select(listing.departement, Site.lat, Site.lon)
        .select_from(Mandataire)
        .join(Site, Site.mandataire_id == Mandataire.id)
        .join(listing, listing.mandataire_id == Mandataire.id)
        .where(
            available_on(perimetre.today),
            exists().where(MandataireNature.mandataire_id == Mandataire.id, MandataireNature.nature == nature),
        )
    )
    if nature == Nature.MJAGBF:
        query = query.where(Mandataire.dpf.is_(True))
    if perimetre.type is not None:
        query = query.where(Mandataire.type == perimetre.type)
    else:
        query = query.where(Mandataire.type != MandataireType.PREPOSE)
    if perimetre.tribunal is not None:
        query = query.where(serves_tribunal(perimetre.tribunal.id))
    codes = perimetre.codes(gazetteer)
    if perimetre.departements is not None or perimetre.tribunal is not None:
        query = query.where(listing.departement.in_(codes))
    sites: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for departement, lat, lon in session.execute(query):
        sites[departement].append((lat, lon))

    communes = _communes_by_departement(gazetteer)
    population_total = 0
    found: list[tuple[str, CommuneArrays, np.ndarray, np.ndarray]] = []
    for departement in codes:
        arrays = communes.get(departement)
        if arrays is None:
            continue
        population_total += int(arrays.population.sum())
        points = np.array(sites.get(departement, []), dtype=np.float64).reshape(-1, 2)
        nearest = nearest_km(arrays.lat, arrays.lon, points[:, 0], points[:, 1])
        out_of_reach = np.flatnonzero(nearest > distance_km)
        if out_of_reach.size:
            found.append((departement, arrays, out_of_reach, nearest[out_of_reach]))
    # Thousands of rows at short distances: gathered and sorted with numpy, converted to Python values once.
    insee = [arrays.insee[i] for _, arrays, indexes, _ in found for i in indexes.tolist()]
    noms = [arrays.nom[i] for _, arrays, indexes, _ in found for i in indexes.tolist()]
    departements = [dep for dep, _, indexes, _ in found for _ in range(indexes.size)]
    populations = np.concatenate([arrays.population[indexes] for _, arrays, indexes, _ in found] or [np.zeros(0)])
    distances = np.concatenate([nearest for *_, nearest in found] or [np.zeros(0)])
    order = np.lexsort((np.array(insee, dtype=str), -populations)).tolist() if insee else []
    km = [round(d, 1) if math.isfinite(d) else None for d in distances.tolist()]
    population_list = populations.astype(np.int64).tolist()
    lignes: list[dict[str, Value]] = [
        {
            "insee": insee[i],
            "commune": noms[i],
            "departement": departements[i],
            "population": population_list[i],
            "distance_km": km[i],
        }
        for i in order
    ]
    concerned = sum(population_list)
    share = f"{100 * concerned / population_total:.1f} %".replace(".", ",") if population_total else "0 %"
    excluded = (
        ""
        if perimetre.type == MandataireType.PREPOSE
        else (
            " Les préposés, qui ne prennent que les résidents de leurs établissements, ne sont comptés qu'avec le "
            "filtre type=prepose."
        )
    )
    return Tableau(
        nom="couverture",
        titre=f"Communes sans professionnel disponible à moins de {distance_km:g} km ({nature.value})",
        note=(
            f"{len(lignes)} communes, {concerned} habitants ({share} de la population du périmètre), sans "
            "professionnel disponible à portée : actif, acceptant de nouvelles mesures, non absent aujourd'hui, "
            f"avec des places libres, dont le titre couvre la nature « {nature.value} », inscrit sur la liste du "
            f"département de la commune et ayant un site à moins de {distance_km:g} km à vol d'oiseau (distance du "
            "grand cercle depuis la mairie). Distance : celle du site disponible le plus proche (vide s'il n'y en a "
            "aucun). Les restrictions d'un professionnel à certains tribunaux ne sont pas prises en compte." + excluded
        ),
        filtres=perimetre.filtres(nature=nature.value, distance_km=distance_km),
        colonnes=[
            _col("insee", "Code INSEE", "texte"),
            _col("commune", "Commune", "texte"),
            _col("departement", "Département", "texte"),
            _col("population", "Population"),
            _col("distance_km", "Distance du site disponible le plus proche (km)", "decimal"),
        ],
        lignes=lignes,
        totaux={"insee": "Total", "commune": f"{len(lignes)} communes", "population": concerned},
    )


def band_label(low: int, high: int | None) -> str:
    if high is None:
        return f"plus de {low - 1}"
    return str(low) if low == high else f"{low} à {high}"


def histogramme_individuels(session: Session, *, perimetre: Perimetre) -> Tableau:
    p = _professionnels(perimetre, statuts=EN_EXERCICE, type=MandataireType.INDIVIDUEL)
    held = p.c.mesures_en_cours + p.c.mesures_en_attente
    band = case(
        *((held <= high, index) for index, (_, high, _) in enumerate(BANDS) if high is not None),
        else_=len(BANDS) - 1,
    )
    banded = _within(select(band.label("tranche")), p.c.departement, perimetre).subquery()
    query = select(banded.c.tranche, func.count()).group_by(banded.c.tranche)
    counts = {int(index): int(count) for index, count in session.execute(query)}
    total = sum(counts.values())
    reference_total = sum(reference for _, _, reference in BANDS if reference)
    lignes = [
        {
            "tranche": band_label(low, high),
            "borne_min": low,
            "borne_max": high,
            "individuels": counts.get(index, 0),
            "part": _ratio(counts.get(index, 0), total),
            "reference_2012": reference,
            "part_reference_2012": _ratio(reference, reference_total) if reference is not None else None,
        }
        for index, (low, high, reference) in enumerate(BANDS)
    ]
    return Tableau(
        nom="histogramme-individuels",
        titre=TABLES["histogramme-individuels"].titre,
        note=(
            "Charge d'un mandataire individuel : mesures en cours + mesures en attente (compteurs tenus à jour). "
            "Bornes incluses : « 1 à 30 » compte de 1 à 30 mesures, « 31 à 50 » de 31 à 50, etc. (les tranches "
            "nationales 1-30, 30-50, 50-80... de 2012) ; la tranche « 0 » n'a pas de repère. Repère : enquête "
            "nationale de 2012 sur 1 018 mandataires individuels. Individuels inscrits (actifs, suspendus ou en "
            "cessation), comptés dans leur département de rattachement."
        ),
        filtres=perimetre.filtres(type=MandataireType.INDIVIDUEL),
        colonnes=[
            _col("tranche", "Tranche (mesures)", "texte"),
            _col("borne_min", "De"),
            _col("borne_max", "À"),
            _col("individuels", "Mandataires individuels"),
            _col("part", "Part", "pourcentage"),
            _col("reference_2012", "Repère national 2012"),
            _col("part_reference_2012", "Part en 2012", "pourcentage"),
        ],
        lignes=lignes,
        totaux={
            "tranche": "Total",
            "individuels": total,
            "part": 1.0 if total else None,
            "reference_2012": reference_total,
            "part_reference_2012": 1.0,
        },
    )


def _months(debut: date, fin: date) -> list[tuple[int, int]]:
    first, last = debut.year * 12 + debut.month - 1, fin.year * 12 + fin.month - 1
    return [(m // 12, m % 12 + 1) for m in range(first, last + 1)]


def _bounds(debut: date, fin: date) -> tuple[datetime, datetime]:
    return datetime.combine(debut, time(), UTC), datetime.combine(fin + timedelta(days=1), time(), UTC)


def _per_month_and_type(session: Session, perimetre: Perimetre, column, debut: date, fin: date) -> dict:
    """Measures per (year, month, type) of a date column. Grouped by day in SQL (a range scan of the covering
    index, no date function per row), folded into months here: at most a few thousand rows."""
    query = (
        select(column, Mandataire.type, func.count())
        .select_from(Mesure)
        .join(Mandataire, Mandataire.id == Mesure.mandataire_id)
        .where(column >= debut, column <= fin)
        .group_by(column, Mandataire.type)
    )
    if perimetre.type is not None:
        query = query.where(Mandataire.type == perimetre.type)
    counts: dict[tuple[int, int, str], int] = defaultdict(int)
    for day, kind, n in session.execute(_by_tribunal(query, Mesure.tribunal_id, perimetre)):
        counts[(day.year, day.month, kind)] += int(n)
    return counts


def flux(session: Session, *, perimetre: Perimetre) -> Tableau:
    debut, fin = _periode(perimetre, DEFAULT_FLUX_MONTHS)
    assert debut is not None and fin is not None  # a default period
    if debut > fin:
        raise InvalidInput("la période commence après sa fin", code="periode_invalide", loc=["query", "debut"])
    if len(_months(debut, fin)) > MAX_FLUX_MONTHS:
        raise InvalidInput(
            f"période trop longue : {MAX_FLUX_MONTHS} mois au plus", code="periode_trop_longue", loc=["query", "debut"]
        )
    opened = _per_month_and_type(session, perimetre, Mesure.date_nomination, debut, fin)
    closed = _per_month_and_type(session, perimetre, Mesure.date_fin_mesure, debut, fin)

    start, end = _bounds(debut, fin)
    answered = [ReservationStatut.ACCEPTEE, ReservationStatut.REFUSEE, ReservationStatut.EXPIREE]
    year, month = extract("year", Reservation.answered_at), extract("month", Reservation.answered_at)
    reservations = select(year, month, Reservation.statut, func.count()).where(
        Reservation.statut.in_(answered), Reservation.answered_at >= start, Reservation.answered_at < end
    )
    delays = select(Reservation.created_at, Reservation.answered_at).where(
        Reservation.statut == ReservationStatut.ACCEPTEE,
        Reservation.answered_at >= start,
        Reservation.answered_at < end,
    )
    if perimetre.type is not None:
        of_type = Reservation.mandataire_id.in_(select(Mandataire.id).where(Mandataire.type == perimetre.type))
        reservations, delays = reservations.where(of_type), delays.where(of_type)
    answers = {
        (int(y), int(m), statut): int(n)
        for y, m, statut, n in session.execute(
            _by_tribunal(reservations.group_by(year, month, Reservation.statut), Reservation.tribunal_id, perimetre)
        )
    }
    days_by_month: dict[tuple[int, int], list[float]] = defaultdict(list)
    for created, answered_at in session.execute(_by_tribunal(delays, Reservation.tribunal_id, perimetre)):
        days_by_month[(answered_at.year, answered_at.month)].append((answered_at - created).total_seconds() / 86400)

    kinds = [perimetre.type] if perimetre.type is not None else TYPES
    lignes = []
    for y, m in _months(debut, fin):
        row: dict[str, Value] = {"mois": f"{y:04d}-{m:02d}"}
        for prefix, counts in (("ouvertes", opened), ("eteintes", closed)):
            for kind in kinds:
                row[f"{prefix}_{kind.value}"] = counts.get((y, m, kind.value), 0)
            row[prefix] = sum(counts.get((y, m, kind.value), 0) for kind in kinds)
        row["reservations_acceptees"] = answers.get((y, m, ReservationStatut.ACCEPTEE.value), 0)
        row["reservations_refusees"] = answers.get((y, m, ReservationStatut.REFUSEE.value), 0)
        row["reservations_expirees"] = answers.get((y, m, ReservationStatut.EXPIREE.value), 0)
        days = days_by_month.get((y, m))
        row["delai_median_acceptation_jours"] = round(median(days), 1) if days else None
        lignes.append(row)

    colonnes = [_col("mois", "Mois", "texte")]
    for prefix, label in (("ouvertes", "Mesures ouvertes"), ("eteintes", "Mesures éteintes")):
        colonnes += [_col(f"{prefix}_{kind.value}", f"{label} ({TYPE_LABELS[kind]})") for kind in kinds]
        if len(kinds) > 1:
            colonnes.append(_col(prefix, label))
        else:
            lignes = [{k: v for k, v in row.items() if k != prefix} for row in lignes]
    colonnes += [
        _col("reservations_acceptees", "Réservations acceptées"),
        _col("reservations_refusees", "Réservations refusées"),
        _col("reservations_expirees", "Réservations expirées"),
        _col("delai_median_acceptation_jours", "Délai médian d'acceptation (jours)", "decimal"),
    ]
    all_days = [d for days in days_by_month.values() for d in days]
    totaux: dict[str, Value] = {"mois": "Total"}
    for column in colonnes[1:-1]:
        totaux[column.cle] = sum(int(row[column.cle] or 0) for row in lignes)
    totaux["delai_median_acceptation_jours"] = round(median(all_days), 1) if all_days else None
    return Tableau(
        nom="flux",
        titre=TABLES["flux"].titre,
        note=(
            "Mesures ouvertes : par mois de la date de nomination ; éteintes : par mois de la date de fin de "
            "mesure ; réservations : par mois de la réponse (acceptation, refus, ou expiration faute de réponse). "
            "Délai d'acceptation : jours entre la réservation et son acceptation, médiane des réservations "
            "acceptées dans le mois. Territoire d'une mesure ou d'une réservation : celui de son tribunal. Période "
            f"par défaut : les {DEFAULT_FLUX_MONTHS} derniers mois, le mois en cours compris."
        ),
        filtres=perimetre.filtres(debut=debut, fin=fin),
        colonnes=colonnes,
        lignes=lignes,
        totaux=totaux,
    )


def belgique(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre) -> Tableau:
    debut, fin = _periode(perimetre, None)
    year = extract("year", Mesure.date_nomination)
    query = (
        select(
            Mesure.mandataire_id,
            year,
            func.count(),
            func.sum(case((Mesure.statut == MesureStatut.EN_COURS, 1), else_=0)),
        )
        .where(Mesure.pays == "BE", Mesure.date_nomination.is_not(None))
        .group_by(Mesure.mandataire_id, year)
    )
    if debut is not None:
        query = query.where(Mesure.date_nomination >= debut)
    if fin is not None:
        query = query.where(Mesure.date_nomination <= fin)
    if perimetre.type is not None:
        query = query.where(Mesure.mandataire_id.in_(select(Mandataire.id).where(Mandataire.type == perimetre.type)))
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    en_cours: dict[int, int] = defaultdict(int)
    for mandataire_id, y, n, current in session.execute(_by_tribunal(query, Mesure.tribunal_id, perimetre)):
        counts[mandataire_id][int(y)] = int(n)
        en_cours[mandataire_id] += int(current or 0)
    years = sorted({y for per_year in counts.values() for y in per_year})
    professionals = {
        row.id: row
        for row in session.execute(
            select(Mandataire.id, Mandataire.nom, Mandataire.type, _rattachement().label("departement")).where(
                Mandataire.id.in_(list(counts))
            )
        )
    }
    lignes = []
    for mandataire_id, per_year in counts.items():
        pro = professionals[mandataire_id]
        lignes.append(
            {
                "mandataire_id": mandataire_id,
                "mandataire": pro.nom,
                "type": pro.type,
                "departement": pro.departement,
                **{f"annee_{y}": per_year.get(y, 0) for y in years},
                "total": sum(per_year.values()),
                "en_cours": en_cours[mandataire_id],
            }
        )
    lignes.sort(key=lambda row: (-row["total"], row["mandataire"]))
    totaux: dict[str, Value] = {"mandataire": f"Total ({len(lignes)} professionnels)"}
    for key in [f"annee_{y}" for y in years] + ["total", "en_cours"]:
        totaux[key] = sum(int(row[key]) for row in lignes)
    return Tableau(
        nom="belgique",
        titre=TABLES["belgique"].titre,
        note=(
            "Mesures dont la personne réside en Belgique, par année de la date de nomination (les mesures en "
            "attente, sans date de nomination, ne sont pas comptées), et les professionnels qui les exercent. La "
            "ligne des totaux donne le nombre de mesures belges de chaque année. Territoire d'une mesure : celui de "
            "son tribunal ; département du professionnel : son département de rattachement."
        ),
        filtres=perimetre.filtres(**({"debut": debut} if debut else {}), **({"fin": fin} if fin else {})),
        colonnes=[
            _col("mandataire_id", "N° du mandataire"),
            _col("mandataire", "Mandataire", "texte"),
            _col("type", "Type", "texte"),
            _col("departement", "Département", "texte"),
            *(_col(f"annee_{y}", str(y)) for y in years),
            _col("total", "Total"),
            _col("en_cours", "Dont en cours"),
        ],
        lignes=lignes,
        totaux=totaux,
    )


def fraicheur(
    session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: ParFraicheur = "departement"
) -> Tableau:
    p = _professionnels(perimetre, statuts=(MandataireStatut.ACTIF,))
    threshold = perimetre.now - timedelta(days=STALE_AFTER_DAYS)
    stale = p.c.derniere_mise_a_jour < threshold
    note = (
        f"Disponibilité périmée : professionnel actif dont la dernière mise à jour (capacité, acceptation de "
        f"nouvelles mesures, absences...) date de plus de {STALE_AFTER_DAYS} jours ; le suivi mensuel est l'usage. "
        "Chaque professionnel est compté dans son département de rattachement."
    )
    if par == "mandataire":
        query = _within(
            select(p.c.id, p.c.nom, p.c.type, p.c.departement, p.c.derniere_mise_a_jour)
            .where(stale)
            .order_by(p.c.derniere_mise_a_jour, p.c.id),
            p.c.departement,
            perimetre,
        )
        lignes = [
            {
                "mandataire_id": row.id,
                "mandataire": row.nom,
                "type": row.type,
                "departement": row.departement,
                "derniere_mise_a_jour": row.derniere_mise_a_jour.date(),
                "jours": (perimetre.now - row.derniere_mise_a_jour).days,
            }
            for row in session.execute(query)
        ]
        return Tableau(
            nom="fraicheur",
            titre="Professionnels dont la disponibilité est périmée",
            note=note,
            filtres=perimetre.filtres(par=par),
            colonnes=[
                _col("mandataire_id", "N° du mandataire"),
                _col("mandataire", "Mandataire", "texte"),
                _col("type", "Type", "texte"),
                _col("departement", "Département", "texte"),
                _col("derniere_mise_a_jour", "Dernière mise à jour", "date"),
                _col("jours", "Jours depuis la mise à jour"),
            ],
            lignes=lignes,
            totaux={"mandataire": f"Total : {len(lignes)} professionnels"},
        )
    query = _within(
        select(
            p.c.departement, func.count(), func.sum(case((stale, 1), else_=0)), func.min(p.c.derniere_mise_a_jour)
        ).group_by(p.c.departement),
        p.c.departement,
        perimetre,
    )
    folded: dict[str, list] = {}
    for departement, count, n_stale, oldest in session.execute(query):
        code = _territory_code(gazetteer, departement, par)
        entry = folded.setdefault(code, [0, 0, None])
        entry[0] += int(count)
        entry[1] += int(n_stale or 0)
        oldest_day = oldest.date() if oldest is not None else None
        entry[2] = oldest_day if entry[2] is None or (oldest_day and oldest_day < entry[2]) else entry[2]
    lignes = [
        {
            **_territory_cells(gazetteer, code, par),
            "professionnels": count,
            "perimes": n_stale,
            "part_perimes": _ratio(n_stale, count),
            "plus_ancienne_mise_a_jour": oldest,
        }
        for code, (count, n_stale, oldest) in sorted(folded.items())
    ]
    total, total_stale = sum(r["professionnels"] for r in lignes), sum(r["perimes"] for r in lignes)
    return Tableau(
        nom="fraicheur",
        titre=TABLES["fraicheur"].titre,
        note=note + " Détail par professionnel : `par=mandataire`.",
        filtres=perimetre.filtres(par=par),
        colonnes=[
            *_territory_columns(par),
            _col("professionnels", "Professionnels actifs"),
            _col("perimes", f"Sans mise à jour depuis plus de {STALE_AFTER_DAYS} jours"),
            _col("part_perimes", "Part périmée", "pourcentage"),
            _col("plus_ancienne_mise_a_jour", "Plus ancienne mise à jour", "date"),
        ],
        lignes=lignes,
        totaux={
            ("region" if par == "region" else "departement"): "Total",
            "professionnels": total,
            "perimes": total_stale,
            "part_perimes": _ratio(total_stale, total),
            "plus_ancienne_mise_a_jour": min(
                (r["plus_ancienne_mise_a_jour"] for r in lignes if r["plus_ancienne_mise_a_jour"]), default=None
            ),
        },
    )


def _covered_by_prepose() -> ColumnElement[bool]:
    """Covered by an active préposé (an uncorrelated IN: the covered establishments are listed once)."""
    return Etablissement.id.in_(
        select(MandataireEtablissement.etablissement_id)
        .join(Mandataire, Mandataire.id == MandataireEtablissement.mandataire_id)
        .where(Mandataire.type == MandataireType.PREPOSE, Mandataire.statut == MandataireStatut.ACTIF)
    )


def preposes(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre) -> Tableau:
    obliged = and_(Etablissement.public.is_(True), Etablissement.places_permanentes > OBLIGED_PLACES)
    if perimetre.departements is not None or perimetre.tribunal is not None:
        obliged = and_(obliged, Etablissement.departement.in_(perimetre.codes(gazetteer)))
    covered = _covered_by_prepose()
    counts = session.execute(select(func.count(), func.sum(case((covered, 1), else_=0))).where(obliged)).one()
    total_obliged, compliant = int(counts[0]), int(counts[1] or 0)
    rows = session.execute(
        select(
            Etablissement.finess,
            Etablissement.nom,
            Etablissement.categorie,
            Etablissement.insee,
            Etablissement.departement,
            Etablissement.places_permanentes,
        )
        .where(obliged, not_(covered))
        .order_by(Etablissement.departement, Etablissement.places_permanentes.desc(), Etablissement.finess)
    )
    lignes = [
        {
            "finess": row.finess,
            "etablissement": row.nom,
            "categorie": row.categorie,
            "insee": row.insee,
            "commune": commune.nom if (commune := gazetteer.communes.get(row.insee)) else None,
            "departement": row.departement,
            "places_permanentes": row.places_permanentes,
        }
        for row in rows
    ]
    missing = total_obliged - compliant
    share = f"{100 * compliant / total_obliged:.1f} %".replace(".", ",") if total_obliged else "sans objet"
    return Tableau(
        nom="preposes",
        titre=TABLES["preposes"].titre,
        note=(
            f"{total_obliged} établissements publics de plus de {OBLIGED_PLACES} places permanentes doivent avoir "
            f"un préposé : {compliant} en ont un ({share}), {missing} n'en ont pas. Un établissement est couvert "
            "quand un préposé actif le dessert (le sien ou par convention)."
        ),
        filtres=perimetre.filtres(type=None),
        colonnes=[
            _col("finess", "FINESS", "texte"),
            _col("etablissement", "Établissement", "texte"),
            _col("categorie", "Catégorie", "texte"),
            _col("insee", "Code INSEE", "texte"),
            _col("commune", "Commune", "texte"),
            _col("departement", "Département", "texte"),
            _col("places_permanentes", "Places permanentes"),
        ],
        lignes=lignes,
        totaux={
            "finess": "Total",
            "etablissement": f"{len(lignes)} établissements",
            "places_permanentes": sum(row["places_permanentes"] for row in lignes),
        },
    )
