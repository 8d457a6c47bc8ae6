"""Reservations: the judge reserves, the professional accepts or refuses, the judge may cancel."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query

from app.auth.constants import JUDGE_ROLES, PROFESSIONAL_OR_ADMIN_ROLES, PROFESSIONAL_ROLES
from app.auth.dependencies import Judges, Professionals, require_roles
from app.auth.exceptions import OutsideTribunal
from app.auth.principal import Principal
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.designation import repository, service, statistics
from app.designation.constants import ReservationStatut
from app.designation.models import Reservation
from app.designation.schemas import (
    AcceptationIn,
    ExclusionIn,
    RefusIn,
    ReservationCreate,
    ReservationOut,
    StatistiquesOut,
)
from app.errors import InvalidPeriod, error_responses
from app.geo.dependencies import GazetteerDep, LocatorDep
from app.geo.models import Tribunal
from app.geo.tribunals import resolve_tribunal
from app.matching.dependencies import IndexCacheDep
from app.matching.schemas import MatchResponse
from app.registry.models import Mandataire
from app.registry.schemas import Page, TribunalRefOut
from app.registry.service import get_mandataire
from app.responses import PreparedJSONResponse
from app.types import DateISO, Id, IdPath, Offset, Texte

router = APIRouter(tags=["désignation"])

Parties = Annotated[Principal, Depends(require_roles(*JUDGE_ROLES | PROFESSIONAL_ROLES))]
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
        mandataire_nom=session.get(Mandataire, reservation.mandataire_id).nom,
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
    principal: Professionals,
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
    reservation_id: IdPath, payload: RefusIn, principal: Professionals, session: WriteSessionDep, settings: SettingsDep
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


def _own_tribunal(session, gazetteer, principal: Principal, tribunal: str) -> Tribunal:
    row = resolve_tribunal(session, gazetteer, tribunal, ["path", "tribunal"])
    if principal.is_judicial and row.id != principal.tribunal_id:
        raise OutsideTribunal("vous ne voyez que les réservations de votre tribunal")
    return row


@router.get("/tribunaux/{tribunal}/reservations", response_model=Page[ReservationOut], responses=ERRORS)
def list_tribunal_reservations(
    tribunal: Texte,
    principal: Judges,
    session: SessionDep,
    gazetteer: GazetteerDep,
    statut: ReservationStatut | None = None,
    mandataire: Annotated[Id | None, Query()] = None,
    numero_rg: Annotated[Texte | None, Query(max_length=30, description="Partie du numéro RG")] = None,
    debut: Annotated[DateISO | None, Query(description="Réservées à partir de ce jour")] = None,
    fin: Annotated[DateISO | None, Query(description="Réservées jusqu'à ce jour inclus")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> Page[ReservationOut]:
    """The reservations of a tribunal (SIRET or code) and their states, newest first, a page at a time."""
    row = _own_tribunal(session, gazetteer, principal, tribunal)
    total, items = repository.tribunal_reservations(
        session,
        tribunal_id=row.id,
        statut=statut,
        mandataire_id=mandataire,
        numero_rg=numero_rg,
        debut=debut,
        fin=fin,
        limit=limit,
        offset=offset,
    )
    return Page[ReservationOut](total=total, items=[reservation_out(r, session) for r in items])


@router.get("/tribunaux/{tribunal}/statistiques", response_model=StatistiquesOut, responses=ERRORS)
def tribunal_statistics(
    tribunal: Texte,
    principal: Judges,
    session: SessionDep,
    gazetteer: GazetteerDep,
    debut: Annotated[DateISO | None, Query(description="Réservations faites à partir de ce jour")] = None,
    fin: Annotated[DateISO | None, Query(description="Réservations faites jusqu'à ce jour inclus")] = None,
) -> StatistiquesOut:
    """The tribunal's designations over a period: by nature and exercice, time to acceptance, refusals with their
    reasons, expiries (its judges and greffiers, administrators)."""
    if debut is not None and fin is not None and fin < debut:
        raise InvalidPeriod("fin : doit suivre le début de la période", loc=["query", "fin"])
    row = _own_tribunal(session, gazetteer, principal, tribunal)
    figures = statistics.fold(repository.statistics_rows(session, tribunal_id=row.id, debut=debut, fin=fin))
    return StatistiquesOut(tribunal=TribunalRefOut.model_validate(row), debut=debut, fin=fin, **figures)


@router.post("/match/{match_id}/exclusions", response_model=MatchResponse, responses=ERRORS)
def exclude_professional(
    match_id: Annotated[Texte, Path(max_length=36)],
    payload: ExclusionIn,
    principal: Judges,
    session: WriteSessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    locator: LocatorDep,
    cache: IndexCacheDep,
) -> PreparedJSONResponse:
    """Set a professional aside for this search, with the reason (kept in the audit): the list is ranked again
    without it and stored as a new match (`match_id`), on which to reserve."""
    answer = service.exclude(
        session,
        principal=principal,
        cache=cache,
        settings=settings,
        gazetteer=gazetteer,
        locator=locator,
        match_id=match_id,
        payload=payload,
    )
    session.commit()
    return PreparedJSONResponse(answer)


@router.get("/mandataires/{mandataire_id}/reservations", response_model=list[ReservationOut], responses=ERRORS)
def list_mandataire_reservations(
    mandataire_id: IdPath,
    principal: Annotated[Principal, Depends(require_roles(*PROFESSIONAL_OR_ADMIN_ROLES))],
    session: SessionDep,
    statut: Annotated[ReservationStatut | None, Query()] = None,
) -> list[ReservationOut]:
    """A professional's reservations, newest first (the professional and administrators)."""
    get_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    return [
        reservation_out(r, session)
        for r in service.list_reservations(session, mandataire_id=mandataire_id, statut=statut)
    ]
