"""What the register counts for a target's indicator in some départements at a date.

Professionals are counted in each département where they are listed (`mandataire_departement`), active today and
entered on or before the date (the register keeps no history of statuses). Measures in progress at a date: named on
or before it (their entry in the register when the date of nomination is unknown) and not ended by then, counted in
the département of their tribunal; reservations not yet accepted are not measures, and an ended measure without
its end date is not counted. From the yearly counters kept at each write, and the measures of the shorter part of
the year of the date.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.geo.models import Tribunal
from app.registry.constants import MandataireStatut, MandataireType, MesureStatut
from app.registry.models import Mandataire, MandataireDepartement, Mesure, MesureEvenementAnnuel
from app.registry.statistics import Evenement
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
        return _in_progress(session, codes, at, end)
    counted = {departement: int(count) for departement, count in session.execute(query)}
    return {code: counted.get(code, 0) for code in codes}


def _in_progress(session: Session, codes: list[str], at: date, end: datetime) -> dict[str, int]:
    """Measures in progress at the end of `at`, from the yearly counters (`app.registry.statistics`: Σ openings −
    Σ exits up to a year) and the measures of the shorter part of the year of `at`, read by their date indexes:
    in the first half, those in progress at the end of the year before, less those ended since, plus those named
    since and still in progress; in the second half, those in progress at the end of the year of `at`, corrected
    by the measures named or ended after `at` in that year."""
    counter = MesureEvenementAnnuel
    year_start = date(at.year, 1, 1)
    late = at >= date(at.year, 7, 1)
    counted: dict[str, int] = dict.fromkeys(codes, 0)
    before = (
        select(
            counter.departement,
            func.sum(case((counter.evenement == Evenement.OUVERTURE, counter.nombre), else_=-counter.nombre)),
        )
        .where(
            counter.departement.in_(codes),
            counter.annee <= at.year if late else counter.annee < at.year,
            counter.evenement != Evenement.FIN,
        )
        .group_by(counter.departement)
    )
    ended = select(Mesure.tribunal_id, -func.count()).where(
        Mesure.statut != MesureStatut.EN_ATTENTE,
        Mesure.date_fin_mesure.between(year_start, at),
        Mesure.date_nomination < year_start,
    )
    # An ended measure whose end date is unknown ended before any date asked about.
    running = or_(
        Mesure.date_fin_mesure > at,
        and_(Mesure.date_fin_mesure.is_(None), Mesure.statut == MesureStatut.EN_COURS),
    )
    # Named this year and not ended by then (read from the date index alone); named at an unknown date: counted
    # from their entry in the register.
    named_since = select(Mesure.tribunal_id, func.count()).where(
        Mesure.statut != MesureStatut.EN_ATTENTE, Mesure.date_nomination.between(year_start, at), running
    )
    # In the second half: those of the year's counters named after `at` and still in progress at the year's end
    # are taken back, those named by then and ended after it (out of the year's counters) are added.
    after = (at + timedelta(days=1), date(at.year, 12, 31))
    named_after = select(Mesure.tribunal_id, -func.count()).where(
        Mesure.statut != MesureStatut.EN_ATTENTE,
        Mesure.date_nomination.between(*after),
        or_(
            Mesure.date_fin_mesure > after[1],
            and_(Mesure.date_fin_mesure.is_(None), Mesure.statut == MesureStatut.EN_COURS),
        ),
    )
    ended_after = select(Mesure.tribunal_id, func.count()).where(
        Mesure.statut != MesureStatut.EN_ATTENTE,
        Mesure.date_fin_mesure.between(*after),
        Mesure.date_nomination <= at,
    )
    entered = select(Mesure.tribunal_id, func.count()).where(
        Mesure.statut != MesureStatut.EN_ATTENTE,
        Mesure.date_nomination.is_(None),
        Mesure.created_at < end,
        running,
    )
    for departement, n in session.execute(before):
        counted[departement] += int(n)
    # Grouped by tribunal without a join, so that SQLite reads them by the date indexes (a join from the
    # tribunals of the départements would read every measure of each).
    tribunaux = select(Tribunal.id, Tribunal.departement).where(Tribunal.departement.in_(codes))
    departements = {tribunal_id: departement for tribunal_id, departement in session.execute(tribunaux)}
    for query in (named_after, ended_after, entered) if late else (ended, named_since, entered):
        for tribunal_id, n in session.execute(query.group_by(Mesure.tribunal_id)):
            if tribunal_id in departements:
                counted[departements[tribunal_id]] += int(n)
    return counted
