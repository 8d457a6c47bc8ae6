"""Transfer plans: agents (their territory) and admins compute, follow and close them; the judges and greffiers of
each tribunal keep or replace the proposals for their measures and confirm them."""

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from app import labels
from app.auth.constants import STATE_AND_JUDGE_ROLES
from app.auth.dependencies import Agents, Judges, require_roles
from app.auth.principal import Principal
from app.dashboards.exports import export_response
from app.dashboards.schemas import Colonne, Tableau, Value
from app.database import utcnow
from app.dependencies import SessionDep, SettingsDep, WriteSessionDep
from app.errors import error_responses
from app.geo.dependencies import GazetteerDep
from app.matching.dependencies import IndexCacheDep
from app.matching.schemas import Candidat
from app.registry.models import Mesure
from app.transfer import planning, service
from app.transfer.constants import MotifTransfert, StatutTransfert
from app.transfer.models import Transfert
from app.transfer.schemas import (
    ChoixIn,
    ConfirmationIn,
    PropositionOut,
    TransfertCreate,
    TransfertMesureOut,
    TransfertOut,
)
from app.types import IdPath

router = APIRouter(tags=["transferts"])

Followers = Annotated[Principal, Depends(require_roles(*STATE_AND_JUDGE_ROLES))]
TransfertId = IdPath
MesureId = IdPath
ERRORS = error_responses(401, 403, 404, 409, 422)


def transfert_out(session: Session, transfert: Transfert, principal: Principal) -> TransfertOut:
    items = service.visible_items(transfert, principal)
    statuts = service.reservation_statuts(session, items)
    tribunals = service.tribunal_names(session, items)
    mesures = {m.id: m for m in session.query(Mesure).filter(Mesure.id.in_([i.mesure_id for i in items]))}
    rows = []
    for item in items:
        state = service.effective(item, statuts)
        mesure = mesures.get(item.mesure_id)
        rows.append(
            TransfertMesureOut(
                mesure_id=item.mesure_id,
                numero_rg=mesure.numero_rg if mesure else "",
                tribunal=tribunals.get(item.tribunal_id, ""),
                nature=mesure.nature if mesure else "",
                decision=state["decision"],
                proposition=PropositionOut(**state["proposition"]) if state["proposition"] else None,
                alternatives=[PropositionOut(**p) for p in state["alternatives"]],
                motif_sans_proposition=item.motif_sans_proposition,
                exclusions=item.exclusions,
                choix_mandataire_id=state["choix_mandataire_id"],
                refus=state["refus"],
                reservation_id=state["reservation_id"],
            )
        )
    return TransfertOut(
        id=transfert.id,
        created_at=transfert.created_at,
        mandataire_id=transfert.mandataire_id,
        antenne_id=transfert.site_id,
        motif=MotifTransfert(transfert.motif),
        statut=StatutTransfert(transfert.statut),
        cout_total=transfert.cout_total,
        nombre_mesures=len(transfert.mesures),
        sans_proposition=transfert.sans_proposition,
        parametres=transfert.parametres,
        mesures=rows,
    )


@router.post("/transferts", status_code=201, response_model=TransfertOut, responses=ERRORS)
def create_transfert(
    payload: TransfertCreate,
    principal: Agents,
    session: WriteSessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    cache: IndexCacheDep,
) -> TransfertOut:
    """Compute the optimal plan for a professional's measures in progress (all, one antenne's, or a selection)."""
    transfert = service.create_plan(
        session, principal=principal, cache=cache, settings=settings, gazetteer=gazetteer, payload=payload
    )
    session.commit()
    return transfert_out(session, transfert, principal)


@router.get("/transferts", response_model=list[TransfertOut], responses=ERRORS)
def list_transferts(principal: Followers, session: SessionDep) -> list[TransfertOut]:
    """The plans the caller follows (a judge: those holding measures of the tribunal), newest first."""
    return [transfert_out(session, t, principal) for t in service.list_plans(session, principal=principal)]


EXPORT_COLUMNS = [
    Colonne(cle="mesure_id", libelle="Mesure", type="entier"),
    Colonne(cle="numero_rg", libelle="Numéro RG", type="texte"),
    Colonne(cle="tribunal", libelle="Tribunal", type="texte"),
    Colonne(cle="nature", libelle="Nature", type="texte"),
    Colonne(cle="decision", libelle="État", type="texte"),
    Colonne(cle="propose", libelle="Professionnel proposé", type="texte"),
    Colonne(cle="distance_km", libelle="Distance (km)", type="decimal"),
    Colonne(cle="explication", libelle="Explication", type="texte"),
    Colonne(cle="alternatives", libelle="Autres possibilités", type="texte"),
    Colonne(cle="sans_proposition", libelle="Pourquoi personne", type="texte"),
    Colonne(cle="reservation_id", libelle="Réservation", type="entier"),
]


@router.get("/transferts/{transfert_id}.csv", responses=ERRORS, response_class=Response)
def export_transfert_csv(transfert_id: TransfertId, principal: Followers, session: SessionDep) -> Response:
    """The plan and the state of each measure, for French Excel."""
    return _export(session, principal, transfert_id, "csv")


@router.get("/transferts/{transfert_id}.xlsx", responses=ERRORS, response_class=Response)
def export_transfert_xlsx(transfert_id: TransfertId, principal: Followers, session: SessionDep) -> Response:
    """The plan and the state of each measure, as a workbook."""
    return _export(session, principal, transfert_id, "xlsx")


def _export(session: Session, principal: Principal, transfert_id: int, format: Literal["csv", "xlsx"]) -> Response:
    return export_response(partial(_tableau, session, principal, transfert_id), format, today=utcnow().date())


def _tableau(session: Session, principal: Principal, transfert_id: int) -> Tableau:
    plan = get_transfert(transfert_id, principal, session)
    lignes: list[dict[str, Value]] = [
        {
            "mesure_id": m.mesure_id,
            "numero_rg": m.numero_rg,
            "tribunal": m.tribunal,
            "nature": m.nature,
            "decision": labels.DECISIONS_TRANSFERT[m.decision],
            "propose": m.proposition.nom if m.proposition else None,
            "distance_km": m.proposition.distance_km if m.proposition else None,
            "explication": m.proposition.explication if m.proposition else None,
            "alternatives": " ; ".join(a.nom for a in m.alternatives) or None,
            "sans_proposition": planning.REASONS.get(m.motif_sans_proposition or ""),
            "reservation_id": m.reservation_id,
        }
        for m in plan.mesures
    ]
    return Tableau(
        nom=f"transfert-{plan.id}",
        titre=f"Plan de transfert n° {plan.id}",
        note=f"Coût total du plan : {plan.cout_total:.3f} ; mesures sans proposition : {plan.sans_proposition}.",
        filtres={"transfert": plan.id},
        colonnes=EXPORT_COLUMNS,
        lignes=lignes,
        totaux=None,
    )


@router.get("/transferts/{transfert_id}", response_model=TransfertOut, responses=ERRORS)
def get_transfert(transfert_id: TransfertId, principal: Followers, session: SessionDep) -> TransfertOut:
    """A plan and the state of each of its measures (a judge sees those of the tribunal)."""
    return transfert_out(session, service.get_plan(session, principal=principal, transfert_id=transfert_id), principal)


@router.get("/transferts/{transfert_id}/mesures/{mesure_id}/candidats", response_model=list[Candidat], responses=ERRORS)
def transfert_candidats(
    transfert_id: TransfertId,
    mesure_id: MesureId,
    principal: Judges,
    session: SessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    cache: IndexCacheDep,
) -> list[dict]:
    """`/match`'s explained shortlist for one measure of the plan, to replace its proposal."""
    return service.shortlist(
        session,
        principal=principal,
        cache=cache,
        settings=settings,
        gazetteer=gazetteer,
        transfert_id=transfert_id,
        mesure_id=mesure_id,
    )


@router.put("/transferts/{transfert_id}/mesures/{mesure_id}/choix", response_model=TransfertOut, responses=ERRORS)
def choose_transfert(
    transfert_id: TransfertId,
    mesure_id: MesureId,
    payload: ChoixIn,
    principal: Judges,
    session: WriteSessionDep,
    gazetteer: GazetteerDep,
    cache: IndexCacheDep,
) -> TransfertOut:
    """Keep the proposal (name the proposed professional) or replace it by another eligible professional."""
    item = service.choose(
        session,
        principal=principal,
        cache=cache,
        gazetteer=gazetteer,
        transfert_id=transfert_id,
        mesure_id=mesure_id,
        payload=payload,
    )
    session.commit()
    return transfert_out(session, item.transfert, principal)


@router.post("/transferts/{transfert_id}/confirmation", response_model=TransfertOut, responses=ERRORS)
def confirm_transfert(
    transfert_id: TransfertId,
    payload: ConfirmationIn,
    principal: Judges,
    session: WriteSessionDep,
    settings: SettingsDep,
    gazetteer: GazetteerDep,
    cache: IndexCacheDep,
) -> TransfertOut:
    """Send the retained professionals a reservation for these measures: all of them or none."""
    service.confirm(
        session,
        principal=principal,
        cache=cache,
        settings=settings,
        gazetteer=gazetteer,
        transfert_id=transfert_id,
        payload=payload,
    )
    session.commit()
    return get_transfert(transfert_id, principal, session)


@router.post("/transferts/{transfert_id}/cloture", response_model=TransfertOut, responses=ERRORS)
def close_transfert(transfert_id: TransfertId, principal: Agents, session: WriteSessionDep) -> TransfertOut:
    """Close the plan: its measures may enter a new one; reservations already sent go on."""
    transfert = service.close(session, principal=principal, transfert_id=transfert_id)
    session.commit()
    return transfert_out(session, transfert, principal)
