"""The ranking engine: eligibility rules, then an explained weighted score. Pure code: no FastAPI, no SQLAlchemy.

Inputs are plain dataclasses (the professionals' profiles from an in-memory index, their live load read from the
database, the request and the weights); the output carries, for every candidate, each criterion's raw value,
sub-score, weight and contribution, and for every other professional the reason it was left out.

Rules are checked in a fixed order and the first that fails is the reason counted, so that counts add up to the
number of professionals considered. Ties break on distance, then on the professional's id: the same request on
the same data always gives the same answer.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from app.geo.distance import haversine_km

ENGINE_VERSION = "1.0.0"
EXERCICES = ("service", "individuel", "prepose")
ACTIVE = "actif"
BELGIQUE = "belgique"
MJAGBF = "mjagbf"
LIEUX_ETABLISSEMENT = frozenset({"etablissement", "etablissement_conservation_domicile"})

# Reason codes, in the order the rules are checked.
HORS_DEPARTEMENT = "hors_departement"
RESTREINT_AUTRES_TRIBUNAUX = "restreint_autres_tribunaux"
STATUT_INACTIF = "statut_inactif"
EXCLU_PAR_JUGE = "exclu_par_juge"
ABSENT = "absent"
N_ACCEPTE_PAS = "n_accepte_pas"
NATURE_NON_COUVERTE = "nature_non_couverte"
MJAGBF_SANS_DPF = "mjagbf_sans_dpf"
PREPOSE_HORS_ETABLISSEMENT = "prepose_hors_etablissement"
BELGIQUE_NON_COUVERTE = "belgique_non_couverte"
COMPLET = "complet"
REASONS = {
    HORS_DEPARTEMENT: "n'est pas inscrit sur la liste du département du tribunal",
    RESTREINT_AUTRES_TRIBUNAUX: "son inscription est limitée à d'autres tribunaux",
    STATUT_INACTIF: "n'est pas en activité (suspendu, retiré ou en cessation)",
    EXCLU_PAR_JUGE: "a été écarté par le juge",
    ABSENT: "est absent à la date de la demande",
    N_ACCEPTE_PAS: "n'accepte pas de nouvelles mesures",
    NATURE_NON_COUVERTE: "son titre ne couvre pas cette nature de mesure",
    MJAGBF_SANS_DPF: "n'est pas délégué aux prestations familiales (MJAGBF)",
    PREPOSE_HORS_ETABLISSEMENT: "préposé d'établissements où la personne ne vit pas",
    BELGIQUE_NON_COUVERTE: "n'intervient pas en Belgique",
    COMPLET: "n'a plus de place libre",
}


@dataclass(frozen=True, slots=True)
class Weights:
    distance: float = 0.35
    capacite: float = 0.25
    profil: float = 0.20
    fraicheur: float = 0.10
    equite: float = 0.10

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class Tuning:
    """Shapes of the sub-score curves (settings; the same for every request)."""

    full_score_km: float = 10.0  # no penalty this close
    default_radius_km: float = 70.0  # when the professional declared none
    score_at_radius: float = 0.2  # what is left at the declared radius; decays beyond it
    stale_after_days: int = 31  # monthly follow-up is the practice
    worthless_after_days: int = 180
    equity_window_days: int = 28
    equity_share: float = 0.1  # designations in the window, as a share of capacity, that cancel the equity score


@dataclass(frozen=True, slots=True)
class SiteProfile:
    id: int
    nom: str
    lat: float
    lon: float
    capacite: int | None


@dataclass(frozen=True, slots=True)
class Profile:
    """What the index keeps of a professional: everything but the live load."""

    id: int
    nom: str
    type: str
    dpf: bool
    statut: str
    accepte_nouvelles_mesures: bool
    natures: frozenset[str]
    departements: frozenset[str]
    tribunaux: frozenset[int]
    specialites: frozenset[str]
    rayon_km: int | None
    capacite: int
    derniere_mise_a_jour: datetime
    absences: tuple[tuple[date, date], ...]
    etablissements: frozenset[int]
    sites: tuple[SiteProfile, ...]
    site_lats: np.ndarray = field(repr=False, compare=False)
    site_lons: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class LiveLoad:
    en_cours: int
    en_attente: int
    designations_recentes: int = 0
    sites: dict[int, int] = field(default_factory=dict)  # measures held per site with its own capacity

    @property
    def held(self) -> int:
        return self.en_cours + self.en_attente


@dataclass(frozen=True, slots=True)
class Query:
    tribunal_id: int
    tribunal_departement: str
    nature: str
    lat: float
    lon: float
    pays: str
    lieu_vie: str
    today: date
    now: datetime
    etablissement_id: int | None = None
    besoins: frozenset[str] = frozenset()
    annee_naissance: int | None = None
    urgence: bool = False
    exclure: frozenset[int] = frozenset()
    limit: int = 10
    inclure_complets: bool = False
    diversite: bool = True


@dataclass(frozen=True, slots=True)
class Component:
    critere: str
    valeur: float | None
    unite: str
    sous_score: float
    poids: float
    contribution: float


@dataclass(slots=True)
class Candidate:
    profile: Profile
    site: SiteProfile | None
    distance_km: float | None
    places_libres: int
    taux_occupation: float | None
    score: float
    composantes: list[Component]
    hors_zone_declaree: bool
    donnees_anciennes: bool
    complet: bool
    ajoute_pour_diversite: bool = False
    rang: int = 0
    explication: str = ""


@dataclass(slots=True)
class Result:
    candidats: list[Candidate]
    considered: int
    eligibles: int
    exclusions: dict[str, int]
    weights: Weights


# --- eligibility -----------------------------------------------------------------------------------


def territorial_exclusion(profile: Profile, query: Query) -> str | None:
    """Listed for this tribunal, or listed in its département without a restriction to other tribunals."""
    if query.tribunal_id in profile.tribunaux:
        return None
    if query.tribunal_departement not in profile.departements:
        return HORS_DEPARTEMENT
    return RESTREINT_AUTRES_TRIBUNAUX if profile.tribunaux else None


def is_absent(profile: Profile, day: date) -> bool:
    return any(start <= day <= end for start, end in profile.absences)


def static_exclusion(profile: Profile, query: Query) -> str | None:
    """The first rule (before capacity) that the professional fails, or None."""
    territorial = territorial_exclusion(profile, query)
    if territorial:
        return territorial
    if profile.statut != ACTIVE:
        return STATUT_INACTIF
    if profile.id in query.exclure:
        return EXCLU_PAR_JUGE
    if is_absent(profile, query.today):
        return ABSENT
    if not profile.accepte_nouvelles_mesures:
        return N_ACCEPTE_PAS
    if query.nature == MJAGBF and not profile.dpf:
        return MJAGBF_SANS_DPF
    if query.nature not in profile.natures:
        return NATURE_NON_COUVERTE
    if profile.type == "prepose" and (
        query.etablissement_id is None or query.etablissement_id not in profile.etablissements
    ):
        return PREPOSE_HORS_ETABLISSEMENT
    if query.pays == "BE" and BELGIQUE not in profile.specialites:
        return BELGIQUE_NON_COUVERTE
    return None


# --- sub-scores: one function per criterion, each in [0, 1] and monotonic in its raw value -------------


def distance_score(distance_km: float, radius_km: float, tuning: Tuning) -> float:
    if distance_km <= tuning.full_score_km:
        return 1.0
    if distance_km <= radius_km:
        span = max(radius_km - tuning.full_score_km, 1e-9)
        return 1.0 - (1.0 - tuning.score_at_radius) * (distance_km - tuning.full_score_km) / span
    return tuning.score_at_radius * math.exp(-(distance_km - radius_km) / radius_km)


def capacity_score(places_libres: int, capacite: int) -> float:
    """Free places as a share of declared capacity: a small MI with 5 of 40 free is as free as a big service."""
    if capacite <= 0:
        return 0.0
    return min(max(places_libres / capacite, 0.0), 1.0)


def profile_score(profile: Profile, query: Query) -> float:
    """Share of the needs covered: the requested specialities, plus those the person's age or home imply."""
    needs = set(query.besoins)
    if query.annee_naissance is not None:
        age = query.today.year - query.annee_naissance
        if age < 25:
            needs.add("jeunes_majeurs")
        elif age >= 75:
            needs.add("personnes_agees")
    if query.pays == "BE":
        needs.add(BELGIQUE)
    covered = len(needs & profile.specialites)
    lieu_fit = 1.0
    if query.lieu_vie in LIEUX_ETABLISSEMENT and query.etablissement_id is not None:
        lieu_fit = 1.0 if query.etablissement_id in profile.etablissements else 0.5
    if not needs:
        return lieu_fit
    return (covered / len(needs) + lieu_fit) / 2.0


def freshness_score(age_days: float, tuning: Tuning) -> float:
    if age_days <= tuning.stale_after_days:
        return 1.0
    if age_days >= tuning.worthless_after_days:
        return 0.0
    return 1.0 - (age_days - tuning.stale_after_days) / (tuning.worthless_after_days - tuning.stale_after_days)


def equity_score(recent: int, capacite: int, tuning: Tuning) -> float:
    """Professionals designated often lately, relative to their size, give way to others."""
    saturation = max(capacite * tuning.equity_share, 1.0)
    return max(0.0, 1.0 - recent / saturation)


# --- ranking ---------------------------------------------------------------------------------------


def effective_weights(weights: Weights, urgence: bool) -> Weights:
    """In an emergency, being free now and having current data matter twice as much."""
    if not urgence:
        return weights
    return Weights(weights.distance, weights.capacite * 2, weights.profil, weights.fraicheur * 2, weights.equite)


def nearest_site(profile: Profile, load: LiveLoad, lat: float, lon: float) -> tuple[SiteProfile | None, float | None]:
    """Nearest site, skipping antennes whose own capacity is full while another has room."""
    if not profile.sites:
        return None, None
    distances = haversine_km(lat, lon, profile.site_lats, profile.site_lons)
    order = np.argsort(distances, kind="stable")
    for index in order:
        site = profile.sites[int(index)]
        if site.capacite is None or load.sites.get(site.id, 0) < site.capacite:
            return site, float(distances[index])
    first = int(order[0])
    return profile.sites[first], float(distances[first])


def site_capacity(profile: Profile, load: LiveLoad, site: SiteProfile | None) -> tuple[int, int]:
    """(free places, capacity) of the antenne when it carries its own capacity, else of the professional."""
    if site is not None and site.capacite is not None:
        return site.capacite - load.sites.get(site.id, 0), site.capacite
    return profile.capacite - load.held, profile.capacite


def evaluate(profile: Profile, load: LiveLoad, query: Query, weights: Weights, tuning: Tuning) -> Candidate:
    site, distance = nearest_site(profile, load, query.lat, query.lon)
    radius = float(profile.rayon_km or tuning.default_radius_km)
    free, capacity = site_capacity(profile, load, site)
    places_libres = profile.capacite - load.held
    age_days = (query.now - profile.derniere_mise_a_jour).total_seconds() / 86400.0
    raw = {
        "distance": (distance, "km", distance_score(distance, radius, tuning) if distance is not None else 0.0),
        "capacite": (round(free / capacity, 4) if capacity else None, "part_libre", capacity_score(free, capacity)),
        "profil": (None, "part_couverte", profile_score(profile, query)),
        "fraicheur": (round(age_days, 1), "jours", freshness_score(age_days, tuning)),
        "equite": (
            float(load.designations_recentes),
            "designations",
            equity_score(load.designations_recentes, profile.capacite, tuning),
        ),
    }
    total_weight = sum(weights.as_dict().values()) or 1.0
    components = []
    for name, (value, unit, sub) in raw.items():
        weight = getattr(weights, name)
        components.append(
            Component(
                name,
                round(value, 2) if value is not None else None,
                unit,
                round(sub, 4),
                weight,
                round(weight * sub / total_weight, 4),
            )
        )
    score = sum(weight_sub for weight_sub in (getattr(weights, n) * raw[n][2] for n in raw)) / total_weight
    return Candidate(
        profile=profile,
        site=site,
        distance_km=round(distance, 2) if distance is not None else None,
        places_libres=places_libres,
        taux_occupation=round(load.held / profile.capacite, 4) if profile.capacite else None,
        score=round(score, 4),
        composantes=components,
        hors_zone_declaree=distance is None or distance > radius,
        donnees_anciennes=age_days > tuning.stale_after_days,
        complet=places_libres <= 0 or free <= 0,
    )


def rank(
    considered: int,
    exclusions: Counter[str],
    eligible: list[tuple[Profile, LiveLoad]],
    query: Query,
    weights: Weights,
    tuning: Tuning,
) -> Result:
    """Score the professionals that passed the static rules, apply capacity, order, add diversity, explain."""
    weights = effective_weights(weights, query.urgence)
    exclusions = Counter(exclusions)
    evaluated = [evaluate(profile, load, query, weights, tuning) for profile, load in eligible]
    available = [c for c in evaluated if not c.complet]
    full = [c for c in evaluated if c.complet]
    exclusions[COMPLET] += len(full)

    def order(candidate: Candidate) -> tuple:
        far = candidate.distance_km if candidate.distance_km is not None else math.inf
        return (-candidate.score, far, candidate.profile.id)

    available.sort(key=order)
    shortlist = available[: query.limit]
    if query.diversite:
        present = {c.profile.type for c in shortlist}
        for exercice in EXERCICES:
            best = next((c for c in available if c.profile.type == exercice), None)
            if exercice not in present and best is not None:
                best.ajoute_pour_diversite = True
                shortlist.append(best)
    if query.inclure_complets:
        shortlist += sorted(full, key=order)
    for position, candidate in enumerate(shortlist, start=1):
        candidate.rang = position
        candidate.explication = explain(candidate)
    return Result(
        candidats=shortlist,
        considered=considered,
        eligibles=len(available),
        exclusions=dict(sorted((code, count) for code, count in exclusions.items() if count)),
        weights=weights,
    )


EXERCICE_LABEL = {
    "service": "service mandataire",
    "individuel": "mandataire individuel",
    "prepose": "préposé d'établissement",
}


def explain(candidate: Candidate) -> str:
    """One French sentence a judge can read: what places this professional here."""
    parts = [EXERCICE_LABEL.get(candidate.profile.type, candidate.profile.type)]
    if candidate.distance_km is not None:
        parts.append(f"à {candidate.distance_km:.0f} km" + (f" ({candidate.site.nom})" if candidate.site else ""))
    if candidate.taux_occupation is not None:
        parts.append(f"{candidate.places_libres} place(s) libre(s), occupation {candidate.taux_occupation:.0%}")
    strongest = max(candidate.composantes, key=lambda c: c.contribution)
    parts.append(f"point fort : {CRITERION_LABEL[strongest.critere]}")
    warnings = []
    if candidate.hors_zone_declaree:
        warnings.append("au-delà de sa zone d'intervention déclarée")
    if candidate.donnees_anciennes:
        warnings.append("disponibilités non mises à jour depuis plus d'un mois")
    if candidate.complet:
        warnings.append("complet")
    if candidate.ajoute_pour_diversite:
        warnings.append(f"ajouté pour proposer un {EXERCICE_LABEL[candidate.profile.type]}")
    sentence = ", ".join(parts)
    if warnings:
        sentence += " ; attention : " + ", ".join(warnings)
    return sentence[0].upper() + sentence[1:] + "."


CRITERION_LABEL = {
    "distance": "proximité",
    "capacite": "places libres",
    "profil": "spécialités adaptées",
    "fraicheur": "disponibilités à jour",
    "equite": "peu sollicité récemment",
}
