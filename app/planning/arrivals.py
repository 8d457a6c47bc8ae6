"""New measures drawn for a territory (pure code, seeded): where people live in proportion to the communes'
population, persons in an establishment at an establishment of the territory in proportion to its places, the
natures and lieux de vie in the territory's observed mix, spread evenly over the days of each year."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from app.geo.distance import haversine_km
from app.geo.gazetteer import Commune
from app.planning.repository import EtablissementRef
from app.planning.simulation import Arrival
from app.registry.constants import IN_ETABLISSEMENT


@dataclass(frozen=True, slots=True)
class Seat:
    """A tribunal's place: a measure goes to the nearest seat of the person's département."""

    id: int
    departement: str
    lat: float
    lon: float


def yearly_counts(first_year: int, growth: float, years: int) -> list[int]:
    """Arrivals of each year: `first_year`, then growing by `growth` (0.03: 3 % a year)."""
    return [round(first_year * (1.0 + growth) ** year) for year in range(years)]


def tribunal_of_communes(communes: Sequence[Commune], seats: Sequence[Seat]) -> dict[str, int]:
    """Each commune's tribunal: the nearest seat of its département (communes of a département without a seat are
    left out)."""
    by_departement: dict[str, list[Seat]] = {}
    for seat in seats:
        by_departement.setdefault(seat.departement, []).append(seat)
    # The communes grouped once (in their order): a scan of every commune for each département cost the whole of
    # France about a second.
    communes_of: dict[str, list[Commune]] = {}
    for commune in communes:
        communes_of.setdefault(commune.departement, []).append(commune)
    found: dict[str, int] = {}
    for departement, here in by_departement.items():
        members = communes_of.get(departement, [])
        if not members:
            continue
        distances = haversine_km(
            np.array([c.lat for c in members])[:, None],
            np.array([c.lon for c in members])[:, None],
            np.array([s.lat for s in here])[None, :],
            np.array([s.lon for s in here])[None, :],
        )
        for commune, nearest in zip(members, distances.argmin(axis=1).tolist(), strict=True):
            found[commune.insee] = here[nearest].id
    return found


def draw_arrivals(
    *,
    communes: Sequence[Commune],
    seats: Sequence[Seat],
    etablissements: Sequence[EtablissementRef],
    mix: Mapping[tuple[str, str], int],
    counts: Sequence[int],
    start: date,
    seed: int,
) -> list[Arrival]:
    """`counts[y]` arrivals in year `y` from `start`, in day order; the same seed gives the same arrivals."""
    rng = np.random.default_rng(seed)
    tribunal_of = tribunal_of_communes(communes, seats)
    homes = [c for c in communes if c.population > 0 and c.insee in tribunal_of]
    kinds = sorted(mix)
    if not homes or not kinds or not sum(counts):
        return []
    population = np.array([c.population for c in homes], dtype=np.float64)
    by_insee = {c.insee: c for c in communes}
    places = [e for e in etablissements if e.insee in tribunal_of]
    place_weights = np.array([max(e.places, 1) for e in places], dtype=np.float64)
    kind_weights = np.array([mix[k] for k in kinds], dtype=np.float64)
    arrivals: list[Arrival] = []
    for year, count in enumerate(counts):
        first = start + timedelta(days=365 * year)
        days = np.sort(rng.integers(0, 365, size=count)).tolist()
        drawn_kinds = rng.choice(len(kinds), size=count, p=kind_weights / kind_weights.sum()).tolist()
        drawn_homes = rng.choice(len(homes), size=count, p=population / population.sum()).tolist()
        drawn_places = (
            rng.choice(len(places), size=count, p=place_weights / place_weights.sum()).tolist()
            if places
            else [None] * count
        )
        for offset, kind, home, place in zip(days, drawn_kinds, drawn_homes, drawn_places, strict=True):
            nature, lieu_vie = kinds[kind]
            commune, etablissement_id, lat, lon = homes[home], None, None, None
            if lieu_vie in IN_ETABLISSEMENT and place is not None:
                etablissement = places[place]
                commune, etablissement_id = by_insee[etablissement.insee], etablissement.id
                lat, lon = etablissement.lat, etablissement.lon
            arrivals.append(
                Arrival(
                    day=first + timedelta(days=offset),
                    insee=commune.insee,
                    departement=commune.departement,
                    lat=commune.lat if lat is None else lat,
                    lon=commune.lon if lon is None else lon,
                    nature=nature,
                    lieu_vie=lieu_vie,
                    tribunal_id=tribunal_of[commune.insee],
                    etablissement_id=etablissement_id,
                )
            )
    return arrivals
