"""The SQL the tables share: the professionals of a perimeter with their département de rattachement, the
territory of measures and reservations, and the load sums per département.

Every figure is computed by the database (GROUP BY over indexed columns) or read from the load counters that
`app.registry.load` keeps on each professional and per professional and département; no query loads the measures
into Python.

A professional listed in several départements is counted once, in its *département de rattachement* (that of its
first site, or its first listed département when it has no site), so that national and regional totals add up;
with a `tribunal` filter, the professionals who can serve that tribunal are all counted in the tribunal's
département. Measures and reservations belong to the territory of their tribunal. The tables of where
professionals work (`held_by_departement`) count a professional instead in each département where it works, by
the antenne of each measure, else its tribunal, and count it once in their totals.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Integer, Select, String, Subquery, case, cast, extract, func, literal, select
from sqlalchemy.orm import QueryableAttribute, Session

from app.dashboards.folding import Load
from app.dashboards.perimeter import Perimetre
from app.geo.models import Tribunal
from app.registry.constants import MandataireStatut, MandataireType, Nature
from app.registry.models import ChargeDepartement, Mandataire, MandataireDepartement, Mesure, Site
from app.registry.repository import serves_tribunal

# Professionals who still hold their measures: everyone but those removed from the list.
EN_EXERCICE = (MandataireStatut.ACTIF, MandataireStatut.SUSPENDU, MandataireStatut.CESSATION)

ATTRIBUTION_NOTE = (
    "Chaque professionnel est compté une seule fois, dans son département de rattachement (celui de son premier "
    "site, à défaut son premier département d'inscription), même s'il est inscrit sur plusieurs listes ; avec un "
    "filtre tribunal, tous les professionnels qui peuvent servir ce tribunal sont comptés dans son département."
)


# A column of ids in a query: a mapped attribute (Mesure.tribunal_id) or a subquery's column.
IdColumn = ColumnElement[int] | QueryableAttribute[int]


def rattachement() -> ColumnElement[str]:
    """Département de rattachement of a professional: that of its first site, else its first listing."""
    first_site = (
        select(Site.departement)
        .where(Site.mandataire_id == Mandataire.id)
        .order_by(Site.id)
        .limit(1)
        .correlate(Mandataire)
        .scalar_subquery()
    )
    first_listing = (
        select(func.min(MandataireDepartement.departement))
        .where(MandataireDepartement.mandataire_id == Mandataire.id)
        .correlate(Mandataire)
        .scalar_subquery()
    )
    return func.coalesce(first_site, first_listing)


def professionnels(
    perimetre: Perimetre, *, statuts: Sequence[str], type: MandataireType | None | Literal[False] = False
) -> Subquery:
    """The professionals of the perimeter with their counters and département de rattachement (`type=False`:
    the type filter of the perimeter)."""
    departement = cast(literal(perimetre.tribunal.departement), String(3)) if perimetre.tribunal else rattachement()
    query = select(
        Mandataire.id,
        Mandataire.nom,
        Mandataire.type,
        Mandataire.capacite,
        Mandataire.mesures_en_cours,
        Mandataire.mesures_en_attente,
        Mandataire.charge_en_cours,
        Mandataire.charge_en_attente,
        Mandataire.derniere_mise_a_jour,
        departement.label("departement"),
    ).where(Mandataire.statut.in_(statuts))
    chosen = perimetre.type if type is False else type
    if chosen is not None:
        query = query.where(Mandataire.type == chosen)
    if perimetre.tribunal is not None:
        query = query.where(serves_tribunal(perimetre.tribunal.id))
    return query.subquery("professionnel")


def within(query: Select, column: ColumnElement[str], perimetre: Perimetre) -> Select:
    """Rows whose département (of rattachement) lies in the perimeter (a tribunal's are already restricted)."""
    if perimetre.tribunal is None and perimetre.departements is not None:
        return query.where(column.in_(perimetre.departements))
    return query


def counted_within(query: Select, counter: Any, perimetre: Perimetre) -> Select:
    """Rows of a counter table kept per département and type (the yearly counters of the measures and of the
    reservations' answers) within the perimeter's territory and type; a tribunal's perimeter reads the measures or
    reservations themselves, never these counters."""
    if perimetre.type is not None:
        query = query.where(counter.type == perimetre.type)
    return within(query, counter.departement, perimetre)


def by_tribunal(query: Select, tribunal_id: IdColumn, perimetre: Perimetre) -> Select:
    """Measures and reservations belong to the territory of their tribunal."""
    if perimetre.tribunal is not None:
        return query.where(tribunal_id == perimetre.tribunal.id)
    if perimetre.departements is not None:
        return query.where(tribunal_id.in_(select(Tribunal.id).where(Tribunal.departement.in_(perimetre.departements))))
    return query


def of_type(query: Select, mandataire_id: IdColumn, perimetre: Perimetre) -> Select:
    """Rows of professionals of the perimeter's type, if it has one."""
    if perimetre.type is None:
        return query
    return query.where(mandataire_id.in_(select(Mandataire.id).where(Mandataire.type == perimetre.type)))


def loads(session: Session, perimetre: Perimetre, *, by_type: bool) -> dict[tuple[str, str | None], Load]:
    """Load sums per (département de rattachement, type or None), from the counters, in one GROUP BY."""
    p = professionnels(perimetre, statuts=EN_EXERCICE)
    held = p.c.mesures_en_cours + p.c.mesures_en_attente
    free = p.c.capacite - held
    keys = [p.c.departement, p.c.type] if by_type else [p.c.departement]
    query = select(
        *keys,
        func.count(),
        func.sum(p.c.capacite),
        func.sum(p.c.mesures_en_cours),
        func.sum(p.c.mesures_en_attente),
        func.sum(case((free > 0, free), else_=0)),
        func.sum(p.c.charge_en_cours + p.c.charge_en_attente),
        func.sum(case((held > p.c.capacite, 1), else_=0)),
    ).group_by(*keys)
    sums = {}
    for row in session.execute(within(query, p.c.departement, perimetre)):
        values = row[len(keys) :]
        sums[(row[0], row[1] if by_type else None)] = Load(
            int(values[0]),
            int(values[1] or 0),
            int(values[2] or 0),
            int(values[3] or 0),
            int(values[4] or 0),
            float(values[5] or 0),
            int(values[6] or 0),
        )
    return sums


def year_of(
    column: ColumnElement[date | None] | QueryableAttribute[date | None], first: int, last: int, last_day: date
):
    """The calendar year of a date column, clamped: days before `first` fall in `first − 1`, days after
    `last_day` and no day at all in `last + 1` (so that a GROUP BY on it has a few values, not one per day)."""
    return case(
        (column.is_(None), last + 1),
        (column < date(first, 1, 1), first - 1),
        (column > last_day, last + 1),
        else_=cast(extract("year", column), Integer),
    )


WORK_NOTE = (
    "Un professionnel est compté dans chaque département où il exerce des mesures (celui de l'antenne de la "
    "mesure, à défaut celui de son tribunal) ; les totaux (région, France) le comptent une seule fois."
)


def held_by_departement(session: Session, perimetre: Perimetre, *, statuts: Sequence[str]) -> list[tuple]:
    """(professional, type, département where it works, measures, of which tutelles) for the measures of these
    statuses (in progress, pending) held by professionals still in office, a row per professional and département.

    A measure is worked in the département of its antenne, else in that of its tribunal: read from the counters
    `app.registry.load` keeps per professional and département (`ChargeDepartement`); with a tribunal filter, the
    tribunal's measures all count in its département, grouped from its measures (a tribunal's are few)."""
    if perimetre.tribunal is not None:
        return _held_at_tribunal(session, perimetre.tribunal, perimetre.type, statuts)
    counted = ChargeDepartement
    query = (
        select(
            counted.mandataire_id,
            Mandataire.type,
            counted.departement,
            func.sum(counted.mesures),
            func.sum(counted.tutelles),
        )
        .join(Mandataire, Mandataire.id == counted.mandataire_id)
        .where(counted.statut.in_(statuts), Mandataire.statut.in_(EN_EXERCICE))
        .group_by(counted.mandataire_id, Mandataire.type, counted.departement)
        .having(func.sum(counted.mesures) > 0)
    )
    if perimetre.type is not None:
        query = query.where(Mandataire.type == perimetre.type)
    if perimetre.departements is not None:
        query = query.where(counted.departement.in_(perimetre.departements))
    return [(m, kind, dep, int(n), int(tutelles or 0)) for m, kind, dep, n, tutelles in session.execute(query)]


def _held_at_tribunal(
    session: Session, tribunal: Tribunal, type: MandataireType | None, statuts: Sequence[str]
) -> list[tuple]:
    query = (
        select(
            Mesure.mandataire_id,
            Mandataire.type,
            func.count(),
            func.sum(case((Mesure.nature == Nature.TUTELLE, 1), else_=0)),
        )
        .join(Mandataire, Mandataire.id == Mesure.mandataire_id)
        .where(Mesure.tribunal_id == tribunal.id, Mesure.statut.in_(statuts), Mandataire.statut.in_(EN_EXERCICE))
        .group_by(Mesure.mandataire_id, Mandataire.type)
    )
    if type is not None:
        query = query.where(Mandataire.type == type)
    return [
        (m, kind, tribunal.departement, int(n), int(tutelles or 0)) for m, kind, n, tutelles in session.execute(query)
    ]
