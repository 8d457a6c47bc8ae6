"""The ranking engine: eligibility rules, then an explained weighted score. Pure code: no FastAPI, no SQLAlchemy.

Inputs are plain dataclasses (the professionals' profiles from an in-memory index, their live load read from the
database, the request and the weights); the output carries, for every candidate, each criterion's raw value,
sub-score, weight and contribution, and for every other professional the reason it was left out.

Distances are measured from the query's origin: the service puts it at the établissement where the person lives
when the registry knows it (its own place, not its commune's centre), else at the residence. A préposé is eligible
only for the établissements it covers and exercises inside them: its distance is 0.

What the judge asks for comes first: among the candidates within their declared zone, those covering more of the
requested specialities and languages (`besoins`, `langues`; not those the age implies) are ranked ahead, whatever
their score; the score orders candidates that cover as many. A professional who has what was asked for is thus never
overtaken by one who lacks it, however free or new.

A new professional enters the ranking by this rule: during its first `Tuning.newcomer_days` days on the list (from
its registration), its capacity and equity sub-scores, which it earns only by having no history yet, count at most
`Tuning.newcomer_cap` (half); its distance, profile and freshness count fully. It thus competes like a half-occupied
professional and no longer jumps to the top of every list around it; after those days it is scored like any other.

Rules are checked in a fixed order and the first that fails is the reason counted, so that counts add up to the
number of professionals considered. Ties break on distance, then on the professional's id: the same request on
the same data always gives the same answer.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from math import exp, inf

import numpy as np

from app import labels
from app.geo.distance import haversine_km
from app.registry.constants import (
    IN_ETABLISSEMENT,
    RECENT_DESIGNATION_DAYS,
    MandataireStatut,
    MandataireType,
    Nature,
    Specialite,
)

ENGINE_VERSION = "1.0.0"
# The registry's vocabulary, as the plain strings the profiles hold.
EXERCICES = tuple(member.value for member in MandataireType)  # service, individuel, préposé: diversity's order
ACTIVE = MandataireStatut.ACTIF.value

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
    # Chosen with the simulator (`mjpm simulate --comparer`, docs/simulation.md): on a year of the regional demo,
    # no designation beyond capacity, a mean distance within 25 % of the nearest-with-room frontier's and a lower
    # occupancy spread than it.
    distance: float = 0.65
    capacite: float = 0.15
    profil: float = 0.15
    fraicheur: float = 0.025
    equite: float = 0.025

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
    equity_window_days: int = RECENT_DESIGNATION_DAYS  # the registry keeps the count of this window
    equity_share: float = 0.1  # designations in the window, as a share of capacity, that cancel the equity score
    newcomer_days: int = 90  # a professional registered this recently enters the ranking capped (module docstring)
    newcomer_cap: float = 0.5  # its capacity and equity sub-scores count at most this


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
    langues: frozenset[str] = frozenset()  # ISO 639-1 codes
    inscrit_le: datetime | None = None  # registration on the list; None: long established


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
    langues: frozenset[str] = frozenset()  # ISO 639-1 codes
    annee_naissance: int | None = None
    urgence: bool = False
    exclure: frozenset[int] = frozenset()
    limit: int = 10
    inclure_complets: bool = False
    diversite: bool = True


@dataclass(slots=True)  # not frozen: built 50 times per request, and a frozen init is slower
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
    dans_etablissement: bool = False  # a préposé of the établissement where the person lives
    demandes_couvertes: tuple[str, ...] = ()  # requested specialities, then languages, it has
    nouveau: bool = False  # within its first days on the list: capacity and equity capped


@dataclass(slots=True)
class Result:
    candidats: list[Candidate]
    considered: int
    eligibles: int
    exclusions: dict[str, int]
    weights: Weights
    # Every eligible professional's id in the list's order, those with room first, then the full ones: the
    # shortlist is its head (plus diversity's additions); `/match/explain` reads a professional's rank in it.
    classement: list[int] = field(default_factory=list)


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


def failing_rules(profile: Profile, query: Query) -> Iterator[str]:
    """Every rule (before capacity) that the professional fails, in the documented order, lazily: the ranking
    takes the first, "why not this professional" all of them."""
    territorial = territorial_exclusion(profile, query)
    if territorial:
        yield territorial
    if profile.statut != ACTIVE:
        yield STATUT_INACTIF
    if profile.id in query.exclure:
        yield EXCLU_PAR_JUGE
    if is_absent(profile, query.today):
        yield ABSENT
    if not profile.accepte_nouvelles_mesures:
        yield N_ACCEPTE_PAS
    if query.nature == Nature.MJAGBF and not profile.dpf:
        yield MJAGBF_SANS_DPF
    if query.nature not in profile.natures:
        yield NATURE_NON_COUVERTE
    if profile.type == MandataireType.PREPOSE and (
        query.etablissement_id is None or query.etablissement_id not in profile.etablissements
    ):
        yield PREPOSE_HORS_ETABLISSEMENT
    if query.pays == "BE" and Specialite.BELGIQUE not in profile.specialites:
        yield BELGIQUE_NON_COUVERTE


def static_exclusion(profile: Profile, query: Query) -> str | None:
    """The first rule (before capacity) that the professional fails, or None."""
    return next(failing_rules(profile, query), None)


# --- sub-scores: one function per criterion, each in [0, 1] and monotonic in its raw value -------------
# A request scores a few dozen candidates (a hundred in the largest départements): plain Python beats numpy's
# per-call overhead at that size. Only the distances to every site are computed at once, with numpy.


def distance_score(distance_km: float | None, radius_km: float, tuning: Tuning) -> float:
    """Full score nearby, linear down to `score_at_radius` at the declared radius, decaying beyond it."""
    if distance_km is None:  # no site at all: no proximity
        return 0.0
    if distance_km <= tuning.full_score_km:
        return 1.0
    if distance_km <= radius_km:
        span = max(radius_km - tuning.full_score_km, 1e-9)
        return 1.0 - (1.0 - tuning.score_at_radius) * (distance_km - tuning.full_score_km) / span
    return tuning.score_at_radius * exp(-(distance_km - radius_km) / radius_km)


def capacity_score(places_libres: float, capacite: float) -> float:
    """Free places as a share of declared capacity: a small MI with 5 of 40 free is as free as a big service."""
    return min(max(places_libres / capacite, 0.0), 1.0) if capacite > 0 else 0.0


def implied_needs(query: Query) -> frozenset[str]:
    """The requested specialities, plus those the person's age or residence imply."""
    needs = set(query.besoins)
    if query.annee_naissance is not None:
        age = query.today.year - query.annee_naissance
        if age < 25:
            needs.add("jeunes_majeurs")
        elif age >= 75:
            needs.add("personnes_agees")
    if query.pays == "BE":
        needs.add(Specialite.BELGIQUE.value)
    return frozenset(needs)


def profile_score(profile: Profile, query: Query, needs: frozenset[str]) -> float:
    """Share of the needs covered, averaged with the fit to the person's establishment when there is one."""
    lieu_fit = 1.0
    if query.lieu_vie in IN_ETABLISSEMENT and query.etablissement_id is not None:
        lieu_fit = 1.0 if query.etablissement_id in profile.etablissements else 0.5
    if not needs:
        return lieu_fit
    return (len(needs & profile.specialites) / len(needs) + lieu_fit) / 2.0


def requested_covered(profile: Profile, query: Query) -> tuple[str, ...]:
    """The requested specialities, then languages, that the professional has (the ranking's first key)."""
    return tuple(sorted(query.besoins & profile.specialites)) + tuple(sorted(query.langues & profile.langues))


def is_newcomer(profile: Profile, now: datetime, tuning: Tuning) -> bool:
    return profile.inscrit_le is not None and (now - profile.inscrit_le).days < tuning.newcomer_days


def newcomer_capped(sub_score: float, newcomer: bool, tuning: Tuning) -> float:
    """What a new professional earns only by having no history yet counts at most `newcomer_cap`."""
    return min(sub_score, tuning.newcomer_cap) if newcomer else sub_score


def freshness_score(age_days: float, tuning: Tuning) -> float:
    span = tuning.worthless_after_days - tuning.stale_after_days
    return min(max(1.0 - (age_days - tuning.stale_after_days) / span, 0.0), 1.0)


def equity_score(recent: int, capacite: int, tuning: Tuning) -> float:
    """Professionals designated often lately, relative to their size, give way to others."""
    return max(0.0, 1.0 - recent / max(capacite * tuning.equity_share, 1.0))


# --- ranking ---------------------------------------------------------------------------------------

CRITERIA = (
    ("distance", "km"),
    ("capacite", "part_libre"),
    ("profil", "part_couverte"),
    ("fraicheur", "jours"),
    ("equite", "designations"),
)


def effective_weights(weights: Weights, urgence: bool) -> Weights:
    """In an emergency, being free now and having current data matter twice as much."""
    if not urgence:
        return weights
    return Weights(weights.distance, weights.capacite * 2, weights.profil, weights.fraicheur * 2, weights.equite)


def nearest_site_index(profile: Profile, load: LiveLoad, distances: list[float]) -> int:
    """Nearest site, skipping antennes whose own capacity is full while another has room."""
    order = sorted(range(len(distances)), key=distances.__getitem__)
    for index in order:
        site = profile.sites[index]
        if site.capacite is None or load.sites.get(site.id, 0) < site.capacite:
            return index
    return order[0]


@dataclass(slots=True)
class Scored:
    """Every criterion of one eligible professional for one request (raw values and sub-scores in CRITERIA
    order); explained into a `Candidate` only when shown."""

    profile: Profile
    load: LiveLoad
    site: SiteProfile | None
    raw: tuple[float | None, ...]
    subs: tuple[float, ...]
    radius_km: float
    places_libres: int
    complet: bool
    score: float
    dans_etablissement: bool = False
    demandes_couvertes: tuple[str, ...] = ()
    nouveau: bool = False

    @property
    def hors_zone(self) -> bool:
        return self.raw[0] is None or self.raw[0] > self.radius_km


def order_key(scored: Scored) -> tuple:
    """Within its zone, more of what was asked for first; then best score, nearest (no site: last), lowest id."""
    asked = 0 if scored.hors_zone else len(scored.demandes_couvertes)
    return (-asked, -scored.score, inf if scored.raw[0] is None else scored.raw[0], scored.profile.id)


def score_all(eligible: list[tuple[Profile, LiveLoad]], query: Query, weights: Weights, tuning: Tuning) -> list[Scored]:
    all_distances = haversine_km(
        query.lat,
        query.lon,
        np.fromiter((s.lat for profile, _ in eligible for s in profile.sites), dtype=np.float64),
        np.fromiter((s.lon for profile, _ in eligible for s in profile.sites), dtype=np.float64),
    ).tolist()
    weight_of = weights.as_dict()
    total_weight = sum(weight_of.values()) or 1.0
    # Shares of the total weight, in CRITERIA order, spelled out: the weighted sum runs once per candidate.
    w_distance, w_capacite, w_profil, w_fraicheur, w_equite = (weight_of[name] / total_weight for name, _ in CRITERIA)
    needs, start, now, scored = implied_needs(query), 0, query.now, []
    for profile, load in eligible:
        own = all_distances[start : start + len(profile.sites)]
        start += len(own)
        site, distance = None, None
        if own:
            single = len(own) == 1 and profile.sites[0].capacite is None
            chosen = 0 if single else nearest_site_index(profile, load, own)
            site, distance = profile.sites[chosen], own[chosen]
        at_hand = profile.type == MandataireType.PREPOSE and query.etablissement_id in profile.etablissements
        if at_hand:  # it exercises inside the établissement where the person lives
            distance = 0.0
        held = load.held
        if site is not None and site.capacite is not None:  # the antenne carries its own capacity
            free, capacity = site.capacite - load.sites.get(site.id, 0), site.capacite
        else:
            free, capacity = profile.capacite - held, profile.capacite
        radius = profile.rayon_km or tuning.default_radius_km
        age_days = (now - profile.derniere_mise_a_jour).total_seconds() / 86400.0
        recent = load.designations_recentes
        by_distance = distance_score(distance, radius, tuning)
        newcomer = is_newcomer(profile, now, tuning)
        by_capacity = newcomer_capped(capacity_score(free, capacity), newcomer, tuning)
        by_profile = profile_score(profile, query, needs)
        by_freshness = freshness_score(age_days, tuning)
        by_equity = newcomer_capped(equity_score(recent, profile.capacite, tuning), newcomer, tuning)
        score = (
            w_distance * by_distance
            + w_capacite * by_capacity
            + w_profil * by_profile
            + w_fraicheur * by_freshness
            + w_equite * by_equity
        )
        places_libres = profile.capacite - held
        scored.append(
            Scored(
                profile,
                load,
                site,
                (distance, free / capacity if capacity > 0 else None, by_profile, age_days, recent),
                (by_distance, by_capacity, by_profile, by_freshness, by_equity),
                radius,
                places_libres,
                places_libres <= 0 or free <= 0,
                round(score, 4),
                at_hand,
                requested_covered(profile, query),
                newcomer,
            )
        )
    return scored


def explained(scored: Scored, weights: Weights, tuning: Tuning) -> Candidate:
    """The candidate with every component, built only for the professionals shown."""
    weight_of = weights.as_dict()
    total_weight = sum(weight_of.values()) or 1.0
    components = []
    for (name, unit), value, sub in zip(CRITERIA, scored.raw, scored.subs, strict=True):
        weight = weight_of[name]
        shown = None if value is None else round(value, 4 if name == "capacite" else 2)
        components.append(Component(name, shown, unit, round(sub, 4), weight, round(weight * sub / total_weight, 4)))
    distance, profile = scored.raw[0], scored.profile
    return Candidate(
        profile=profile,
        site=scored.site,
        distance_km=None if distance is None else round(distance, 2),
        places_libres=scored.places_libres,
        taux_occupation=round(scored.load.held / profile.capacite, 4) if profile.capacite else None,
        score=scored.score,
        composantes=components,
        hors_zone_declaree=scored.hors_zone,
        donnees_anciennes=(scored.raw[3] or 0.0) > tuning.stale_after_days,
        complet=scored.complet,
        dans_etablissement=scored.dans_etablissement,
        demandes_couvertes=scored.demandes_couvertes,
        nouveau=scored.nouveau,
    )


def evaluate(profile: Profile, load: LiveLoad, query: Query, weights: Weights, tuning: Tuning) -> Candidate:
    """One professional's explained candidate, as `rank` would show it."""
    (scored,) = score_all([(profile, load)], query, weights, tuning)
    candidate = explained(scored, weights, tuning)
    candidate.explication = explain(candidate)
    return candidate


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
    scored = score_all(eligible, query, weights, tuning)
    scored.sort(key=order_key)
    available = [s for s in scored if not s.complet]
    full = [s for s in scored if s.complet]
    exclusions[COMPLET] += len(full)

    chosen = available[: query.limit]
    added: list[Scored] = []
    if query.diversite:
        present = {s.profile.type for s in chosen}
        for exercice in EXERCICES:
            best = next((s for s in available if s.profile.type == exercice), None)
            if exercice not in present and best is not None:
                added.append(best)
    shortlist = [explained(s, weights, tuning) for s in chosen + added + (full if query.inclure_complets else [])]
    for candidate in shortlist[len(chosen) : len(chosen) + len(added)]:
        candidate.ajoute_pour_diversite = True
    for position, candidate in enumerate(shortlist, start=1):
        candidate.rang = position
        candidate.explication = explain(candidate)
    return Result(
        candidats=shortlist,
        considered=considered,
        eligibles=len(available),
        exclusions=dict(sorted((code, count) for code, count in exclusions.items() if count)),
        weights=weights,
        classement=[s.profile.id for s in available + full],
    )


# How a sentence names each way of practising: the registry's labels, in lower case.
EXERCICE_LABEL = {code: label[:1].lower() + label[1:] for code, label in labels.TYPES_MANDATAIRE.items()}


def explain(candidate: Candidate) -> str:
    """One French sentence a judge can read: what places this professional here."""
    parts = [EXERCICE_LABEL.get(candidate.profile.type, candidate.profile.type)]
    if candidate.dans_etablissement:
        parts.append("exerce dans l'établissement où vit la personne")
    elif candidate.distance_km is not None:
        parts.append(f"à {candidate.distance_km:.0f} km" + (f" ({candidate.site.nom})" if candidate.site else ""))
    if candidate.taux_occupation is not None:
        parts.append(f"{candidate.places_libres} place(s) libre(s), occupation {candidate.taux_occupation:.0%}")
    covered = candidate.demandes_couvertes
    asked_specialites = [labels.SPECIALITES[code].lower() for code in covered if code in labels.SPECIALITES]
    asked_langues = [labels.LANGUES[code] for code in covered if code in labels.LANGUES]
    if asked_specialites:
        parts.append("spécialité(s) demandée(s) : " + ", ".join(asked_specialites))
    if asked_langues:
        parts.append("parle " + ", ".join(asked_langues))
    strongest = max(candidate.composantes, key=lambda c: c.contribution)
    parts.append(f"point fort : {CRITERION_LABEL[strongest.critere]}")
    if candidate.nouveau:
        parts.append("nouveau sur la liste")
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
