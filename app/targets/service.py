"""The schéma's targets: recorded by agents for départements of their territory (admins anywhere), read and deleted
within it; one target per département, indicator and deadline. The commit is the caller's."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.exceptions import OutsideTerritory
from app.auth.principal import Principal
from app.geo.exceptions import UnknownDepartement
from app.geo.gazetteer import Gazetteer
from app.targets.actual import actual
from app.targets.constants import Indicateur
from app.targets.exceptions import FutureStart, InvalidDeadline, ObjectifExists, ObjectifNotFound
from app.targets.models import Objectif
from app.targets.schemas import ObjectifIn


def create_objectif(
    session: Session, *, principal: Principal, gazetteer: Gazetteer, payload: ObjectifIn, today: date
) -> Objectif:
    departement = payload.departement
    if departement not in gazetteer.departements:
        raise UnknownDepartement(f"département inconnu : {departement}", loc=["body", "departement"])
    if not principal.covers_all({departement}):
        raise OutsideTerritory(f"le département {departement} est hors de votre territoire")
    start = payload.date_initiale or today
    if start > today:
        raise FutureStart(
            "le point de départ (date_initiale) ne peut pas être après aujourd'hui",
            loc=["body", "date_initiale"],
        )
    if payload.echeance <= start:
        raise InvalidDeadline(
            f"l'échéance doit suivre le point de départ ({start.isoformat()})", loc=["body", "echeance"]
        )
    duplicate = select(Objectif.id).where(
        Objectif.departement == departement,
        Objectif.indicateur == payload.indicateur,
        Objectif.echeance == payload.echeance,
    )
    if session.scalar(duplicate) is not None:
        raise ObjectifExists(
            f"un objectif « {payload.indicateur.value} » à l'échéance {payload.echeance.isoformat()} existe déjà pour "
            f"le département {departement}",
            loc=["body", "echeance"],
        )
    valeur = payload.valeur_initiale
    if valeur is None:
        valeur = actual(session, payload.indicateur, [departement], [start])[start][departement]
    objectif = Objectif(
        departement=departement,
        indicateur=payload.indicateur.value,
        cible=payload.cible,
        echeance=payload.echeance,
        date_initiale=start,
        valeur_initiale=valeur,
        libelle=payload.libelle,
    )
    session.add(objectif)
    session.flush()
    return objectif


def list_objectifs(
    session: Session,
    *,
    departements: frozenset[str] | None,
    indicateur: Indicateur | None = None,
) -> list[Objectif]:
    """The targets of these départements (None: everywhere), by département, indicator and deadline."""
    query = select(Objectif).order_by(Objectif.departement, Objectif.indicateur, Objectif.echeance, Objectif.id)
    if departements is not None:
        query = query.where(Objectif.departement.in_(sorted(departements)))
    if indicateur is not None:
        query = query.where(Objectif.indicateur == indicateur.value)
    return list(session.scalars(query))


def get_objectif(session: Session, *, principal: Principal, objectif_id: int) -> Objectif:
    objectif = session.get(Objectif, objectif_id)
    if objectif is None or not principal.covers_departements({objectif.departement}):
        raise ObjectifNotFound(f"objectif introuvable : {objectif_id}", loc=["path", "objectif_id"])
    return objectif


def delete_objectif(session: Session, *, principal: Principal, objectif_id: int) -> None:
    session.delete(get_objectif(session, principal=principal, objectif_id=objectif_id))
    session.flush()
