"""Reads for the simulation: the territory's observed flows of measures (mix of natures and lieux de vie, yearly
count, closure rate) and its establishments. Aggregates only: no personal data leaves the database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.registry.constants import ACTIVE_STATUTS
from app.registry.models import Etablissement, Mesure


@dataclass(frozen=True, slots=True)
class EtablissementRef:
    id: int
    insee: str
    departement: str
    lat: float
    lon: float
    places: int


@dataclass(frozen=True, slots=True)
class Flows:
    """What the registry shows of the territory's last year."""

    mix: dict[tuple[str, str], int]  # new measures by (nature, lieu de vie)
    nouvelles: int  # new measures (designated within the year)
    cloturees: int  # measures closed within the year
    en_cours: int  # measures held today

    @property
    def taux_cloture(self) -> float:
        """The share of the measures held at the start of the year that closed within it."""
        start = self.en_cours - self.nouvelles + self.cloturees
        return min(self.cloturees / start, 1.0) if start > 0 else 0.0


def observed_flows(session: Session, *, departements: frozenset[str], since: date, until: date) -> Flows:
    """New and closed measures of the persons living in the territory between `since` and `until` (inclusive)."""
    where = (Mesure.departement.in_(sorted(departements)), Mesure.pays == "FR")
    # A measure without a designation date counts from when it was entered.
    opened = or_(
        Mesure.date_nomination.between(since, until),
        Mesure.date_nomination.is_(None)
        & (Mesure.created_at >= datetime.combine(since, time.min, UTC))
        & (Mesure.created_at < datetime.combine(until + timedelta(days=1), time.min, UTC)),
    )
    mix = {
        (nature, lieu_vie): count
        for nature, lieu_vie, count in session.execute(
            select(Mesure.nature, Mesure.lieu_vie, func.count())
            .where(*where, opened)
            .group_by(Mesure.nature, Mesure.lieu_vie)
        )
    }
    closed = session.scalar(
        select(func.count()).where(*where, Mesure.date_fin_mesure >= since, Mesure.date_fin_mesure <= until)
    )
    held = session.scalar(select(func.count()).where(*where, Mesure.statut.in_(sorted(ACTIVE_STATUTS))))
    return Flows(mix=mix, nouvelles=sum(mix.values()), cloturees=closed or 0, en_cours=held or 0)


def etablissements(session: Session, *, departements: frozenset[str]) -> list[EtablissementRef]:
    rows = session.execute(
        select(
            Etablissement.id,
            Etablissement.insee,
            Etablissement.departement,
            Etablissement.lat,
            Etablissement.lon,
            Etablissement.places_permanentes,
        )
        .where(Etablissement.departement.in_(sorted(departements)))
        .order_by(Etablissement.id)
    )
    return [EtablissementRef(*row) for row in rows]
