"""The filters of a dashboard request resolved against the caller's territory.

Territory: the caller's territory (`Principal.departements`) bounds every table; a filter reaching outside it
is refused (403 `hors_territoire`), never silently emptied; an unknown or inconsistent filter is a 422.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.auth.exceptions import OutsideTerritory
from app.auth.principal import Principal
from app.dashboards.exceptions import InconsistentFilters
from app.dashboards.schemas import Value
from app.errors import InvalidPeriod
from app.geo.exceptions import UnknownDepartement, UnknownRegion
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal
from app.geo.tribunals import resolve_tribunal
from app.registry.constants import MandataireType


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
            raise UnknownRegion(f"région inconnue : {filtres.region}", loc=["query", "region"])
        codes = frozenset(c for c, d in gazetteer.departements.items() if d.region == filtres.region)
        check_inside(codes, f"la région {filtres.region} est", "region")
        departements = codes
        demandes["region"] = filtres.region
    if filtres.departement is not None:
        if filtres.departement not in gazetteer.departements:
            raise UnknownDepartement(f"département inconnu : {filtres.departement}", loc=["query", "departement"])
        check_inside(frozenset({filtres.departement}), f"le département {filtres.departement} est", "departement")
        if departements is not None and filtres.departement not in departements:
            raise InconsistentFilters(
                f"le département {filtres.departement} n'est pas dans la région {filtres.region}",
                loc=["query", "departement"],
            )
        departements = frozenset({filtres.departement})
        demandes["departement"] = filtres.departement
    tribunal = None
    if filtres.tribunal is not None:
        tribunal = resolve_tribunal(session, gazetteer, filtres.tribunal, ["query", "tribunal"])
        check_inside(frozenset({tribunal.departement}), f"le tribunal {filtres.tribunal} est", "tribunal")
        if departements is not None and tribunal.departement not in departements:
            raise InconsistentFilters(
                f"le tribunal {filtres.tribunal} n'est pas dans le territoire filtré",
                loc=["query", "tribunal"],
            )
        departements = frozenset({tribunal.departement})
        demandes["tribunal"] = tribunal.siret or tribunal.code
    if filtres.debut is not None and filtres.fin is not None and filtres.debut > filtres.fin:
        raise InvalidPeriod("la période commence après sa fin", loc=["query", "debut"])
    return Perimetre(
        departements=departements,
        tribunal=tribunal,
        type=filtres.type,
        debut=filtres.debut,
        fin=filtres.fin,
        now=now,
        demandes=demandes,
    )
