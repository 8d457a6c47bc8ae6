"""In-memory index of the professionals' profiles, by territory, for the ranking engine (pure code).

The index holds what changes rarely (titles, territories, sites, absences, specialities); the live load is read
from the database per request, so capacity truth stays there. A registry version stamp tells when to rebuild.
"""

from collections import Counter
from dataclasses import dataclass, field

from app.matching.engine import (
    HORS_DEPARTEMENT,
    RESTREINT_AUTRES_TRIBUNAUX,
    Profile,
    Query,
    Weights,
    static_exclusion,
)


@dataclass(frozen=True, slots=True)
class TribunalRef:
    id: int
    code: str
    siret: str | None
    departement: str


@dataclass(frozen=True, slots=True)
class Contact:
    """How a judge's office reaches a professional: not a criterion, shown on the shortlist's cards."""

    telephone: str | None
    email: str | None


@dataclass
class MatchIndex:
    version: int
    profiles: dict[int, Profile]
    weights_by_departement: dict[str, Weights] = field(default_factory=dict)
    tribunals: list[TribunalRef] = field(default_factory=list)
    # Every known one with its place (lat, lon): a request's is checked, and located, without a query.
    etablissements: dict[int, tuple[float, float]] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    site_insee: dict[int, str] = field(default_factory=dict)  # the commune of each site, for its address
    tribunals_by_code: dict[str, TribunalRef] = field(init=False)
    by_departement: dict[str, list[int]] = field(init=False)
    by_tribunal: dict[int, list[int]] = field(init=False)
    restricted_in_departement: dict[str, set[int]] = field(init=False)
    # Per (tribunal, département): the index never changes once built, so neither does the answer.
    _local: dict[tuple[int, str], tuple[list[Profile], Counter[str]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.tribunals_by_code = {t.code: t for t in self.tribunals}
        self.by_departement, self.by_tribunal, self.restricted_in_departement = {}, {}, {}
        for profile in sorted(self.profiles.values(), key=lambda p: p.id):
            for tribunal_id in profile.tribunaux:
                self.by_tribunal.setdefault(tribunal_id, []).append(profile.id)
            for departement in profile.departements:
                if profile.tribunaux:
                    self.restricted_in_departement.setdefault(departement, set()).add(profile.id)
                else:
                    self.by_departement.setdefault(departement, []).append(profile.id)

    def local(self, tribunal_id: int, departement: str) -> tuple[list[Profile], Counter[str]]:
        """Professionals competent for the tribunal, and how many others are not (by reason)."""
        key = (tribunal_id, departement)
        if key not in self._local:
            self._local[key] = self._compute_local(tribunal_id, departement)
        profiles, exclusions = self._local[key]
        return profiles, Counter(exclusions)

    def candidates(self, query: Query) -> tuple[list[Profile], Counter[str]]:
        """The professionals that pass every rule but capacity (which needs the live load), and the count of
        the others by the first rule they fail."""
        local, exclusions = self.local(query.tribunal_id, query.tribunal_departement)
        passing = []
        for profile in local:
            reason = static_exclusion(profile, query)
            if reason:
                exclusions[reason] += 1
            else:
                passing.append(profile)
        return passing, exclusions

    def _compute_local(self, tribunal_id: int, departement: str) -> tuple[list[Profile], Counter[str]]:
        ids = set(self.by_departement.get(departement, ())) | set(self.by_tribunal.get(tribunal_id, ()))
        restricted_elsewhere = len(self.restricted_in_departement.get(departement, set()) - ids)
        exclusions = Counter(
            {
                RESTREINT_AUTRES_TRIBUNAUX: restricted_elsewhere,
                HORS_DEPARTEMENT: len(self.profiles) - len(ids) - restricted_elsewhere,
            }
        )
        return [self.profiles[i] for i in sorted(ids)], exclusions
