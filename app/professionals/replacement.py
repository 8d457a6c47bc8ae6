"""PUT /mesures/{id}: the full replacement of one measure by its professional or an admin."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.config import Settings
from app.geo.gazetteer import Gazetteer
from app.geo.locate import Locator
from app.geo.tribunals import resolve_tribunal
from app.professionals.exceptions import PendingReservation
from app.professionals.repository import pending_reservations
from app.professionals.schemas import MesureReplace
from app.registry import service as registry
from app.registry.exceptions import NumeroRgTaken
from app.registry.models import Mesure
from app.registry.schemas import MesureUpdate


def replace_mesure(
    session: Session,
    *,
    principal: Principal,
    gazetteer: Gazetteer,
    locator: Locator,
    settings: Settings,
    mesure: Mesure,
    payload: MesureReplace,
) -> Mesure:
    """PUT: every field restated. The load moves through the registry's `update_mesure` (one load path)."""
    registry.check_version(mesure.version, payload.version)
    if pending_reservations(session, [mesure.id]):
        raise PendingReservation(
            "mesure réservée par le juge et en attente de votre réponse : acceptez ou refusez d'abord la réservation"
        )
    tribunal = resolve_tribunal(session, gazetteer, payload.tribunal, ["body", "tribunal"])
    if (tribunal.id, payload.numero_rg) != (mesure.tribunal_id, mesure.numero_rg):
        other = session.scalar(
            select(Mesure.id).where(Mesure.tribunal_id == tribunal.id, Mesure.numero_rg == payload.numero_rg)
        )
        if other is not None:
            raise NumeroRgTaken(
                f"numéro RG {payload.numero_rg} déjà enregistré pour ce tribunal",
                loc=["body", "numero_rg"],
            )
        mesure.tribunal, mesure.numero_rg = tribunal, payload.numero_rg
    restated = payload.model_dump(exclude={"version", "mandataire", "tribunal", "numero_rg", "residence"})
    with session.no_autoflush:  # one flush, so the version moves by one
        registry.update_mesure(
            session,
            principal=principal,
            locator=locator,
            settings=settings,
            mesure=mesure,
            payload=MesureUpdate(
                version=payload.version,
                mandataire=payload.mandataire if payload.mandataire is not None else mesure.mandataire_id,
                residence=payload.residence,
                **restated,
            ),
        )
    return mesure
