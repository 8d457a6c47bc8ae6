"""Measures: each professional's, in progress, pending or closed, drawn in the communes of its listed
départements by population and nearness to its sites (nearest site as `site_id`), some in establishments and,
for a few, in Belgium. Load counters of professionals and sites are summed on the way.

The history is that of a stock growing steadily (`tunables.GROWTH_RATE`) while each measure closes at its nature's
rate (`tunables.CLOSURE_RATE`): a measure held today was opened `a` days ago with a density in exp(-(growth +
rate)·a), a closed one ended during the history with a density in exp(-growth·a) after lasting as long (in
exp(-(growth + rate)·d)), and as many close as the stock's rate says. Openings then grow by the growth rate each
year, the stock at each 31 December too; judgments follow the seasons and fall on working days."""

import math
from datetime import timedelta

import numpy as np

from app.demo import tunables as t
from app.demo.draft import Draft, SeedMandataire
from app.demo.draws import Picker
from app.demo.reservations import answer_delay, history, reserve
from app.designation.constants import ReservationStatut
from app.geo.distance import haversine_km
from app.geo.gazetteer import BelgianMunicipality
from app.registry.constants import (
    IN_ETABLISSEMENT,
    PLACE_COLUMNS,
    Champ,
    Civilite,
    LieuVie,
    MandataireStatut,
    MandataireType,
    MesureStatut,
    Nature,
)
from app.registry.workload import measure_weight

# Columns of a measure row, in the order of the tuples `measures_of` builds (tuples keep 500 000 rows small).
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
    *PLACE_COLUMNS,
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
YEAR = 365.25
GROWTH = t.GROWTH_RATE / YEAR  # per day
CAUSES = {nature: Picker.of(t.CAUSE_MIX_BY_NATURE.get(nature, t.CAUSE_MIX)) for nature in Nature}


def closure_rate(nature: Nature) -> float:
    """Closures per year of a measure of this nature."""
    return t.CLOSURE_RATE.get(nature, t.DEFAULT_CLOSURE_RATE)


def days_back(draft: Draft, rate: float, low: int, high: int) -> int:
    """Days ago in [low, high), drawn with a density in exp(-rate·days) (rate per day, > 0)."""
    tail = 1.0 - math.exp(-rate * (high - low))
    return low + int(-math.log1p(-draft.rng.random() * tail) / rate)


def opening(draft: Draft, rate: float, low: int, high: int) -> int:
    """Days since a judgment drawn by `days_back`, kept as the season of its day says, moved to a working day."""
    rng, season = draft.rng, draft.season
    while True:
        ago = days_back(draft, rate, low, high)
        if rng.random() < season[ago]:
            return draft.workday[ago]


def weight(draft: Draft, nature: str, lieu_vie: str, pays: str) -> float:
    key = (nature, lieu_vie, pays)
    value = draft.weights_cache.get(key)
    if value is None:
        value = draft.weights_cache[key] = measure_weight(nature, lieu_vie, pays, weights={}, belgian_factor=1.0)
    return value


def numero_rg(draft: Draft, tribunal_id: int, year: int) -> str:
    key = (tribunal_id, year % 100)
    number = draft.rg_counters.get(key, 0) + 1
    draft.rg_counters[key] = number
    # Already in the registry's one form (uppercase letters and digits, app.registry.rg), as a judge's search or a
    # vendor's restatement writes it: "26/00196" would never be found again. e-MJPM's strict form: 2 digits, a
    # letter, 5 digits.
    return f"{year % 100:02d}D{number:05d}"


def create_measures(draft: Draft) -> None:
    total = len(draft.mandataires)
    draft.tick("mesures", 0, total)
    for number, mandataire in enumerate(draft.mandataires, start=1):
        measures_of(draft, mandataire)
        if number % 100 == 0 or number == total:
            draft.tick("mesures", number, total)


def measures_of(draft: Draft, mandataire: SeedMandataire) -> None:
    rng = draft.rng
    geography = draft.geography
    sites = mandataire.sites
    sigma = t.SPREAD_KM[MandataireType(mandataire.type)]
    # Candidate communes: those of its listed départements, by population and nearness to its nearest site.
    departements = [geography.departements[c] for c in mandataire.departements]
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
        own_share, others_share = t.OWN_ETABLISSEMENT_SHARE
        etablissement_picker = Picker(
            [own, *others], [own_share] + [others_share / len(others)] * len(others) if others else [1.0]
        )
    else:
        pool = [e for d in departements for e in draft.etablissements_by_departement.get(d.code, ())]
        etablissement_picker = Picker(pool, [e.places * float(closeness[position[e.commune.insee]]) for e in pool])

    belgian_picker = None
    if mandataire.belgian_fraction:
        km = haversine_km(
            geography.belgian_lats[:, None], geography.belgian_lons[:, None], site_lats[None, :], site_lons[None, :]
        )
        belgian_nearest = km.argmin(axis=1).tolist()
        near = km.min(axis=1)
        belgian_weights = np.where(near <= t.BELGIAN_REACH_KM, np.exp(-near / t.BELGIAN_SPREAD_KM), 0.0)
        if not belgian_weights.any():
            belgian_weights[np.argsort(near, kind="stable")[:15]] = 1.0
        belgian_picker = Picker(range(len(geography.belgian)), belgian_weights)
        seats = [
            s
            for s in geography.tribunals_by_departement[mandataire.departement]
            if not mandataire.tribunaux or s[0] in mandataire.tribunaux
        ]
        seat_km = haversine_km(
            geography.belgian_lats[:, None],
            geography.belgian_lons[:, None],
            np.array([s[1] for s in seats])[None, :],
            np.array([s[2] for s in seats])[None, :],
        )
        belgian_tribunal = [seats[i][0] for i in seat_km.argmin(axis=1).tolist()]

    mix = t.PREPOSE_NATURE_MIX if mandataire.type == MandataireType.PREPOSE else t.NATURE_MIX
    held = [n for n in mix if n in mandataire.natures]
    natures = Picker(held, [mix[n] for n in held])
    # Closed measures: as many as the stock's closures over the history, more of the short natures.
    closing = Picker(held, [mix[n] * closure_rate(n) for n in held])
    stock_rate = closing.total / natures.total / YEAR  # closures per day and measure held
    growth = GROWTH or 1e-9
    window = (1 - math.exp(-growth * draft.history_days)) / growth  # days of today's stock over the history
    closed = int(mandataire.target * stock_rate * window + rng.random())
    lieux = Picker.of(t.PREPOSE_LIEU_MIX if mandataire.type == MandataireType.PREPOSE else t.LIEU_MIX)
    belgian_lieux = Picker.of(t.BELGIAN_LIEU_MIX)
    champs = Picker.of(t.CHAMP_MIX)
    can_wait = mandataire.statut == MandataireStatut.ACTIF
    days, stamps, today_year = draft.days, draft.stamps, draft.today.year
    expiry, history_days = draft.reservation_expiry_days, draft.history_days
    rows = draft.mesures

    for index in range(mandataire.target + closed):
        nature = (natures if index < mandataire.target else closing).pick(rng)
        etablissement = None
        if belgian_picker is not None and rng.random() < mandataire.belgian_fraction and nature != Nature.MJAGBF:
            pays = "BE"
            lieu = belgian_lieux.pick(rng)
            i = belgian_picker.pick(rng)
            municipality: BelgianMunicipality = geography.belgian[i]
            codes = municipality.codes_postaux
            place: tuple[str | None, str | None, str, str | None, str | None] = (
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
                and rng.random() < t.MAJ_AT_HOME
            ):
                lieu = LieuVie.DOMICILE
            if (
                lieu in IN_ETABLISSEMENT
                and etablissement_picker
                and (
                    mandataire.type == MandataireType.PREPOSE
                    or (lieu == LieuVie.ETABLISSEMENT and rng.random() < t.LINKED_ETABLISSEMENT)
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
            tribunal_id = geography.commune_tribunal[commune.insee]

        rate = GROWTH + closure_rate(nature) / YEAR
        end_ago = None
        if index < mandataire.target:
            statut = MesureStatut.EN_ATTENTE if can_wait and rng.random() < t.EN_ATTENTE_RATE else MesureStatut.EN_COURS
            if statut == MesureStatut.EN_ATTENTE:
                ago = rng.randint(0, expiry - 1)
            else:
                ago = opening(draft, rate, 0, t.NATURE_SPAN_DAYS.get(nature, t.MAX_SPAN_DAYS))
        else:
            statut = MesureStatut.ETEINTE
            end_ago = days_back(draft, growth, 0, history_days)
            ago = opening(draft, rate, end_ago + 1, max(t.MAX_SPAN_DAYS, end_ago + 2))
        # Openings of the history came through a reservation, accepted on the day of the judgment (a pending one
        # waits for its answer); its measure was created with it.
        created, answered = stamps[ago], None
        if statut != MesureStatut.EN_ATTENTE and 1 <= ago <= history_days and rng.random() < t.RESERVED_SHARE:
            answered = stamps[ago] + timedelta(minutes=rng.randrange(480))
            created = answered - answer_delay(draft, t.ACCEPTANCE_DAYS)
        if end_ago is None:
            end, cause, updated = None, None, answered or created
        else:
            end, cause, updated = days[end_ago], CAUSES[nature].pick(rng), stamps[end_ago]
        if lieu in IN_ETABLISSEMENT:
            age = rng.triangular(*t.AGE_IN_ETABLISSEMENT)
        elif nature == Nature.MJAGBF:
            age = rng.triangular(*t.AGE_MJAGBF)
        else:
            age = rng.triangular(*t.AGE_OTHER)
        day = days[ago]
        birth_year = min(today_year - int(age), day.year - 18)  # an adult when the measure opened
        # A reserved measure is named by the judgment, when the professional accepts: no date yet.
        nomination = None if statut == MesureStatut.EN_ATTENTE else day
        poids = weight(draft, nature, lieu, pays)
        champ = Champ.BIEN if nature in (Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE, Nature.MJAGBF) else champs.pick(rng)
        civilite = Civilite.MADAME if rng.random() < t.MADAME_SHARE else Civilite.MONSIEUR
        mesure_id = len(rows) + 1
        numero = numero_rg(draft, tribunal_id, day.year)
        rows.append(
            (
                mesure_id,
                mandataire.id,
                site.id,
                tribunal_id,
                numero,
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
                created,
                updated,
                1,
            )
        )
        mandataire.load.add(statut, poids)
        site.load.add(statut, poids)
        if statut == MesureStatut.EN_ATTENTE or answered is not None:
            case = {"tribunal_id": tribunal_id, "numero_rg": numero, "nature": str(nature)}
            history(
                draft,
                mandataire_id=mandataire.id,
                departement=place[4] or mandataire.departement,
                created_at=created,
                **case,
            )
            reserve(
                draft,
                mesure_id=mesure_id,
                mandataire_id=mandataire.id,
                site_id=site.id,
                created_at=created,
                statut=ReservationStatut.ACCEPTEE if answered else ReservationStatut.EN_ATTENTE,
                answered_at=answered,
                **case,
            )
        if pays == "BE":
            draft.belgian_count += 1
