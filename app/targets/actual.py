"""What the register counts for a target's indicator in some départements at a date.

Professionals are counted in each département where they are listed (`mandataire_departement`), active today and
entered on or before the date (the register keeps no history of statuses). Measures in progress at a date: named on
or before it (their entry in the register when the date of nomination is unknown) and not ended by then, counted in
the département of their tribunal; reservations not yet accepted are not measures, and an ended measure without
its end date is not counted.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.geo.models import Tribunal
from app.registry.constants import MandataireStatut, MandataireType, MesureStatut
from app.registry.models import Mandataire, MandataireDepartement, Mesure
from app.targets.constants import Indicateur

TYPES = {
    Indicateur.MANDATAIRES_INDIVIDUELS: MandataireType.INDIVIDUEL,
    Indicateur.SERVICES: MandataireType.SERVICE,
    Indicateur.PREPOSES: MandataireType.PREPOSE,
}


def actual(session: Session, indicateur: Indicateur, departements: Iterable[str], at: date) -> dict[str, int]:
    """The indicator's value per département at the end of the day `at` (0 where nothing is counted)."""
    codes = sorted(set(departements))
    end = datetime.combine(at + timedelta(days=1), time.min, tzinfo=UTC)
    if indicateur in TYPES:
        query = (
            select(MandataireDepartement.departement, func.count())
            .join(Mandataire, Mandataire.id == MandataireDepartement.mandataire_id)
            .where(
                MandataireDepartement.departement.in_(codes),
                Mandataire.type == TYPES[indicateur],
                Mandataire.statut == MandataireStatut.ACTIF,
                Mandataire.created_at < end,
            )
            .group_by(MandataireDepartement.departement)
        )
    else:
        named = or_(Mesure.date_nomination <= at, and_(Mesure.date_nomination.is_(None), Mesure.created_at < end))
        # An ended measure whose end date is unknown ended before any date asked about.
        running = or_(
            Mesure.date_fin_mesure > at,
            and_(Mesure.date_fin_mesure.is_(None), Mesure.statut == MesureStatut.EN_COURS),
        )
        query = (
            select(Tribunal.departement, func.count())
            .join(Mesure, Mesure.tribunal_id == Tribunal.id)
            .where(
                Tribunal.departement.in_(codes),
                Mesure.statut != MesureStatut.EN_ATTENTE,
                named,
                running,
            )
            .group_by(Tribunal.departement)
        )
    counted = {departement: int(count) for departement, count in session.execute(query)}
    return {code: counted.get(code, 0) for code in codes}
