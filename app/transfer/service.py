"""Transfer flows: compute a plan for a professional's measures, let each tribunal's judges keep or replace its
proposals and confirm them through the reservation flow, follow and close it. Each is one transaction that also
writes its audit events, so none is half-applied.

A confirmation re-checks what may have changed since the plan was computed (the measure itself, the chosen
professional's eligibility and room): a measure that changed answers 409 and nothing of that confirmation is
applied.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth.constants import Role
from app.auth.principal import Principal
from app.config import Settings
from app.database import utcnow
from app.designation.constants import ReservationStatut
from app.designation.exceptions import MesureModifiee
from app.designation.models import Reservation
from app.designation.service import reserve_transfer
from app.errors import Conflict
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal
from app.matching import engine, repository
from app.matching.index import MatchIndex
from app.matching.service import TUNING, IndexCache, candidat_data, weights_for
from app.registry.constants import MesureStatut
from app.registry.exceptions import UnknownMandataire, UnknownSite
from app.registry.models import Etablissement, Mandataire, Mesure, Site
from app.transfer import planning
from app.transfer.constants import Decision, StatutTransfert
from app.transfer.exceptions import (
    AucuneMesure,
    ChoixManquant,
    DecisionPrise,
    MesureInconnue,
    TransfertClos,
    TransfertEnCours,
    TransfertNotFound,
)
from app.transfer.models import Transfert, TransfertMesure
from app.transfer.schemas import ChoixIn, ConfirmationIn, TransfertCreate

ENDED_WITHOUT_ACCEPTANCE = frozenset({ReservationStatut.REFUSEE, ReservationStatut.ANNULEE, ReservationStatut.EXPIREE})


# --- building the problem ---------------------------------------------------------------------------


def _point(mesure: Mesure, gazetteer: Gazetteer, etablissements: dict[int, Etablissement], fallback: Site | None):
    """Where the person lives: the établissement's own place, else the commune (French or Belgian), else the
    antenne that follows the measure today (the best proxy left)."""
    if mesure.etablissement_id in etablissements:
        etablissement = etablissements[mesure.etablissement_id]
        return etablissement.lat, etablissement.lon
    if mesure.pays == "BE" and mesure.nis in gazetteer.belgian:
        municipality = gazetteer.belgian[mesure.nis]
        return municipality.lat, municipality.lon
    if mesure.insee in gazetteer.communes:
        commune = gazetteer.communes[mesure.insee]
        return commune.lat, commune.lon
    for commune in gazetteer.communes_by_postcode.get(mesure.code_postal or "", []):
        return commune.lat, commune.lon
    return (fallback.lat, fallback.lon) if fallback is not None else (None, None)


def _requests(
    session: Session,
    mesures: list[Mesure],
    gazetteer: Gazetteer,
    source: Mandataire,
    *,
    now: datetime,
    exclure: frozenset[int],
) -> list[planning.MeasureRequest]:
    """The engine's question for each measure: the list of a new measure at the same place, without diversity
    (the plan chooses among every eligible professional), never proposing `exclure` (the former professional...)."""
    ids = {m.etablissement_id for m in mesures if m.etablissement_id is not None}
    etablissements = {e.id: e for e in session.scalars(select(Etablissement).where(Etablissement.id.in_(ids)))}
    sites = {s.id: s for s in source.sites}
    requests = []
    for mesure in mesures:
        site = sites.get(mesure.site_id) if mesure.site_id is not None else None
        lat, lon = _point(mesure, gazetteer, etablissements, site or next(iter(sites.values()), None))
        if lat is None:
            lat, lon = 0.0, 0.0  # no place at all: every distance is then "far", which the explanation shows
        requests.append(
            planning.MeasureRequest(
                mesure.id,
                engine.Query(
                    tribunal_id=mesure.tribunal_id,
                    tribunal_departement=mesure.tribunal.departement,
                    nature=mesure.nature,
                    lat=lat,
                    lon=lon,
                    pays=mesure.pays,
                    lieu_vie=mesure.lieu_vie,
                    today=now.date(),
                    now=now,
                    etablissement_id=mesure.etablissement_id,
                    annee_naissance=mesure.annee_naissance,
                    exclure=exclure,
                    diversite=False,
                ),
            )
        )
    return requests


def _loads(session: Session, now):
    return lambda ids: repository.live_loads(session, ids, now=now)


# --- plans ---------------------------------------------------------------------------------------------


def _source(session: Session, principal: Principal, mandataire_id: int) -> Mandataire:
    mandataire = session.get(Mandataire, mandataire_id)
    if mandataire is None or not principal.can_manage_mandataire(
        mandataire.id, {d.departement for d in mandataire.departements}
    ):
        raise UnknownMandataire(f"mandataire inconnu : {mandataire_id}", loc=["body", "mandataire"])
    return mandataire


def create_plan(
    session: Session,
    *,
    principal: Principal,
    cache: IndexCache,
    settings: Settings,
    gazetteer: Gazetteer,
    payload: TransfertCreate,
) -> Transfert:
    source = _source(session, principal, payload.mandataire)
    # A measure already sent to a new professional (its transfer awaits an answer) stays out of a new plan.
    awaiting = exists().where(Reservation.mesure_id == Mesure.id, Reservation.statut == ReservationStatut.EN_ATTENTE)
    statement = select(Mesure).where(
        Mesure.mandataire_id == source.id, Mesure.statut == MesureStatut.EN_COURS, ~awaiting
    )
    if payload.antenne is not None:
        if payload.antenne not in {site.id for site in source.sites}:
            raise UnknownSite(f"antenne {payload.antenne} inconnue pour ce mandataire", loc=["body", "antenne"])
        statement = statement.where(Mesure.site_id == payload.antenne)
    if payload.mesures is not None:
        statement = statement.where(Mesure.id.in_(payload.mesures))
    mesures = list(session.scalars(statement.order_by(Mesure.id)))
    if payload.mesures is not None:
        missing = sorted(set(payload.mesures) - {m.id for m in mesures})
        if missing:
            shown = ", ".join(str(i) for i in missing[:10]) + (" …" if len(missing) > 10 else "")
            raise MesureInconnue(
                "mesures inconnues, pas en cours, pas exercées par ce mandataire ou déjà envoyées à un autre : "
                f"{shown}",
                loc=["body", "mesures"],
            )
    if not mesures:
        raise AucuneMesure("aucune mesure en cours à transférer", loc=["body", "mandataire"])
    busy = session.scalars(
        select(TransfertMesure.mesure_id).where(
            TransfertMesure.mesure_id.in_([m.id for m in mesures]), TransfertMesure.ouvert.is_(True)
        )
    ).all()
    if busy:
        raise TransfertEnCours(
            f"{len(busy)} de ces mesures figurent déjà dans un plan de transfert ouvert : clôturez-le d'abord",
            loc=["body", "mesures" if payload.mesures is not None else "mandataire"],
        )
    now = utcnow()
    index = cache.get(session)
    result = planning.plan(
        _requests(session, mesures, gazetteer, source, now=now, exclure=frozenset({source.id})),
        index=index,
        read_loads=_loads(session, now),
        weights_for=lambda departement: weights_for(index, settings, departement),
        tuning=TUNING,
    )
    transfert = Transfert(
        created_at=now,
        token_id=principal.token_id,
        mandataire_id=source.id,
        site_id=payload.antenne,
        motif=payload.motif,
        statut=StatutTransfert.OUVERT,
        cout_total=result.cout_total,
        sans_proposition=result.sans_proposition,
        parametres={
            "poids_occupation": result.poids.as_dict(),
            "version_moteur": engine.ENGINE_VERSION,
            "version_registre": index.version,
            "solveur": "flot de coût minimal (programme linéaire, SciPy HiGHS)",
        },
    )
    by_id = {m.id: m for m in mesures}
    for measure_plan in result.mesures:
        mesure = by_id[measure_plan.mesure_id]
        transfert.mesures.append(
            TransfertMesure(
                mesure_id=mesure.id,
                ouvert=True,
                tribunal_id=mesure.tribunal_id,
                mesure_version=mesure.version,
                proposition=_data(measure_plan.proposition),
                alternatives=[_data(p) for p in measure_plan.alternatives],
                motif_sans_proposition=measure_plan.motif,
                exclusions=measure_plan.exclusions,
                decision=Decision.A_DECIDER,
                refus=[],
            )
        )
    session.add(transfert)
    session.flush()
    audit.record(
        session,
        action="transfert_calcule",
        principal=principal,
        mandataire_id=source.id,
        details={
            "transfert": transfert.id,
            "motif": payload.motif.value,
            "mesures": len(mesures),
            "sans_proposition": result.sans_proposition,
            "cout_total": result.cout_total,
        },
    )
    return transfert


def _data(proposal: planning.Proposal | None) -> dict | None:
    if proposal is None:
        return None
    return {name: getattr(proposal, name) for name in proposal.__slots__}


def _can_follow(principal: Principal, transfert: Transfert, session: Session) -> bool:
    if principal.role == Role.ADMIN:
        return True
    if principal.role == Role.AGENT:
        source = session.get_one(Mandataire, transfert.mandataire_id)
        return principal.covers_departements({d.departement for d in source.departements})
    if principal.is_judicial:
        return any(item.tribunal_id == principal.tribunal_id for item in transfert.mesures)
    return False


def get_plan(session: Session, *, principal: Principal, transfert_id: int) -> Transfert:
    transfert = session.get(Transfert, transfert_id)
    if transfert is None or not _can_follow(principal, transfert, session):
        raise TransfertNotFound(f"plan de transfert introuvable : {transfert_id}", loc=["path", "transfert_id"])
    return transfert


def list_plans(session: Session, *, principal: Principal) -> list[Transfert]:
    statement = select(Transfert).order_by(Transfert.id.desc())
    if principal.is_judicial:
        statement = statement.where(
            Transfert.id.in_(
                select(TransfertMesure.transfert_id).where(TransfertMesure.tribunal_id == principal.tribunal_id)
            )
        )
    return [t for t in session.scalars(statement.limit(500)) if _can_follow(principal, t, session)]


def visible_items(transfert: Transfert, principal: Principal) -> list[TransfertMesure]:
    """A judge sees the measures of their tribunal; agents and admins see them all."""
    if principal.is_judicial:
        return [item for item in transfert.mesures if item.tribunal_id == principal.tribunal_id]
    return list(transfert.mesures)


def effective(item: TransfertMesure, statuts: Mapping[int, str]) -> dict[str, Any]:
    """The measure's state once its reservation's fate is known (`statuts`: reservation id → statut, from
    `reservation_statuts`): a refused, cancelled or expired reservation sends it back to the judge with the next
    alternative proposed."""
    reservation_statut = statuts.get(item.reservation_id) if item.reservation_id is not None else None
    state: dict[str, Any] = {
        "decision": Decision(item.decision),
        "proposition": item.proposition,
        "alternatives": list(item.alternatives),
        "refus": list(item.refus),
        "reservation_id": item.reservation_id,
        "choix_mandataire_id": item.choix_mandataire_id,
    }
    if item.reservation_id is None or reservation_statut is None:
        return state
    if reservation_statut == ReservationStatut.ACCEPTEE:
        state["decision"] = Decision.ACCEPTEE
    elif reservation_statut in ENDED_WITHOUT_ACCEPTANCE:
        refus = state["refus"] + [item.choix_mandataire_id]
        remaining = [p for p in [item.proposition, *item.alternatives] if p and p["mandataire_id"] not in refus]
        state.update(
            decision=Decision.A_DECIDER,
            refus=refus,
            proposition=remaining[0] if remaining else None,
            alternatives=remaining[1:],
            reservation_id=None,
            choix_mandataire_id=None,
        )
    return state


def reservation_statuts(session: Session, items: list[TransfertMesure]) -> dict[int, str]:
    ids = [item.reservation_id for item in items if item.reservation_id is not None]
    if not ids:
        return {}
    return dict(session.execute(select(Reservation.id, Reservation.statut).where(Reservation.id.in_(ids))).all())


def _settle(session: Session, item: TransfertMesure) -> None:
    """Write the effective state (before a decision is taken on it)."""
    statuts = reservation_statuts(session, [item])
    state = effective(item, statuts)
    for name, value in state.items():
        setattr(item, name, value.value if isinstance(value, Decision) else value)


def _item(
    session: Session, principal: Principal, transfert_id: int, mesure_id: int, loc: list[str | int]
) -> TransfertMesure:
    transfert = get_plan(session, principal=principal, transfert_id=transfert_id)
    if transfert.statut != StatutTransfert.OUVERT:
        raise TransfertClos("ce plan de transfert est clos")
    for item in visible_items(transfert, principal):
        if item.mesure_id == mesure_id:
            return item
    raise TransfertNotFound(f"mesure {mesure_id} absente de ce plan (ou d'un autre tribunal)", loc=loc)


def _query_for_item(session: Session, gazetteer: Gazetteer, item: TransfertMesure, extra_exclusions) -> engine.Query:
    mesure = session.get_one(Mesure, item.mesure_id)
    source = session.get_one(Mandataire, item.transfert.mandataire_id)
    (request,) = _requests(
        session, [mesure], gazetteer, source, now=utcnow(), exclure=frozenset({source.id, *extra_exclusions})
    )
    return request.query


def shortlist(
    session: Session,
    *,
    principal: Principal,
    cache: IndexCache,
    settings: Settings,
    gazetteer: Gazetteer,
    transfert_id: int,
    mesure_id: int,
) -> list[dict]:
    """`/match`'s explained shortlist for one measure of the plan (the professional who stops and those who
    declined it left out), to replace a proposal."""
    item = _item(session, principal, transfert_id, mesure_id, ["path", "mesure_id"])
    query = _query_for_item(session, gazetteer, item, item.refus)
    index = cache.get(session)
    passing, exclusions = index.candidates(query)
    loads = _loads(session, query.now)([p.id for p in passing])
    eligible = [(p, loads[p.id]) for p in passing if p.id in loads]
    weights = weights_for(index, settings, query.tribunal_departement)
    result = engine.rank(len(index.profiles), exclusions, eligible, query, weights, TUNING)
    return [candidat_data(candidate) for candidate in result.candidats]


def _check_eligible(index: MatchIndex, query: engine.Query, mandataire_id: int, loc: list) -> engine.Profile:
    profile = index.profiles.get(mandataire_id)
    if profile is None:
        raise UnknownMandataire(f"mandataire inconnu : {mandataire_id}", loc=loc)
    reason = engine.static_exclusion(profile, query)
    if reason is not None:
        raise Conflict(
            f"ce mandataire ne peut pas reprendre cette mesure : {engine.REASONS[reason]}", code=reason, loc=loc
        )
    return profile


def choose(
    session: Session,
    *,
    principal: Principal,
    cache: IndexCache,
    gazetteer: Gazetteer,
    transfert_id: int,
    mesure_id: int,
    payload: ChoixIn,
) -> TransfertMesure:
    """The judge keeps the proposal (the same professional) or replaces it by any eligible professional."""
    item = _item(session, principal, transfert_id, mesure_id, ["path", "mesure_id"])
    _settle(session, item)
    if item.decision not in (Decision.A_DECIDER, Decision.RETENUE):
        raise DecisionPrise(f"la mesure {mesure_id} est déjà confiée ou en attente de réponse ({item.decision})")
    query = _query_for_item(session, gazetteer, item, item.refus)
    profile = _check_eligible(cache.get(session), query, payload.mandataire, ["body", "mandataire"])
    site_id = payload.antenne
    if site_id is not None and site_id not in {site.id for site in profile.sites}:
        raise UnknownSite(f"antenne {site_id} inconnue pour ce mandataire", loc=["body", "antenne"])
    if site_id is None:
        known = [p for p in [item.proposition, *item.alternatives] if p and p["mandataire_id"] == profile.id]
        site_id = known[0]["site_id"] if known else (profile.sites[0].id if profile.sites else None)
    item.choix_mandataire_id, item.choix_site_id = profile.id, site_id
    item.justification = payload.justification
    item.decision, item.decided_at = Decision.RETENUE, utcnow()
    session.flush()
    audit.record(
        session,
        action="transfert_choix",
        principal=principal,
        tribunal_id=item.tribunal_id,
        mandataire_id=profile.id,
        details={
            "transfert": item.transfert_id,
            "mesure": item.mesure_id,
            "proposition_gardee": bool(item.proposition and item.proposition["mandataire_id"] == profile.id),
            "justification": payload.justification,
        },
    )
    return item


def confirm(
    session: Session,
    *,
    principal: Principal,
    cache: IndexCache,
    settings: Settings,
    gazetteer: Gazetteer,
    transfert_id: int,
    payload: ConfirmationIn,
) -> list[TransfertMesure]:
    """Send a reservation for every listed measure whose choice is made: all of them, or none (409)."""
    index = cache.get(session)
    items = []
    for position, mesure_id in enumerate(dict.fromkeys(payload.mesures)):
        loc: list[str | int] = ["body", "mesures", position]
        item = _item(session, principal, transfert_id, mesure_id, loc)
        _settle(session, item)
        choice = item.choix_mandataire_id
        if item.decision != Decision.RETENUE or choice is None:
            raise ChoixManquant(
                f"mesure {mesure_id} : aucun professionnel retenu (gardez la proposition ou choisissez-en un autre)",
                loc=loc,
            )
        mesure = session.get(Mesure, item.mesure_id)
        source_id = item.transfert.mandataire_id
        if (
            mesure is None
            or mesure.version != item.mesure_version
            or mesure.mandataire_id != source_id
            or mesure.statut != MesureStatut.EN_COURS
        ):
            raise MesureModifiee(
                f"la mesure {mesure_id} a été modifiée depuis le calcul du plan : recalculez le plan", loc=loc
            )
        query = _query_for_item(session, gazetteer, item, item.refus)
        _check_eligible(index, query, choice, loc)
        mandataire = session.get_one(Mandataire, choice)
        reservation = reserve_transfer(
            session,
            principal=principal,
            settings=settings,
            mesure=mesure,
            mandataire=mandataire,
            site_id=item.choix_site_id,
            justification=item.justification,
        )
        item.reservation_id, item.decision, item.decided_at = reservation.id, Decision.CONFIRMEE, utcnow()
        items.append(item)
    session.flush()
    audit.record(
        session,
        action="transfert_confirme",
        principal=principal,
        tribunal_id=principal.tribunal_id,
        details={"transfert": transfert_id, "mesures": [item.mesure_id for item in items]},
    )
    return items


def close(session: Session, *, principal: Principal, transfert_id: int) -> Transfert:
    """End the plan: its measures may enter a new plan. Reservations already sent go on."""
    transfert = get_plan(session, principal=principal, transfert_id=transfert_id)
    if transfert.statut != StatutTransfert.OUVERT:
        raise TransfertClos("ce plan de transfert est déjà clos")
    transfert.statut = StatutTransfert.CLOS
    for item in transfert.mesures:
        item.ouvert = None
    session.flush()
    audit.record(
        session,
        action="transfert_clos",
        principal=principal,
        mandataire_id=transfert.mandataire_id,
        details={"transfert": transfert.id},
    )
    return transfert


def tribunal_names(session: Session, items: list[TransfertMesure]) -> dict[int, str]:
    ids = {item.tribunal_id for item in items}
    return dict(session.execute(select(Tribunal.id, Tribunal.nom).where(Tribunal.id.in_(ids))).all())
