"""Reservations: the judge reserves, the professional accepts or refuses, the judge may cancel."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query

from app.auth.constants import Role
from app.auth.dependencies import require_roles
from app.auth.exceptions import Forbidden
from app.auth.principal import Principal
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.designation import service
from app.designation.constants import ReservationStatut
from app.designation.models import Reservation
from app.designation.schemas import AcceptationIn, RefusIn, ReservationCreate, ReservationOut
from app.errors import error_responses
from app.geo.dependencies import GazetteerDep, LocatorDep
from app.geo.models import Tribunal
from app.geo.tribunals import resolve_tribunal
from app.matching.dependencies import IndexCacheDep
from app.registry.schemas import TribunalRefOut
from app.registry.service import get_mandataire
from app.types import IdPath, Texte

router = APIRouter(tags=["désignation"])

Judges = Annotated[Principal, Depends(require_roles(Role.MAGISTRAT, Role.GREFFIER, Role.ADMIN))]
Professional = Annotated[Principal, Depends(require_roles(Role.MANDATAIRE))]
Parties = Annotated[Principal, Depends(require_roles(Role.MAGISTRAT, Role.GREFFIER, Role.MANDATAIRE, Role.ADMIN))]
ERRORS = error_responses(401, 403, 404, 409, 422)


def reservation_out(reservation: Reservation, session) -> ReservationOut:
    tribunal = session.get(Tribunal, reservation.tribunal_id)
    return ReservationOut(
        **{
            name: getattr(reservation, name)
            for name in (
                "id",
                "statut",
                "match_id",
                "numero_rg",
                "nature",
                "cabinet",
                "date_jugement_prevue",
                "urgence",
                "famille",
                "famille_motif",
                "hors_liste",
                "justification",
                "motif_refus",
                "created_at",
                "expires_at",
                "reminded_at",
                "answered_at",
                "version",
            )
        },
        mandataire=reservation.mandataire_id,
        antenne=reservation.site_id,
        mesure=reservation.mesure_id,
        tribunal=TribunalRefOut.model_validate(tribunal),
    )


@router.post("/reservations", status_code=201, response_model=ReservationOut, responses=ERRORS)
def create_reservation(
    payload: ReservationCreate,
    principal: Judges,
    session: WriteSessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    cache: IndexCacheDep,
    idempotency_key: Annotated[
        Texte | None, Header(max_length=100, description="Rend sûre la répétition d'une requête")
    ] = None,
) -> ReservationOut:
    """Reserve a professional from a shortlist: creates a pending measure holding one place, atomically.
    A retry with the same `Idempotency-Key` (same token) gets the first answer, also while the first runs."""
    reservation = service.reserve(
        session,
        principal=principal,
        cache=cache,
        settings=settings,
        gazetteer=gazetteer,
        payload=payload,
        idempotency_key=idempotency_key,
    )
    session.commit()
    return reservation_out(reservation, session)


@router.get("/reservations/{reservation_id}", response_model=ReservationOut, responses=ERRORS)
def get_reservation(reservation_id: IdPath, principal: Parties, session: SessionDep) -> ReservationOut:
    return reservation_out(
        service.get_reservation(session, principal=principal, reservation_id=reservation_id), session
    )


@router.post("/reservations/{reservation_id}/acceptation", response_model=ReservationOut, responses=ERRORS)
def accept_reservation(
    reservation_id: IdPath,
    payload: AcceptationIn,
    principal: Professional,
    session: WriteSessionDep,
    settings: SettingsDep,
    locator: LocatorDep,
) -> ReservationOut:
    reservation = service.get_reservation(session, principal=principal, reservation_id=reservation_id, for_update=True)
    service.accept(
        session, principal=principal, locator=locator, settings=settings, reservation=reservation, payload=payload
    )
    session.commit()
    return reservation_out(reservation, session)


@router.post("/reservations/{reservation_id}/refus", response_model=ReservationOut, responses=ERRORS)
def refuse_reservation(
    reservation_id: IdPath, payload: RefusIn, principal: Professional, session: WriteSessionDep, settings: SettingsDep
) -> ReservationOut:
    reservation = service.get_reservation(session, principal=principal, reservation_id=reservation_id, for_update=True)
    service.refuse(session, principal=principal, settings=settings, reservation=reservation, payload=payload)
    session.commit()
    return reservation_out(reservation, session)


@router.delete("/reservations/{reservation_id}", response_model=ReservationOut, responses=ERRORS)
def cancel_reservation(
    reservation_id: IdPath, principal: Judges, session: WriteSessionDep, settings: SettingsDep
) -> ReservationOut:
    reservation = service.get_reservation(session, principal=principal, reservation_id=reservation_id, for_update=True)
    service.cancel(session, principal=principal, settings=settings, reservation=reservation)
    session.commit()
    return reservation_out(reservation, session)


@router.get("/tribunaux/{tribunal}/reservations", response_model=list[ReservationOut], responses=ERRORS)
def list_tribunal_reservations(
    tribunal: Texte,
    principal: Judges,
    session: SessionDep,
    gazetteer: GazetteerDep,
    statut: ReservationStatut | None = None,
) -> list[ReservationOut]:
    """The reservations of a tribunal (SIRET or code) and their states, newest first."""
    row = resolve_tribunal(session, gazetteer, tribunal, ["path", "tribunal"])
    if principal.is_judicial and row.id != principal.tribunal_id:
        raise Forbidden("vous ne voyez que les réservations de votre tribunal", code="hors_tribunal")
    return [reservation_out(r, session) for r in service.list_reservations(session, tribunal_id=row.id, statut=statut)]


@router.get("/mandataires/{mandataire_id}/reservations", response_model=list[ReservationOut], responses=ERRORS)
def list_mandataire_reservations(
    mandataire_id: IdPath,
    principal: Annotated[Principal, Depends(require_roles(Role.MANDATAIRE, Role.ADMIN))],
    session: SessionDep,
    statut: Annotated[ReservationStatut | None, Query()] = None,
) -> list[ReservationOut]:
    """A professional's reservations, newest first (the professional and administrators)."""
    get_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    return [
        reservation_out(r, session)
        for r in service.list_reservations(session, mandataire_id=mandataire_id, statut=statut)
    ]
