"""Designation flows: reserve, accept, refuse, cancel, expire. Each is one transaction that also writes its
audit event and its notifications (outbox), so none of them can be lost or half-applied.

The capacity check and the insert of the pending measure are one conditional UPDATE (see
`app.registry.load.apply_load_change(guard_capacity=True)`), which no concurrent request can overtake.
"""

from datetime import datetime, timedelta

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from app import labels
from app.audit import service as audit
from app.auth.constants import Role
from app.auth.exceptions import Forbidden
from app.auth.principal import Principal
from app.config import Settings
from app.database import utcnow
from app.designation.answers import count_answers
from app.designation.constants import Famille, ReservationStatut
from app.designation.exceptions import ForbiddenTransition, MesureGone, OffListUnjustified, ReservationNotFound
from app.designation.models import Reservation
from app.designation.schemas import AcceptationIn, ExclusionIn, RefusIn, ReservationCreate
from app.errors import Conflict
from app.geo.gazetteer import Gazetteer
from app.geo.locate import Locator
from app.geo.models import Tribunal
from app.locks import lock_for_transaction
from app.matching import engine
from app.matching.exceptions import MatchNotFound
from app.matching.models import MatchRecord
from app.matching.schemas import MatchRequest
from app.matching.service import IndexCache, run_match
from app.notifications.constants import NotificationKind, Recipient
from app.notifications.service import enqueue
from app.registry.constants import MesureStatut
from app.registry.exceptions import UnknownMandataire, UnknownSite
from app.registry.load import LoadShare, apply_load_change, apply_load_changes
from app.registry.models import Mandataire, Mesure
from app.registry.service import add_mesure, place_of
from app.registry.statistics import YearlyShare, apply_yearly_change

# --- reading ---------------------------------------------------------------------------------------


def can_read(principal: Principal, reservation: Reservation) -> bool:
    if principal.role == Role.ADMIN:
        return True
    if principal.is_judicial:
        return reservation.tribunal_id == principal.tribunal_id
    if principal.role == Role.MANDATAIRE:
        return reservation.mandataire_id == principal.mandataire_id
    return False


def get_reservation(
    session: Session, *, principal: Principal, reservation_id: int, for_update: bool = False
) -> Reservation:
    """With `for_update` (an answer is coming), the reservation's row is locked first: concurrent answers to one
    reservation queue, and the second sees the first's outcome (the lock order of `app.registry.load`)."""
    reservation = session.get(Reservation, reservation_id, with_for_update=for_update or None)
    if reservation is None or not can_read(principal, reservation):
        raise ReservationNotFound(f"réservation introuvable : {reservation_id}", loc=["path", "reservation_id"])
    return reservation


def list_reservations(
    session: Session, *, tribunal_id: int | None = None, mandataire_id: int | None = None, statut=None
):
    query = select(Reservation).order_by(Reservation.id.desc())
    if tribunal_id is not None:
        query = query.where(Reservation.tribunal_id == tribunal_id)
    if mandataire_id is not None:
        query = query.where(Reservation.mandataire_id == mandataire_id)
    if statut is not None:
        query = query.where(Reservation.statut == statut)
    return list(session.scalars(query.limit(500)))


def count_pending(session: Session, *, mandataire_id: int) -> int:
    """Reservations of a professional still awaiting its answer (the badge of the professional's space)."""
    query = select(func.count()).where(
        Reservation.mandataire_id == mandataire_id, Reservation.statut == ReservationStatut.EN_ATTENTE
    )
    return session.scalar(query) or 0


# --- excluding -------------------------------------------------------------------------------------


def _own_match(session: Session, principal: Principal, match_id: str, loc: list[str]) -> MatchRecord:
    record = session.get(MatchRecord, match_id)
    if record is None or (principal.is_judicial and record.tribunal_id != principal.tribunal_id):
        raise MatchNotFound(f"demande de liste introuvable : {match_id}", loc=loc)
    return record


def exclude(
    session: Session,
    *,
    principal: Principal,
    cache: IndexCache,
    settings: Settings,
    gazetteer: Gazetteer,
    locator: Locator,
    match_id: str,
    payload: ExclusionIn,
) -> dict:
    """The judge sets a professional aside for this search (a conflict of interest...): the same request runs
    again with it among `exclure`, is stored as a new match, and the reason is kept in that match's audit."""
    record = _own_match(session, principal, match_id, ["path", "match_id"])
    if payload.mandataire not in cache.get(session).profiles:
        raise UnknownMandataire(f"mandataire inconnu : {payload.mandataire}", loc=["body", "mandataire"])
    demande = MatchRequest.model_validate(record.demande)
    demande.exclure = sorted({*demande.exclure, payload.mandataire})
    answer = run_match(
        session,
        cache=cache,
        settings=settings,
        principal=principal,
        gazetteer=gazetteer,
        locator=locator,
        payload=demande,
    )
    audit.record(
        session,
        action="mandataire_exclu",
        principal=principal,
        match_id=answer["match_id"],
        tribunal_id=record.tribunal_id,
        mandataire_id=payload.mandataire,
        details={"motif": payload.motif, "demande_precedente": record.id},
    )
    return answer


# --- reserving -------------------------------------------------------------------------------------


def _query_from_match(record: MatchRecord, tribunal: Tribunal, now: datetime) -> engine.Query:
    """The engine's query for a stored match, without the judge's exclusions: the hard rules at reservation time."""
    demande, residence = record.demande, record.reponse["residence"]
    return engine.Query(
        tribunal_id=tribunal.id,
        tribunal_departement=tribunal.departement,
        nature=demande["nature"],
        lat=residence["lat"],
        lon=residence["lon"],
        pays=residence["pays"],
        lieu_vie=demande["lieu_vie"],
        today=now.date(),
        now=now,
        etablissement_id=demande.get("etablissement"),
        besoins=frozenset(demande.get("besoins", ())),
        annee_naissance=demande.get("annee_naissance"),
    )


def _place_from_match(record: MatchRecord) -> dict:
    location = record.reponse["residence"]
    if location["pays"] == "BE":
        belgian = location["commune_belge"]
        return {
            "pays": "BE",
            "nis": belgian["nis"],
            "code_postal": record.demande["residence"].get("code_postal"),
            "commune": belgian["nom_fr"],
            "insee": None,
            "departement": None,
        }
    commune = location.get("commune") or {}
    return {
        "pays": "FR",
        "insee": commune.get("insee"),
        "code_postal": record.demande["residence"].get("code_postal"),
        "commune": commune.get("nom"),
        "nis": None,
        "departement": location["departement"]["code"],
    }


def reserve(
    session: Session,
    *,
    principal: Principal,
    cache: IndexCache,
    settings: Settings,
    gazetteer: Gazetteer,
    payload: ReservationCreate,
    idempotency_key: str | None,
) -> Reservation:
    """The new reservation, or the one an earlier request with the same Idempotency-Key created (a retry gets
    the first answer). Retries of one key that arrive together queue on the key: the first creates, the others
    then find its reservation."""
    if idempotency_key is not None:
        lock_for_transaction(session.connection(), f"reservation:{principal.token_id}:{idempotency_key}")
        existing = session.scalar(
            select(Reservation).where(
                Reservation.token_id == principal.token_id, Reservation.idempotency_key == idempotency_key
            )
        )
        if existing is not None:
            return existing
    record = _own_match(session, principal, payload.match_id, ["body", "match_id"])
    tribunal = session.get_one(Tribunal, record.tribunal_id)
    now = utcnow()
    profile = cache.get(session).profiles.get(payload.mandataire)
    mandataire = session.get(Mandataire, payload.mandataire)
    if profile is None or mandataire is None:
        raise UnknownMandataire(f"mandataire inconnu : {payload.mandataire}", loc=["body", "mandataire"])
    reason = engine.static_exclusion(profile, _query_from_match(record, tribunal, now))
    if reason is not None:
        raise Conflict(
            f"ce mandataire ne peut pas être désigné : {engine.REASONS[reason]}",
            code=reason,
            loc=["body", "mandataire"],
        )
    shortlisted = {c["mandataire"]["id"]: c for c in record.reponse["candidats"]}
    if payload.mandataire not in shortlisted and not payload.hors_liste:
        raise OffListUnjustified(
            "ce mandataire ne figurait pas dans la liste proposée : indiquez hors_liste et une justification",
            loc=["body", "hors_liste"],
        )
    site_id = payload.antenne
    if site_id is None and payload.mandataire in shortlisted:
        site_id = (shortlisted[payload.mandataire]["mandataire"].get("site_le_plus_proche") or {}).get("id")
    if payload.antenne is not None and payload.antenne not in {s.id for s in mandataire.sites}:
        raise UnknownSite(f"antenne {payload.antenne} inconnue pour ce mandataire", loc=["body", "antenne"])
    demande = record.demande
    mesure = add_mesure(
        session,
        settings=settings,
        mandataire=mandataire,
        tribunal=tribunal,
        place=_place_from_match(record),
        site_id=site_id,
        etablissement_id=demande.get("etablissement"),
        fields={
            "numero_rg": payload.numero_rg,
            "nature": demande["nature"],
            "champ": demande.get("champ"),
            "lieu_vie": demande["lieu_vie"],
            "civilite": payload.civilite,
            "annee_naissance": payload.annee_naissance or demande.get("annee_naissance"),
            "statut": MesureStatut.EN_ATTENTE,
        },
        guard_capacity=True,
    )
    reservation = Reservation(
        mesure_id=mesure.id,
        match_id=record.id,
        mandataire_id=mandataire.id,
        site_id=site_id,
        tribunal_id=tribunal.id,
        token_id=principal.token_id,
        numero_rg=payload.numero_rg,
        nature=demande["nature"],
        statut=ReservationStatut.EN_ATTENTE,
        cabinet=payload.cabinet,
        date_jugement_prevue=payload.date_jugement_prevue,
        urgence=payload.urgence,
        famille=payload.famille.statut,
        famille_motif=payload.famille.motif,
        hors_liste=payload.mandataire not in shortlisted,
        justification=payload.justification,
        idempotency_key=idempotency_key,
        created_at=now,
        expires_at=now + timedelta(days=settings.reservation_expiry_days),
    )
    session.add(reservation)
    session.flush()
    _audit(
        session,
        reservation,
        "reservation_creee",
        principal,
        details={
            "rang": shortlisted[mandataire.id]["rang"] if mandataire.id in shortlisted else None,
            "hors_liste": reservation.hors_liste,
            "justification": payload.justification,
            "famille": payload.model_dump(mode="json")["famille"],
            "numero_rg": payload.numero_rg,
        },
    )
    _notify(
        session,
        settings,
        Recipient.MANDATAIRE,
        mandataire.email,
        reservation,
        NotificationKind.RESERVATION,
        f"Nouvelle mesure réservée par le {tribunal.nom}",
        f"Le {tribunal.nom} vous a réservé une mesure ({_nature(reservation)}, RG {reservation.numero_rg}). "
        f"Merci de l'accepter ou de la refuser avant le {reservation.expires_at:%d/%m/%Y}.",
    )
    return reservation


# --- answering -------------------------------------------------------------------------------------


def _pending(reservation: Reservation, action: str) -> None:
    if reservation.statut != ReservationStatut.EN_ATTENTE:
        state = labels.label(labels.STATUTS_RESERVATION_DEJA, reservation.statut)
        raise ForbiddenTransition(f"impossible {labels.elide(action, 'de')} une réservation {state}")


def _release(session: Session, reservation: Reservation) -> None:
    """Free the place the pending reservation holds. A new measure is deleted (its numero_rg can be reserved anew);
    a transfer only gives back the place held at the new professional: its measure never left the former one."""
    if reservation.ancien_mandataire_id is not None:
        apply_load_change(session, transfer_hold(reservation), None)
        return
    mesure = session.get(Mesure, reservation.mesure_id) if reservation.mesure_id else None
    if mesure is not None:
        share, yearly = LoadShare.of(mesure), YearlyShare.of(mesure)
        session.delete(mesure)
        session.flush()  # the measure's row before the counters (lock order of app.registry.load)
        apply_load_change(session, share, None)
        apply_yearly_change(session, yearly, None)
    reservation.mesure_id = None


def transfer_hold(reservation: Reservation) -> LoadShare:
    """The place a pending transfer holds at the new professional (and its antenne): counted as pending there,
    with the measure's weight when the transfer was sent, until the answer."""
    return LoadShare(
        reservation.mandataire_id,
        reservation.site_id,
        MesureStatut.EN_ATTENTE,
        reservation.poids_transfert or 0.0,
        tribunal_id=None,  # no measure: nothing in the counters per département
        tutelle=False,
    )


def reserve_transfer(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    mesure: Mesure,
    mandataire: Mandataire,
    site_id: int | None,
    justification: str | None,
) -> Reservation:
    """Reserve `mandataire` for a measure in progress that another professional hands over (a transfer plan).

    The measure stays with the former professional, in progress, until the new one answers: the reservation
    holds a place at the new professional under the capacity guard (`transfer_hold`). Acceptance moves the measure
    and both loads in one transaction (`accept`); a refusal, a cancellation or an expiry only frees the held place
    (`_release`). Both professionals are told."""
    now = utcnow()
    former_id, former_site = mesure.mandataire_id, mesure.site_id
    tribunal = session.get_one(Tribunal, mesure.tribunal_id)
    reservation = Reservation(
        mesure_id=mesure.id,
        mandataire_id=mandataire.id,
        site_id=site_id,
        tribunal_id=mesure.tribunal_id,
        token_id=principal.token_id,
        numero_rg=mesure.numero_rg,
        nature=mesure.nature,
        statut=ReservationStatut.EN_ATTENTE,
        famille=Famille.NON_EXAMINE,
        hors_liste=False,
        justification=justification,
        ancien_mandataire_id=former_id,
        ancien_site_id=former_site,
        poids_transfert=mesure.poids,
        created_at=now,
        expires_at=now + timedelta(days=settings.reservation_expiry_days),
    )
    session.add(reservation)
    session.flush()  # the reservation's row before the counters (lock order of app.registry.load)
    apply_load_change(session, None, transfer_hold(reservation), guard_capacity=True)
    _audit(session, reservation, "reservation_transfert", principal, details={"ancien_mandataire": former_id})
    _notify(
        session,
        settings,
        Recipient.MANDATAIRE,
        mandataire.email,
        reservation,
        NotificationKind.RESERVATION,
        f"Mesure en cours à reprendre : {tribunal.nom}",
        f"Le {tribunal.nom} vous propose de reprendre une mesure en cours ({_nature(reservation)}, "
        f"RG {reservation.numero_rg}) exercée jusqu'ici par un autre professionnel. Merci de l'accepter ou de la "
        f"refuser avant le {reservation.expires_at:%d/%m/%Y}.",
    )
    former = session.get(Mandataire, former_id)
    _notify(
        session,
        settings,
        Recipient.ANCIEN_MANDATAIRE,
        former.email if former else None,
        reservation,
        NotificationKind.RESERVATION,
        f"Transfert d'une mesure : {tribunal.nom}",
        f"Le {tribunal.nom} a désigné un autre professionnel pour reprendre la mesure RG {reservation.numero_rg} "
        "que vous exercez ; vous serez informé de sa réponse.",
    )
    return reservation


def accept(
    session: Session,
    *,
    principal: Principal,
    locator: Locator,
    settings: Settings,
    reservation: Reservation,
    payload: AcceptationIn,
) -> Reservation:
    if principal.role != Role.MANDATAIRE or principal.mandataire_id != reservation.mandataire_id:
        raise Forbidden("seul le mandataire réservé accepte sa réservation")
    _pending(reservation, "accepter")
    mesure = session.get(Mesure, reservation.mesure_id) if reservation.mesure_id else None
    transfer = reservation.ancien_mandataire_id is not None
    if mesure is None or (
        transfer
        and (mesure.mandataire_id != reservation.ancien_mandataire_id or mesure.statut != MesureStatut.EN_COURS)
    ):
        raise MesureGone()
    before, yearly = LoadShare.of(mesure), YearlyShare.of(mesure)
    if transfer:
        mesure.mandataire_id, mesure.site_id = reservation.mandataire_id, reservation.site_id
    mesure.statut = MesureStatut.EN_COURS
    mesure.date_nomination = payload.date_nomination
    if payload.lieu_vie is not None:
        mesure.lieu_vie = payload.lieu_vie
    if payload.residence is not None:
        for field, value in place_of(locator, payload.residence).items():
            setattr(mesure, field, value)
    session.flush()
    changes = [(before, LoadShare.of(mesure))] + ([(transfer_hold(reservation), None)] if transfer else [])
    apply_load_changes(session, changes)
    apply_yearly_change(session, yearly, YearlyShare.of(mesure))
    _answer(session, principal, settings, reservation, ReservationStatut.ACCEPTEE, "reservation_acceptee", {})
    count_answers(session, [reservation])
    if transfer:
        former = session.get(Mandataire, reservation.ancien_mandataire_id)
        tribunal = session.get_one(Tribunal, reservation.tribunal_id)
        _notify(
            session,
            settings,
            Recipient.ANCIEN_MANDATAIRE,
            former.email if former else None,
            reservation,
            NotificationKind.ACCEPTATION,
            f"Transfert d'une mesure effectué : {tribunal.nom}",
            f"La mesure RG {reservation.numero_rg} est désormais exercée par le professionnel désigné par le "
            f"{tribunal.nom}, qui a accepté de la reprendre. Elle ne figure plus dans vos mesures en cours.",
        )
    return reservation


def refuse(
    session: Session, *, principal: Principal, settings: Settings, reservation: Reservation, payload: RefusIn
) -> Reservation:
    if principal.role != Role.MANDATAIRE or principal.mandataire_id != reservation.mandataire_id:
        raise Forbidden("seul le mandataire réservé refuse sa réservation")
    _pending(reservation, "refuser")
    _release(session, reservation)
    reservation.motif_refus = payload.motif
    _answer(
        session,
        principal,
        settings,
        reservation,
        ReservationStatut.REFUSEE,
        "reservation_refusee",
        {"motif": payload.motif},
    )
    count_answers(session, [reservation])
    return reservation


def cancel(session: Session, *, principal: Principal, settings: Settings, reservation: Reservation) -> Reservation:
    if not (
        principal.role == Role.ADMIN or (principal.is_judicial and principal.tribunal_id == reservation.tribunal_id)
    ):
        raise Forbidden("seul le tribunal de la réservation l'annule")
    _pending(reservation, "annuler")
    _release(session, reservation)
    _answer(session, principal, settings, reservation, ReservationStatut.ANNULEE, "reservation_annulee", {})
    return reservation


# Per answer: the notification's kind, its subject, and its text ({mandataire}, {reservation}: "la réservation
# RG 24/00017 (Curatelle renforcée)", {motif}: the refusal's reason).
MESSAGES = {
    ReservationStatut.ACCEPTEE: (
        NotificationKind.ACCEPTATION,
        "Réservation acceptée",
        "{mandataire} a accepté {reservation}.",
    ),
    ReservationStatut.REFUSEE: (
        NotificationKind.REFUS,
        "Réservation refusée",
        "{mandataire} a refusé {reservation}. Motif du refus : {motif} La place n'est plus retenue : vous pouvez "
        "désigner un autre professionnel.",
    ),
    ReservationStatut.ANNULEE: (
        NotificationKind.ANNULATION,
        "Réservation annulée",
        "Le tribunal a annulé {reservation} faite auprès de {mandataire} : vous n'avez pas à y répondre.",
    ),
    ReservationStatut.EXPIREE: (
        NotificationKind.EXPIRATION,
        "Réservation expirée",
        "Sans réponse de {mandataire} dans le délai, {reservation} a expiré et la place est libérée.",
    ),
}


def _nature(reservation: Reservation) -> str:
    return labels.label(labels.NATURES, reservation.nature)


def _answer(
    session: Session,
    principal: Principal | None,
    settings: Settings,
    reservation: Reservation,
    statut: ReservationStatut,
    action: str,
    details: dict,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    reservation.statut = statut
    reservation.answered_at = now
    session.flush()
    _audit(session, reservation, action, principal, details=details, at=now)
    mandataire = _addressee(session, reservation)
    tribunal = session.get_one(Tribunal, reservation.tribunal_id)
    kind, subject, template = MESSAGES[statut]
    motif = (reservation.motif_refus or "non précisé").strip()
    text = template.format(
        mandataire=mandataire.nom,
        reservation=f"la réservation RG {reservation.numero_rg} ({_nature(reservation)})",
        motif=motif if motif.endswith((".", "!", "?")) else motif + ".",
    )
    text = text[0].upper() + text[1:]
    if statut in (ReservationStatut.ANNULEE, ReservationStatut.EXPIREE):
        _notify(session, settings, Recipient.MANDATAIRE, mandataire.email, reservation, kind, subject, text)
    if statut != ReservationStatut.ANNULEE:
        _notify(session, settings, Recipient.TRIBUNAL, tribunal.email, reservation, kind, subject, text)


def _addressee(session: Session, reservation: Reservation) -> Row[str, str | None]:
    """The reservation's professional's name and e-mail, read as two columns: not the professional itself, which the
    session would load again (with its six collections) for every reservation of the expiry job's batch."""
    return session.execute(
        select(Mandataire.nom, Mandataire.email).where(Mandataire.id == reservation.mandataire_id)
    ).one()


def _audit(
    session: Session,
    reservation: Reservation,
    action: str,
    principal: Principal | None,
    *,
    details: dict | None = None,
    at: datetime | None = None,
) -> None:
    audit.record(
        session,
        action=action,
        principal=principal,
        match_id=reservation.match_id,
        reservation_id=reservation.id,
        tribunal_id=reservation.tribunal_id,
        mandataire_id=reservation.mandataire_id,
        details=details,
        at=at,
    )


def _payload(reservation: Reservation, to: Recipient) -> dict:
    return {
        "destinataire": to.value,
        "reservation": reservation.id,
        "statut": reservation.statut,
        "mandataire": reservation.mandataire_id,
        "tribunal": reservation.tribunal_id,
        "numero_rg": reservation.numero_rg,
        "match_id": reservation.match_id,
    }


def _notify(session, settings, to: Recipient, recipient_email: str | None, reservation, kind, subject, body) -> None:
    enqueue(
        session,
        kind=kind,
        recipient_email=recipient_email,
        subject=subject,
        body=body,
        payload=_payload(reservation, to),
        settings=settings,
    )


# --- expiry ----------------------------------------------------------------------------------------


def expire_and_remind(session: Session, *, settings: Settings, now: datetime) -> tuple[int, int]:
    """Expire the pending reservations past their deadline and remind those close to it; safe to run twice
    (only pending ones are touched, and a reminder is sent once). Returns (expired, reminded)."""
    expired: list[Reservation] = []
    for reservation in session.scalars(
        select(Reservation)
        .where(Reservation.statut == ReservationStatut.EN_ATTENTE, Reservation.expires_at <= now)
        .order_by(Reservation.id)
        .with_for_update()  # reservations first, by id: the lock order of app.registry.load
    ):
        _release(session, reservation)
        _answer(session, None, settings, reservation, ReservationStatut.EXPIREE, "reservation_expiree", {}, now=now)
        expired.append(reservation)
    count_answers(session, expired)  # last, every key in order: the counters' lock order
    reminded = 0
    soon = now + timedelta(days=settings.reservation_reminder_days)
    for reservation in session.scalars(
        select(Reservation)
        .where(
            Reservation.statut == ReservationStatut.EN_ATTENTE,
            Reservation.reminded_at.is_(None),
            Reservation.expires_at <= soon,
        )
        .order_by(Reservation.id)
    ):
        reservation.reminded_at = now
        mandataire = _addressee(session, reservation)
        tribunal = session.get_one(Tribunal, reservation.tribunal_id)
        _notify(
            session,
            settings,
            Recipient.MANDATAIRE,
            mandataire.email,
            reservation,
            NotificationKind.RAPPEL,
            "Rappel : réservation sans réponse",
            f"La réservation RG {reservation.numero_rg} du {tribunal.nom} expirera le "
            f"{reservation.expires_at:%d/%m/%Y} sans réponse de votre part.",
        )
        _audit(session, reservation, "rappel_envoye", None, at=now)
        reminded += 1
    session.flush()
    return len(expired), reminded
