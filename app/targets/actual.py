"""What the register counts for a target's indicator in some départements at some dates.

Professionals are counted in each département where they are listed (`mandataire_departement`), active today and
entered on or before the date (the register keeps no history of statuses). Measures in progress at a date: named on
or before it (their entry in the register when the date of nomination is unknown) and not ended by then, counted in
the département of their tribunal; reservations not yet accepted are not measures, and an ended measure without
its end date is not counted. From the yearly counters kept at each write, and the measures of the shorter part of
the year of the date. Several dates are counted together: one read of the professionals or of the counters serves
them all (the objectifs table asks for today and the date of its comparison).
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.geo.models import Tribunal
from app.registry.constants import MandataireStatut, MandataireType, MesureStatut
from app.registry.models import Mandataire, MandataireDepartement, Mesure, MesuresAnnee
from app.targets.constants import Indicateur

TYPES = {
    Indicateur.MANDATAIRES_INDIVIDUELS: MandataireType.INDIVIDUEL,
    Indicateur.SERVICES: MandataireType.SERVICE,
    Indicateur.PREPOSES: MandataireType.PREPOSE,
}


def actual(
    session: Session, indicateur: Indicateur, departements: Iterable[str], dates: Iterable[date]
) -> dict[date, dict[str, int]]:
    """The indicator's value per date and département at the end of each day (0 where nothing is counted)."""
    codes = sorted(set(departements))
    days = sorted(set(dates))
    if not days:
        return {}
    if indicateur not in TYPES:
        return _in_progress(session, codes, days)
    ends = [_end_of(at) for at in days]
    # Every département at once, kept afterwards: a few thousand listings, which SQLite, given the codes, would
    # probe once per professional and code.
    query = (
        select(
            MandataireDepartement.departement,
            *(func.count(case((Mandataire.created_at < end, 1))) for end in ends),
        )
        .join(Mandataire, Mandataire.id == MandataireDepartement.mandataire_id)
        .where(
            Mandataire.type == TYPES[indicateur],
            Mandataire.statut == MandataireStatut.ACTIF,
            Mandataire.created_at < ends[-1],
        )
        .group_by(MandataireDepartement.departement)
    )
    counted = {row[0]: row[1:] for row in session.execute(query)}
    return {at: {code: int(counted[code][i]) if code in counted else 0 for code in codes} for i, at in enumerate(days)}


def _end_of(at: date) -> datetime:
    return datetime.combine(at + timedelta(days=1), time.min, tzinfo=UTC)


def _counted_years(at: date) -> int:
    """The last year whose counters the count at `at` starts from: the year before in the first half of the year
    (the measures since 1 January are added), the year itself in the second half (those after `at` are taken
    back)."""
    return at.year if at >= date(at.year, 7, 1) else at.year - 1


def _in_progress(session: Session, codes: list[str], days: list[date]) -> dict[date, dict[str, int]]:
    """Measures in progress at the end of each day, from the yearly counters summed over the natures
    (`app.registry.statistics`: Σ openings − Σ exits up to a year, one read for every date) and the measures of the
    shorter part of the year of each date, read by their date indexes: in the first half, those in progress at the
    end of the year before, less those ended since, plus those named since and still in progress; in the second
    half, those in progress at the end of the year of the date, corrected by the measures named or ended after it
    in that year."""
    counter = MesuresAnnee
    years = sorted({_counted_years(at) for at in days})
    moved = counter.ouvertures - counter.sorties
    before = (
        select(counter.departement, *(func.sum(case((counter.annee <= year, moved), else_=0)) for year in years))
        .where(counter.departement.in_(codes), counter.annee <= years[-1])
        .group_by(counter.departement)
    )
    stocks = {row[0]: dict(zip(years, row[1:], strict=True)) for row in session.execute(before)}
    # Grouped by tribunal without a join, so that SQLite reads them by the date indexes (a join from the
    # tribunals of the départements would read every measure of each).
    tribunaux = select(Tribunal.id, Tribunal.departement).where(Tribunal.departement.in_(codes))
    departements = {tribunal_id: departement for tribunal_id, departement in session.execute(tribunaux)}
    counted: dict[date, dict[str, int]] = {}
    for at in days:
        year = _counted_years(at)
        counted[at] = {code: int(stocks[code][year] or 0) if code in stocks else 0 for code in codes}
        for query in _corrections(at):
            for tribunal_id, n in session.execute(query.group_by(Mesure.tribunal_id)):
                if tribunal_id in departements:
                    counted[at][departements[tribunal_id]] += int(n)
    return counted


def _corrections(at: date) -> list[Select]:
    """The counts by tribunal that bring the counters' stock to the end of `at` (see `_in_progress`)."""
    year_start = date(at.year, 1, 1)
    # An ended measure whose end date is unknown ended before any date asked about.
    running = or_(
        Mesure.date_fin_mesure > at,
        and_(Mesure.date_fin_mesure.is_(None), Mesure.statut == MesureStatut.EN_COURS),
    )
    # Named at an unknown date: counted from their entry in the register.
    entered = select(Mesure.tribunal_id, func.count()).where(
        Mesure.statut != MesureStatut.EN_ATTENTE,
        Mesure.date_nomination.is_(None),
        Mesure.created_at < _end_of(at),
        running,
    )
    if _counted_years(at) < at.year:
        ended = select(Mesure.tribunal_id, -func.count()).where(
            Mesure.statut != MesureStatut.EN_ATTENTE,
            Mesure.date_fin_mesure.between(year_start, at),
            Mesure.date_nomination < year_start,
        )
        # Named this year and not ended by then (read from the date index alone).
        named_since = select(Mesure.tribunal_id, func.count()).where(
            Mesure.statut != MesureStatut.EN_ATTENTE, Mesure.date_nomination.between(year_start, at), running
        )
        return [ended, named_since, entered]
    # Those of the year's counters named after `at` and still in progress at the year's end are taken back, those
    # named by then and ended after it (out of the year's counters) are added.
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
    return [named_after, ended_after, entered]
