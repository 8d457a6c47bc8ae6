"""Professionals: services with their antennes, individual MIs with their office, préposés with their
establishments; their titles, listings, specialities, capacity, status and absences."""

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial

import numpy as np

from app.demo import tunables as t
from app.demo.draft import Draft, SeedEtablissement, SeedMandataire, SeedSite
from app.demo.draws import Picker, allocate, new_siret, sample_distinct
from app.demo.etablissements import extra_etablissements, new_etablissement
from app.demo.geography import DepartementData
from app.demo.names import (
    ASSOCIATION_WORDS,
    FIRST_NAMES,
    PHONE_PREFIX,
    SERVICE_PREFIXES,
    SURNAME_HEADS,
    SURNAME_TAILS,
    of_commune,
    of_departement,
)
from app.geo.distance import haversine_km
from app.geo.gazetteer import Commune, normalize_name
from app.registry.constants import (
    CategorieEtablissement,
    MandataireStatut,
    MandataireType,
    MotifAbsence,
    Nature,
    Specialite,
)

MI_BAND_PICKER = Picker(t.SEED_MI_LOAD_BANDS, [band[2] for band in t.SEED_MI_LOAD_BANDS])


# --- names ---------------------------------------------------------------------------------------------


def prepose_name(etablissement: str, attempt: int) -> str:
    return f"Préposé MJPM — {etablissement}" + (f" {attempt + 1}" if attempt else "")


def unique_name(draft: Draft, make: Callable[[int], str]) -> str:
    for attempt in range(200):
        name = make(attempt)
        if name not in draft.used_names:
            draft.used_names.add(name)
            return name
    raise RuntimeError("no free name")  # pragma: no cover


def person_name(draft: Draft, attempt: int) -> str:
    rng = draft.rng
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(SURNAME_HEADS) + rng.choice(SURNAME_TAILS)
    if attempt > 20:
        last = f"{last}-{rng.choice(SURNAME_HEADS)}{rng.choice(SURNAME_TAILS)}"
    return f"{first} {last}"


def service_name(draft: Draft, data: DepartementData, index: int, head: Commune, attempt: int) -> str:
    """'UDAF du Nord', 'ATMP du Nord'..., then 'Association Horizon de Lille' for the next ones."""
    if index < len(SERVICE_PREFIXES):
        return f"{SERVICE_PREFIXES[index]} {of_departement(data.nom)}" + (f" ({head.nom})" if attempt else "")
    return f"Association {draft.rng.choice(ASSOCIATION_WORDS)} {of_commune(head.nom)}" + (
        f" {attempt}" if attempt > 8 else ""
    )


# --- who works where -----------------------------------------------------------------------------------


def mi_load(draft: Draft) -> int:
    """A number of measures drawn from the national MI load bands."""
    low, high, _ = MI_BAND_PICKER.pick(draft.rng)
    return draft.rng.randint(low, high)


def create_professionals(draft: Draft) -> None:
    rng, targets = draft.rng, draft.targets
    departements = draft.geography.departements
    codes = list(departements)
    populations = [float(departements[c].populations.sum()) for c in codes]
    services_by = dict(zip(codes, allocate(targets.services, populations, minimum=1), strict=True))
    individuels_by = dict(zip(codes, allocate(targets.individuels, populations, minimum=2), strict=True))
    preposes_by = dict(zip(codes, allocate(targets.preposes, populations, minimum=1), strict=True))
    # Measures held in each département: population times a rate drawn in the national range.
    demand = {c: p * rng.uniform(*t.MEASURES_PER_1000) / 1000 for c, p in zip(codes, populations, strict=True)}
    active_target = targets.mesures
    demand_scale = active_target / sum(demand.values())

    # Establishments: the préposés' own (public, over 80 places), then others.
    own: dict[str, list[SeedEtablissement]] = {}
    own_categories = Picker.of(t.PREPOSE_ETABLISSEMENT_MIX)
    for code in codes:
        data = departements[code]
        own[code] = [
            new_etablissement(
                draft,
                code,
                own_categories.pick(rng),
                True,
                rng.randint(*t.PREPOSE_ETABLISSEMENT_PLACES),
                data.towns.pick(rng),
            )
            for _ in range(preposes_by[code])
        ]
        extra = max(t.MIN_EXTRA_ETABLISSEMENTS, round(float(data.populations.sum()) / t.POPULATION_PER_ETABLISSEMENT))
        extra_etablissements(draft, code, extra)
    draft.tick("professionnels", 0, targets.services + targets.individuels + targets.preposes)

    mandataires: list[SeedMandataire] = []
    load_individuels: dict[str, int] = dict.fromkeys(codes, 0)
    load_preposes: dict[str, int] = dict.fromkeys(codes, 0)
    services: dict[str, list[SeedMandataire]] = {}
    for code in codes:
        data = departements[code]
        services[code] = []
        for index in range(services_by[code]):
            head = data.towns.pick(rng)
            nom = unique_name(draft, partial(service_name, draft, data, index, head))
            mandataire = SeedMandataire(id=0, type=MandataireType.SERVICE, departement=code, nom=nom, target=0)
            mandataire.sites = [SeedSite(id=0, nom=f"Siège — {head.nom}", commune=head)]
            mandataire.dpf = rng.random() < (t.SERVICE_DPF[0] if index == 0 else t.SERVICE_DPF[1])
            services[code].append(mandataire)
    for code in codes:
        data = departements[code]
        for _ in range(individuels_by[code]):
            office = data.picker.pick(rng)
            mandataire = SeedMandataire(
                id=0,
                type=MandataireType.INDIVIDUEL,
                departement=code,
                nom=unique_name(draft, lambda attempt: person_name(draft, attempt)),
                target=mi_load(draft),
            )
            mandataire.sites = [SeedSite(id=0, nom=f"Cabinet — {office.nom}", commune=office)]
            mandataire.dpf = rng.random() < t.INDIVIDUEL_DPF
            load_individuels[code] += mandataire.target
            mandataires.append(mandataire)
    preposes: list[SeedMandataire] = []
    for code in codes:
        for etablissement in own[code]:
            capacite = rng.randint(*t.PREPOSE_CAPACITE)
            mandataire = SeedMandataire(
                id=0,
                type=MandataireType.PREPOSE,
                departement=code,
                nom=unique_name(draft, partial(prepose_name, etablissement.nom)),
                target=max(t.PREPOSE_MIN_LOAD, round(capacite * rng.uniform(*t.PREPOSE_LOAD))),
            )
            mandataire.capacite = capacite
            mandataire.sites = [SeedSite(id=0, nom=etablissement.nom, commune=etablissement.commune)]
            mandataire.etablissements = [etablissement, *convention_etablissements(draft, etablissement, own[code])]
            load_preposes[code] += mandataire.target
            preposes.append(mandataire)

    # Services hold what the individuals and préposés do not, département by département.
    service_total = active_target - sum(load_individuels.values()) - sum(load_preposes.values())
    need = {
        c: max(demand[c] * demand_scale - load_individuels[c] - load_preposes[c], t.SERVICE_MIN_NEED * services_by[c])
        for c in codes
    }
    need_scale = service_total / sum(need.values())
    service_list: list[SeedMandataire] = []
    need_shares = allocate(service_total, [need[c] * need_scale for c in codes])
    for code, share in zip(codes, need_shares, strict=True):
        weights = [
            (t.HEAD_SERVICE_WEIGHT if index == 0 else 1.0) * (rng.gammavariate(2.0, 1.0) + 0.25)
            for index in range(len(services[code]))
        ]
        targets_here = allocate(share, weights, minimum=min(t.SERVICE_MIN_LOAD, share // max(1, len(weights))))
        for mandataire, target in zip(services[code], targets_here, strict=True):
            mandataire.target = target
            service_list.append(mandataire)
    place_antennes(draft, service_list)

    ordered = service_list + mandataires + preposes
    for number, mandataire in enumerate(ordered, start=1):
        mandataire.id = number
    draft.mandataires = ordered
    for number, mandataire in enumerate(ordered, start=1):
        describe(draft, mandataire)
        if number % 250 == 0:
            draft.tick("professionnels", number, len(ordered))
    # Sites are numbered once `describe` has added the antennes of the services listed in a neighbour.
    site_id = 0
    for mandataire in ordered:
        for site in mandataire.sites:
            site_id += 1
            site.id = site_id
    assign_belgium(draft)
    draft.tick("professionnels", len(ordered), len(ordered))


def convention_etablissements(
    draft: Draft, own: SeedEtablissement, others_own: list[SeedEtablissement]
) -> list[SeedEtablissement]:
    """0-2 more establishments of the département covered by convention, public and near ones first."""
    rng = draft.rng
    count = Picker.of(t.CONVENTIONS_MIX).pick(rng)
    if not count:
        return []
    pool = [
        e for e in draft.etablissements_by_departement[own.commune.departement] if e is not own and e not in others_own
    ]
    if not pool:
        return []
    distances = haversine_km(
        own.commune.lat,
        own.commune.lon,
        np.array([e.commune.lat for e in pool]),
        np.array([e.commune.lon for e in pool]),
    )
    weights = [(3.0 if e.public else 1.0) * math.exp(-float(km) / 30.0) for e, km in zip(pool, distances, strict=True)]
    return sample_distinct(rng, Picker(pool, weights), min(count, len(pool)))


def place_antennes(draft: Draft, services: list[SeedMandataire]) -> None:
    """Bigger services get more antennes; antennes lie in communes of their département, by population."""
    rng = draft.rng
    counts = sorted((Picker.of(t.ANTENNES_MIX).pick(rng) for _ in services), reverse=True)
    by_size = sorted(services, key=lambda m: (-m.target, m.departement, m.nom))
    for mandataire, count in zip(by_size, counts, strict=True):
        data = draft.geography.departements[mandataire.departement]
        head = mandataire.sites[0].commune
        others = [c for c in sample_distinct(rng, data.towns, count) if c is not head][: count - 1]
        seen: Counter[str] = Counter([head.insee])
        for commune in others:
            seen[commune.insee] += 1
            suffix = f" {seen[commune.insee]}" if seen[commune.insee] > 1 else ""
            mandataire.sites.append(SeedSite(id=0, nom=f"Antenne {of_commune(commune.nom)}{suffix}", commune=commune))


def neighbour_antenne(draft: Draft, mandataire: SeedMandataire, neighbours: list[str]) -> None:
    """A service listed in a neighbouring département has an antenne there, which works its measures there: a
    neighbour of its région among the nearest first, so that a région's agent sees a service in two of its
    départements. The town is drawn apart from `draft.rng`, so that the demo's other draws stay as they were."""
    departements = draft.geography.departements
    region = departements[mandataire.departement].region
    near = neighbours[: t.SERVICE_NEIGHBOUR_CHOICES]
    neighbour = next((n for n in near if region and departements[n].region == region), neighbours[0])
    mandataire.departements.append(neighbour)
    town = departements[neighbour].towns.pick(random.Random(f"{draft.seed}:antenne:{mandataire.id}"))
    mandataire.sites.append(SeedSite(id=0, nom=f"Antenne {of_commune(town.nom)}", commune=town))


def describe(draft: Draft, mandataire: SeedMandataire) -> None:
    """Title, listings, specialities and languages of a professional."""
    rng = draft.rng
    code = mandataire.departement
    neighbours = draft.geography.neighbours[code]
    if mandataire.type == MandataireType.SERVICE:
        mandataire.natures = [*t.PROTECTION_NATURES]
        if rng.random() < t.SERVICE_MAJ:
            mandataire.natures.append(Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE)
        mandataire.departements = [code]
        if neighbours and rng.random() < t.SERVICE_NEIGHBOUR_LISTING:
            neighbour_antenne(draft, mandataire, neighbours)
        mandataire.specialites = specialites(draft, t.SPECIALITES)
        if rng.random() < t.SERVICE_LANGUES:
            mandataire.langues = list(rng.choice(t.LANGUES))
    elif mandataire.type == MandataireType.INDIVIDUEL:
        mandataire.natures = [*t.PROTECTION_NATURES]
        if rng.random() < t.INDIVIDUEL_MAJ:
            mandataire.natures.append(Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE)
        listings = Picker.of(t.LISTINGS_MIX).pick(rng)
        tribunals = draft.geography.tribunals_by_departement[code]
        if len(tribunals) >= 2 and rng.random() < t.TRIBUNAL_RESTRICTION[0]:
            office = mandataire.sites[0].commune
            seats = sorted(tribunals, key=lambda s: (float(haversine_km(office.lat, office.lon, s[1], s[2])), s[0]))
            mandataire.tribunaux = [seats[0][0]] + ([seats[1][0]] if rng.random() < t.TRIBUNAL_RESTRICTION[1] else [])
            listings = 1
        near = [n for n in neighbours[:4]]
        mandataire.departements = [code] + (
            sample_distinct(rng, Picker(near, [1.0] * len(near)), min(listings - 1, len(near)))
            if near and listings > 1
            else []
        )
        mandataire.specialites = specialites(draft, t.SPECIALITES)
        if rng.random() < t.INDIVIDUEL_LANGUES:
            mandataire.langues = list(rng.choice(t.LANGUES))
        if rng.random() < t.RAYON_RATE:
            mandataire.rayon_km = rng.choice(t.RAYONS_KM)
    else:
        mandataire.natures = [*t.PROTECTION_NATURES]
        mandataire.departements = [code]
        own = CategorieEtablissement(mandataire.etablissements[0].categorie)
        favourite = {
            CategorieEtablissement.EHPAD: Specialite.PERSONNES_AGEES,
            CategorieEtablissement.USLD: Specialite.FIN_DE_VIE,
            CategorieEtablissement.HOPITAL_PSYCHIATRIQUE: Specialite.PSYCHIATRIE,
        }.get(own, Specialite.SITUATIONS_COMPLEXES)
        mandataire.specialites = specialites(draft, t.SPECIALITES, favourite=favourite)
    if mandataire.dpf:
        mandataire.natures.append(Nature.MJAGBF)
    mandataire.statut = Picker.of(t.STATUT_MIX).pick(rng)


def specialites(draft: Draft, pool: Sequence[str], favourite: str | None = None) -> list[str]:
    count = Picker.of(t.SPECIALITES_COUNT_MIX).pick(draft.rng)
    weights = [t.FAVOURITE_SPECIALITE_WEIGHT if s == favourite else 1.0 for s in pool]
    chosen = sample_distinct(draft.rng, Picker(pool, weights), count)
    return sorted(chosen, key=list(pool).index)


def assign_belgium(draft: Draft) -> None:
    """A few services and MIs of the border départements work in Belgium, for 1-2 % of those measures."""
    rng = draft.rng
    border = [c for c in t.BELGIAN_BORDER if c in draft.geography.departements]
    if not border:
        return
    chosen: list[SeedMandataire] = []
    for code in border:
        main = code in t.BELGIAN_MAIN_BORDER
        services = [m for m in draft.mandataires if m.type == MandataireType.SERVICE and m.departement == code]
        quota = (
            max(1, round(len(services) * t.BELGIAN_SERVICES_NORD))
            if code == "59"
            else (1 if main or rng.random() < 0.5 else 0)
        )
        chosen += sample_distinct(rng, Picker(services, [float(m.target) for m in services]), min(quota, len(services)))
        for mandataire in draft.mandataires:
            if (
                mandataire.type == MandataireType.INDIVIDUEL
                and mandataire.departement == code
                and not mandataire.tribunaux
                and rng.random() < (t.BELGIAN_INDIVIDUELS[0] if main else t.BELGIAN_INDIVIDUELS[1])
            ):
                chosen.append(mandataire)
    if not chosen:
        return
    base = sum(m.target for m in draft.mandataires if m.departement in border)
    fraction = min(t.BELGIAN_MAX_FRACTION, t.BELGIAN_SHARE * base / sum(m.target for m in chosen))
    for mandataire in chosen:
        mandataire.specialites = sorted({*mandataire.specialites[:2], Specialite.BELGIQUE}, key=[*Specialite].index)
        if not mandataire.langues and rng.random() < t.BELGIAN_DUTCH:
            mandataire.langues = ["nl"]
        mandataire.belgian_fraction = fraction


# --- rows ----------------------------------------------------------------------------------------------


def capacity(draft: Draft, mandataire: SeedMandataire) -> tuple[int, int | None]:
    """Capacity (and a service's authorised capacity) around the load generated: most have room, some are full
    or over."""
    rng = draft.rng
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


def mandataire_rows(draft: Draft) -> tuple[list[dict], dict[str, list[dict]]]:
    """The professionals' rows and those of their titles, listings, specialities, establishments and sites
    (`links`); absences are added to the draft on the way."""
    rng = draft.rng
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
    for mandataire in draft.mandataires:
        if mandataire.type == MandataireType.INDIVIDUEL and mandataire.statut == MandataireStatut.ACTIF:
            remplacants.setdefault(mandataire.departement, []).append(mandataire.id)
    for mandataire in draft.mandataires:
        capacite, autorisee = capacity(draft, mandataire)
        statut_depuis = statut_jusqu_au = None
        if mandataire.statut == MandataireStatut.SUSPENDU:
            statut_depuis = draft.days[rng.randint(0, 5)]
            statut_jusqu_au = statut_depuis + timedelta(days=8)
        elif mandataire.statut == MandataireStatut.CESSATION:
            statut_depuis = draft.days[rng.randint(1, 40)]
            statut_jusqu_au = statut_depuis + timedelta(days=61)
        stale = rng.random() < t.STALE_SHARE
        updated_ago = rng.uniform(46, 400) if stale else rng.uniform(0.02, 30)
        created_ago = updated_ago + rng.uniform(30, 3_000)
        if mandataire.type == MandataireType.INDIVIDUEL:
            first, last = mandataire.nom.split(" ", 1)
            email = f"{normalize_name(first).replace(' ', '-')}.{normalize_name(last).replace(' ', '-')}@mjpm.example"
        elif mandataire.type == MandataireType.SERVICE:
            email = f"contact@{normalize_name(mandataire.nom).replace(' ', '-')[:60]}.example"
        else:
            email = None
        region = draft.geography.departements[mandataire.departement].region
        prefix = PHONE_PREFIX.get(region or "", "01 99 00")
        rows.append(
            {
                "id": mandataire.id,
                "type": str(mandataire.type),
                "dpf": mandataire.dpf,
                "nom": mandataire.nom,
                "nom_recherche": normalize_name(mandataire.nom),
                "siret": None if mandataire.type == MandataireType.PREPOSE else new_siret(rng, draft.used_sirets),
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
                and rng.random() >= t.REFUSES_NEW,
                "derniere_mise_a_jour": draft.stamp(updated_ago),
                "created_at": draft.stamp(created_ago),
                "updated_at": draft.stamp(updated_ago),
                "version": 1,
                **mandataire.load.columns(),
            }
        )
        links["nature"] += [{"mandataire_id": mandataire.id, "nature": str(n)} for n in mandataire.natures]
        links["departement"] += [{"mandataire_id": mandataire.id, "departement": d} for d in mandataire.departements]
        links["tribunal"] += [{"mandataire_id": mandataire.id, "tribunal_id": i} for i in mandataire.tribunaux]
        links["specialite"] += [{"mandataire_id": mandataire.id, "specialite": str(s)} for s in mandataire.specialites]
        links["etablissement"] += [
            {"mandataire_id": mandataire.id, "etablissement_id": e.id} for e in mandataire.etablissements
        ]
        for site in mandataire.sites:
            site_capacite = None
            if mandataire.type == MandataireType.SERVICE and rng.random() < t.SITE_CAPACITE_RATE:
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
        if rng.random() < t.ABSENCE_RATE:
            absence(draft, mandataire, remplacants.get(mandataire.departement, []))
    return rows, links


def absence(draft: Draft, mandataire: SeedMandataire, remplacants: list[int]) -> None:
    """A current or coming absence, an MI's sometimes with a named replacement."""
    rng = draft.rng
    motif = Picker.of(t.MOTIF_MIX).pick(rng)
    if rng.random() < t.CURRENT_ABSENCE:
        debut = draft.days[rng.randint(1, 12)]
        fin = draft.today + timedelta(days=rng.randint(2, 30))
    else:  # future
        debut = draft.today + timedelta(days=rng.randint(5, 75))
        fin = debut + timedelta(days=rng.randint(4, 30))
    if motif == MotifAbsence.DEPART_RETRAITE:
        fin = debut + timedelta(days=rng.randint(180, 365))
    others = [i for i in remplacants if i != mandataire.id]
    remplacant = (
        rng.choice(others)
        if others and mandataire.type == MandataireType.INDIVIDUEL and rng.random() < t.REMPLACANT_RATE
        else None
    )
    draft.absences.append(
        {
            "id": len(draft.absences) + 1,
            "mandataire_id": mandataire.id,
            "debut": debut,
            "fin": fin,
            "motif": str(motif),
            "remplacant_id": remplacant,
        }
    )
