"""Pure pieces the tables share: the load sums, ratios, the territory a département is folded into, periods."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import colonne
from app.errors import InvalidPeriod, PeriodTooLong
from app.geo.gazetteer import Gazetteer
from app.registry.constants import MandataireType

Par = Literal["departement", "region"]
TYPES = (MandataireType.SERVICE, MandataireType.INDIVIDUEL, MandataireType.PREPOSE)

TERRITOIRE = (
    colonne("departement", "Département", "texte"),
    colonne("departement_nom", "Nom du département", "texte"),
    colonne("region", "Région", "texte"),
    colonne("region_nom", "Nom de la région", "texte"),
)


def territory_keys(par: str) -> list[str]:
    """The columns naming the territory of a row: a région's or a département's."""
    return ["region", "region_nom"] if par == "region" else ["departement", "departement_nom"]


def ratio(part: float, whole: float | None) -> float | None:
    return round(part / whole, 4) if whole else None


def territory_code(gazetteer: Gazetteer, departement: str, par: str) -> str:
    """The code of the territory a département's figures are folded into."""
    if par == "region":
        territory = gazetteer.departements.get(departement)
        return territory.region if territory is not None and territory.region else "?"
    return departement


def territory_cells(gazetteer: Gazetteer, code: str, par: str) -> dict[str, Value]:
    if par == "region":
        region = gazetteer.regions.get(code)
        return {"region": code, "region_nom": region.nom if region else "inconnue"}
    departement = gazetteer.departements.get(code)
    return {"departement": code, "departement_nom": departement.nom if departement else "inconnu"}


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
            "taux_occupation": ratio(self.en_cours + self.en_attente, self.capacite),
            "charge_ponderee": round(self.charge, 2),
            "en_surcapacite": self.surcapacite,
        }


LOAD_COLUMNS = (
    colonne("professionnels", "Professionnels"),
    colonne("capacite", "Capacité déclarée"),
    colonne("mesures_en_cours", "Mesures en cours"),
    colonne("mesures_en_attente", "Mesures en attente"),
    colonne("places_libres", "Places libres"),
    colonne("taux_occupation", "Taux d'occupation", "pourcentage"),
    colonne("charge_ponderee", "Charge pondérée", "decimal"),
    colonne("en_surcapacite", "Professionnels en surcapacité"),
)


def periode(perimetre: Perimetre, default_months: int | None) -> tuple[date | None, date | None]:
    """The period of a flow table: the filters', else the last `default_months` months (the current one included)."""
    fin = perimetre.fin or (perimetre.today if default_months else None)
    debut = perimetre.debut
    if debut is None and default_months:
        anchor = fin or perimetre.today
        month = anchor.year * 12 + anchor.month - 1 - (default_months - 1)
        debut = date(month // 12, month % 12 + 1, 1)
    return debut, fin


def months(debut: date, fin: date) -> list[tuple[int, int]]:
    first, last = debut.year * 12 + debut.month - 1, fin.year * 12 + fin.month - 1
    return [(m // 12, m % 12 + 1) for m in range(first, last + 1)]


def day_bounds(debut: date, fin: date) -> tuple[datetime, datetime]:
    """The instants bounding the days from `debut` to `fin` included, in UTC."""
    return datetime.combine(debut, time(), UTC), datetime.combine(fin + timedelta(days=1), time(), UTC)


DEFAULT_YEARS = 6  # the five full years of a schéma's état des lieux and the current one
MAX_YEARS = 30


def years(perimetre: Perimetre) -> tuple[int, int, date]:
    """The calendar years of a yearly table: those of the period filters, else the last `DEFAULT_YEARS` (the
    current one included); and the last day counted, 31 December of the last year or today if sooner."""
    last = (perimetre.fin or perimetre.today).year
    first = perimetre.debut.year if perimetre.debut is not None else last - DEFAULT_YEARS + 1
    if first > last:
        raise InvalidPeriod("la période commence après sa fin", loc=["query", "debut"])
    if last - first + 1 > MAX_YEARS:
        raise PeriodTooLong(f"période trop longue : {MAX_YEARS} ans au plus", loc=["query", "debut"])
    return first, last, min(date(last, 12, 31), perimetre.today)


def growth(value: float | None, previous: float | None) -> float | None:
    """Year-on-year growth (0.1 is +10 %), none without a previous figure."""
    if value is None or not previous:
        return None
    return round(value / previous - 1, 4)


def compound_growth(first: float | None, last: float | None, spans: int) -> float | None:
    """Compound annual growth rate from `first` to `last` over `spans` years (taux de croissance annuel moyen)."""
    if first is None or last is None or spans < 1 or first <= 0 or last < 0:
        return None
    return round((last / first) ** (1 / spans) - 1, 4)
