"""Queries of the registry. Scope conditions are applied in SQL, so a search can never escape the caller's scope."""

from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.auth.constants import Role
from app.auth.principal import Principal
from app.geo.models import Tribunal
from app.registry.constants import MandataireStatut
from app.registry.models import (
    Absence,
    EtpService,
    Mandataire,
    MandataireDepartement,
    MandataireSpecialite,
    MandataireTribunal,
    Mesure,
)


def listed_in(departements: frozenset[str]) -> ColumnElement[bool]:
    return exists().where(
        MandataireDepartement.mandataire_id == Mandataire.id, MandataireDepartement.departement.in_(departements)
    )


def mandataire_scope(principal: Principal) -> ColumnElement[bool]:
    """SQL twin of `Principal.can_read_mandataire`."""
    if principal.role == Role.MANDATAIRE:
        return Mandataire.id == principal.mandataire_id
    if principal.departements is None:
        return true()
    if principal.is_judicial:
        restricted = exists().where(MandataireTribunal.mandataire_id == Mandataire.id)
        restricted_to_me = exists().where(
            MandataireTribunal.mandataire_id == Mandataire.id, MandataireTribunal.tribunal_id == principal.tribunal_id
        )
        return or_(and_(not_(restricted), listed_in(principal.departements)), restricted_to_me)
    return listed_in(principal.departements)


def serves_tribunal(tribunal_id: int) -> ColumnElement[bool]:
    """Restricted to that tribunal, or unrestricted and listed in its département."""
    tribunal_departement = select(Tribunal.departement).where(Tribunal.id == tribunal_id).scalar_subquery()
    return or_(
        exists().where(
            MandataireTribunal.mandataire_id == Mandataire.id, MandataireTribunal.tribunal_id == tribunal_id
        ),
        and_(
            not_(exists().where(MandataireTribunal.mandataire_id == Mandataire.id)),
            exists().where(
                MandataireDepartement.mandataire_id == Mandataire.id,
                MandataireDepartement.departement == tribunal_departement,
            ),
        ),
    )


def absent_on(day: date) -> ColumnElement[bool]:
    return exists().where(Absence.mandataire_id == Mandataire.id, Absence.debut <= day, Absence.fin >= day)


def available_on(day: date) -> ColumnElement[bool]:
    """Can take a new measure today: active, accepting, free places left, not absent."""
    return and_(
        Mandataire.statut == MandataireStatut.ACTIF,
        Mandataire.accepte_nouvelles_mesures.is_(True),
        Mandataire.capacite - Mandataire.mesures_en_cours - Mandataire.mesures_en_attente > 0,
        not_(absent_on(day)),
    )


def mandataires_query(
    principal: Principal,
    *,
    type: str | None = None,
    departement: str | None = None,
    tribunal_id: int | None = None,
    specialite: str | None = None,
    statut: str | None = None,
    disponible: bool | None = None,
    search: str | None = None,
    today: date,
) -> Select[Mandataire]:
    query = select(Mandataire).where(mandataire_scope(principal))
    if type is not None:
        query = query.where(Mandataire.type == type)
    if departement is not None:
        query = query.where(listed_in(frozenset({departement})))
    if tribunal_id is not None:
        query = query.where(serves_tribunal(tribunal_id))
    if specialite is not None:
        query = query.where(
            exists().where(
                MandataireSpecialite.mandataire_id == Mandataire.id, MandataireSpecialite.specialite == specialite
            )
        )
    if statut is not None:
        query = query.where(Mandataire.statut == statut)
    if disponible is not None:
        query = query.where(available_on(today) if disponible else not_(available_on(today)))
    if search:
        query = query.where(Mandataire.nom_recherche.contains(search, autoescape=True))
    return query


def page(session: Session, query: Select, *, order_by, limit: int, offset: int) -> tuple[int, list]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(session.scalars(query.order_by(*order_by).limit(limit).offset(offset)))
    return total, items


def mesure_scope(principal: Principal) -> ColumnElement[bool]:
    """SQL twin of `Principal.can_read_mesure`."""
    if principal.role == Role.MANDATAIRE:
        return Mesure.mandataire_id == principal.mandataire_id
    if principal.is_judicial:
        return Mesure.tribunal_id == principal.tribunal_id
    if principal.departements is None:
        return true()
    if not principal.departements:
        return false()
    return Mesure.tribunal_id.in_(select(Tribunal.id).where(Tribunal.departement.in_(principal.departements)))


def upsert_etp(session: Session, *, mandataire_id: int, annee: int, etp: float, now: datetime) -> EtpService:
    """Insert or update the year's row in one statement: two declarations of a new year at once (PostgreSQL, READ
    COMMITTED) both insert or update it, where a read then an insert would fail the second on the primary key."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(EtpService).values(mandataire_id=mandataire_id, annee=annee, etp=etp, updated_at=now)
    upsert = insert.on_conflict_do_update(
        index_elements=[EtpService.mandataire_id, EtpService.annee], set_={"etp": etp, "updated_at": now}
    )
    return session.scalars(upsert.returning(EtpService), execution_options={"populate_existing": True}).one()
