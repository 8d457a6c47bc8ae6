"""Business operations of the professionals' routes: availability declarations, bulk measures (upsert on
(tribunal, numero_rg)), spreadsheet imports, full replacement of one measure. Like the registry's, functions
take keyword-only arguments and leave the commit to the caller.

Bulk measures are planned first (validation, tribunal, residence, ownership, pending reservations, changed or
not), then applied: new rows in multi-row INSERTs, changed rows in one UPDATE per row guarded by its version
(executemany), and the load counters through `app.registry.load.apply_load_changes`, the batch form of the one
load-update path, in the same transaction. A batch never deletes a measure it does not mention.
"""

import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, lazyload, selectinload, sessionmaker

from app.auth.exceptions import Forbidden
from app.auth.principal import Principal
from app.config import Settings, get_settings
from app.database import begin_write, build_engine, build_session_factory, utcnow
from app.designation.constants import ReservationStatut
from app.designation.models import Reservation
from app.errors import Conflict, DomainError, InvalidInput
from app.geo.gazetteer import Gazetteer, load_gazetteer, normalize_name
from app.geo.locate import GazetteerLocator, Locator
from app.geo.schemas import Residence
from app.geo.tribunals import resolve_tribunal
from app.professionals import imports
from app.professionals.schemas import (
    LOT_MAX,
    AbsencesOps,
    Avertissement,
    DisponibiliteUpdate,
    ImportOut,
    LigneRejetee,
    MesureLotItem,
    MesureReplace,
    reasons_of,
)
from app.registry import service as registry
from app.registry.constants import ACTIVE_STATUTS, MandataireType, MesureStatut, Nature
from app.registry.load import LoadShare, apply_load_changes
from app.registry.models import Absence, Mandataire, Mesure
from app.registry.schemas import MandataireUpdate, MesureUpdate
from app.registry.workload import measure_weight

Progress = Callable[[str, int, int], None]
Reason = tuple[str | None, str, str]  # (field, code, French message)

# --- availability ----------------------------------------------------------------------------------

# Regional norms (schémas régionaux): above them a declared capacity is accepted with a warning. Services are
# left out: their norm is per délégué (50-60) and the number of délégués is not known here.
CAPACITY_NORMS = {
    MandataireType.INDIVIDUEL: (55, "mandataire individuel : 40 à 55 mesures, 56 à 80 avec un secrétariat spécialisé"),
    MandataireType.PREPOSE: (60, "préposé d'établissement : 35 à 60 mesures selon l'exercice"),
}


def avertissements(mandataire: Mandataire) -> list[Avertissement]:
    warnings = []
    norm = CAPACITY_NORMS.get(MandataireType(mandataire.type))
    if norm is not None and mandataire.capacite > norm[0]:
        warnings.append(
            Avertissement(
                code="capacite_au_dessus_des_normes",
                message=f"capacité déclarée de {mandataire.capacite} mesures, au-dessus des normes régionales "
                f"({norm[1]}) : acceptée, vérifiez-la",
            )
        )
    held = mandataire.mesures_en_cours + mandataire.mesures_en_attente
    if held > mandataire.capacite:
        warnings.append(
            Avertissement(
                code="capacite_depassee",
                message=f"{held} mesures en cours ou en attente pour une capacité déclarée de {mandataire.capacite} : "
                "aucune place libre n'est proposée aux juges",
            )
        )
    return warnings


def get_own_mandataire(session: Session, *, principal: Principal) -> Mandataire:
    assert principal.mandataire_id is not None
    return registry.get_mandataire(session, principal=principal, mandataire_id=principal.mandataire_id)


def update_disponibilite(
    session: Session,
    *,
    principal: Principal,
    gazetteer: Gazetteer,
    mandataire: Mandataire,
    payload: DisponibiliteUpdate,
) -> Mandataire:
    registry.check_version(mandataire.version, payload.version)
    if payload.absences is not None:
        _apply_absences(session, mandataire, payload.absences)
    for index, antenne in enumerate(payload.antennes or []):
        site = next((s for s in mandataire.sites if s.id == antenne.id), None)
        if site is None:
            raise InvalidInput(
                f"site {antenne.id} introuvable pour ce mandataire",
                code="site_introuvable",
                loc=["body", "antennes", index, "id"],
            )
        site.capacite = antenne.capacite
    # The declaration itself is news, even when nothing changed: a professional confirms its data is true.
    mandataire.derniere_mise_a_jour = utcnow()
    fields = payload.model_dump(exclude_unset=True, include=set(registry.AVAILABILITY_FIELDS))
    registry.update_mandataire(
        session,
        principal=principal,
        gazetteer=gazetteer,
        mandataire=mandataire,
        payload=MandataireUpdate(version=payload.version, **fields),
    )
    return mandataire


def _apply_absences(session: Session, mandataire: Mandataire, ops: AbsencesOps) -> None:
    by_id = {absence.id: absence for absence in mandataire.absences}
    touched: list[tuple[Absence, list]] = []
    for index, absence_id in enumerate(ops.supprimer):
        absence = by_id.pop(absence_id, None)
        if absence is None:
            raise InvalidInput(
                f"absence {absence_id} introuvable pour ce mandataire",
                code="absence_introuvable",
                loc=["body", "absences", "supprimer", index],
            )
        mandataire.absences.remove(absence)
    for index, change in enumerate(ops.modifier):
        loc = ["body", "absences", "modifier", index]
        absence = by_id.get(change.id)
        if absence is None:
            raise InvalidInput(
                f"absence {change.id} introuvable pour ce mandataire", code="absence_introuvable", loc=[*loc, "id"]
            )
        values = change.model_dump(exclude_unset=True, exclude={"id"})
        if "remplacant" in values:
            registry.check_remplacant(session, mandataire, values["remplacant"], loc)
            absence.remplacant_id = values.pop("remplacant")
        for name, value in values.items():
            setattr(absence, name, value)
        if absence.fin < absence.debut:
            raise InvalidInput("la fin de l'absence précède son début", loc=[*loc, "fin"])
        touched.append((absence, loc))
    for index, new in enumerate(ops.ajouter):
        loc = ["body", "absences", "ajouter", index]
        registry.check_remplacant(session, mandataire, new.remplacant, loc)
        absence = Absence(
            mandataire_id=mandataire.id, debut=new.debut, fin=new.fin, motif=new.motif, remplacant_id=new.remplacant
        )
        mandataire.absences.append(absence)
        touched.append((absence, loc))
    for absence, loc in touched:
        registry.check_no_overlap(mandataire, absence, loc)


# --- one measure, replaced -------------------------------------------------------------------------


def _pending_reservation(session: Session, mesure_ids: Iterable[int]) -> set[int]:
    ids = list(mesure_ids)
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(
            session.scalars(
                select(Reservation.mesure_id).where(
                    Reservation.mesure_id.in_(ids[start : start + 500]),
                    Reservation.statut == ReservationStatut.EN_ATTENTE,
                )
            )
        )
    return found


class PendingReservation(Conflict):
    default_code = "reservation_en_attente"


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
    if _pending_reservation(session, [mesure.id]):
        raise PendingReservation(
            "mesure réservée par le juge et en attente de votre réponse : acceptez ou refusez d'abord la réservation"
        )
    tribunal = resolve_tribunal(session, gazetteer, payload.tribunal, ["body", "tribunal"])
    if (tribunal.id, payload.numero_rg) != (mesure.tribunal_id, mesure.numero_rg):
        other = session.scalar(
            select(Mesure.id).where(Mesure.tribunal_id == tribunal.id, Mesure.numero_rg == payload.numero_rg)
        )
        if other is not None:
            raise Conflict(
                f"numéro RG {payload.numero_rg} déjà enregistré pour ce tribunal",
                code="numero_rg_existant",
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


# --- bulk measures: plan -------------------------------------------------------------------------

# Columns a batch may change, compared to tell `updated` from `unchanged`.
COMPARED = (
    "site_id",
    "nature",
    "champ",
    "lieu_vie",
    "pays",
    "insee",
    "code_postal",
    "commune",
    "nis",
    "departement",
    "civilite",
    "annee_naissance",
    "date_nomination",
    "date_fin_mesure",
    "cause_sortie",
    "numero_dossier",
    "statut",
    "poids",
)
# Optional fields of the vendor shape -> column; left out on an update, the column keeps its value.
OPTIONAL_FIELDS = (
    ("champ_mesure", "champ"),
    ("civilite", "civilite"),
    ("annee_naissance", "annee_naissance"),
    ("date_nomination", "date_nomination"),
    ("date_fin_mesure", "date_fin_mesure"),
    ("cause_sortie", "cause_sortie"),
    ("numero_dossier", "numero_dossier"),
    ("antenne_id", "site_id"),
)
CHUNK = 1000
_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch runs. A batch makes tens of thousands of objects that
    live until its end; the collector would otherwise walk the whole heap (reference geography included)
    several times per batch, a third of a batch's time. Cycles made meanwhile are collected afterwards;
    overlapping batches (threads) resume collection when the last one ends."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


@dataclass(slots=True)
class Planned:
    """What a batch does with one measure."""

    position: int  # index in the batch, or line in a file
    numero_rg: str | None
    tribunal_siret: str | None
    reasons: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)
    item: MesureLotItem | None = None
    tribunal_id: int | None = None
    place: dict | None = None
    existing: Any = None  # the stored row (Core Row), if any
    values: dict | None = None  # the new state of the COMPARED columns
    outcome: str = "rejected"
    mesure_id: int | None = None


class Batch:
    """Per-call caches: tribunals and residences are resolved once per distinct value."""

    def __init__(
        self, session: Session, gazetteer: Gazetteer, locator: Locator, settings: Settings, mandataire: Mandataire
    ) -> None:
        self.session, self.gazetteer, self.locator, self.settings = session, gazetteer, locator, settings
        self.mandataire = mandataire
        self.natures = {n.nature for n in mandataire.natures}
        self.sites = {s.id for s in mandataire.sites}
        self.tribunals: dict[str, int | None] = {}
        self.places: dict[tuple, tuple[dict | None, Reason | None, Reason | None]] = {}

    def tribunal_id(self, key: str) -> int | None:
        if key not in self.tribunals:
            try:
                self.tribunals[key] = resolve_tribunal(self.session, self.gazetteer, key, []).id
            except DomainError:
                self.tribunals[key] = None
        return self.tribunals[key]

    def place(self, item: MesureLotItem) -> tuple[dict | None, Reason | None, Reason | None]:
        key = (item.pays, item.code_postal, item.ville)
        if key not in self.places:
            self.places[key] = self._resolve(item.pays, item.code_postal, item.ville)
        return self.places[key]

    def _resolve(self, pays: str | None, code: str, ville: str | None):
        warning = None
        if pays is None:
            pays = "BE" if len(code) == 4 else "FR"
            if pays == "BE" and ville and self._lost_leading_zero(code, ville):
                pays, code = "FR", "0" + code
                warning = (
                    "code_postal",
                    "zero_initial_restitue",
                    f"code postal {code[1:]} lu comme {code} ({ville}) : le tableur avait ôté le zéro initial",
                )
        residence = Residence(pays=pays, code_postal=code, commune=ville if pays == "FR" else None)
        try:
            return registry.place_of(self.locator, residence), None, warning
        except DomainError as error:
            if error.code != "commune_inconnue":
                return None, ("code_postal", error.code, error.message), None
        place = registry.place_of(self.locator, Residence(pays="FR", code_postal=code))
        warning = (
            "ville",
            "commune_inconnue",
            f"« {ville} » n'est pas une commune du code postal {code} : commune déduite du seul code postal",
        )
        return place, None, warning

    def _lost_leading_zero(self, code: str, ville: str) -> bool:
        """A French postcode of the Ain..Ardèche (01xxx-09xxx) whose zero a spreadsheet dropped?"""
        wanted = normalize_name(ville)
        french = self.gazetteer.communes_by_postcode.get("0" + code, [])
        belgian = self.gazetteer.belgian_by_postcode.get(code, [])
        return any(normalize_name(c.nom) == wanted for c in french) and not any(
            wanted in (normalize_name(m.nom_fr), normalize_name(m.nom_nl)) for m in belgian
        )


def _text(raw: Any, name: str) -> str | None:
    value = raw.get(name) if isinstance(raw, dict) else None
    return str(value)[:40] if value is not None else None


def plan_batch(
    batch: Batch,
    entries: Sequence[tuple[int, Any, list[Reason]]],
    *,
    unit: str = "position",
    progress: Progress | None = None,
) -> list[Planned]:
    """Decide, without writing, what each entry (position, raw measure, errors already found) would do."""
    plans: list[Planned] = []
    seen: dict[tuple[int, str], int] = {}
    for done, (position, raw, found) in enumerate(entries, start=1):
        if progress is not None and (done % CHUNK == 0 or done == len(entries)):
            progress("validation", done, len(entries))
        try:
            item = MesureLotItem.model_validate(raw)
        except ValidationError as error:
            plan = Planned(
                position, _text(raw, "numero_rg"), _text(raw, "tribunal_siret"), [*found, *reasons_of(error)]
            )
            plans.append(plan)
            continue
        plan = Planned(position, item.numero_rg, item.tribunal_siret, list(found), item=item)
        plans.append(plan)
        plan.tribunal_id = batch.tribunal_id(item.tribunal_siret)
        if plan.tribunal_id is None:
            plan.reasons.append(
                ("tribunal_siret", "tribunal_inconnu", f"tribunal inconnu : {item.tribunal_siret} (SIRET attendu)")
            )
        plan.place, reason, warning = batch.place(item)
        plan.reasons.extend([reason] if reason else [])
        plan.warnings.extend([warning] if warning else [])
        if plan.tribunal_id is not None:
            key = (plan.tribunal_id, item.numero_rg)
            if key in seen:
                plan.reasons.append(
                    (
                        "numero_rg",
                        "doublon",
                        f"numéro RG {item.numero_rg} déjà présent dans ce lot ({unit} {seen[key]})",
                    )
                )
            else:
                seen[key] = position
    valid = [plan for plan in plans if not plan.reasons]
    existing = _existing(batch.session, valid)
    pending = _pending_reservation(batch.session, [row.id for row in existing.values()])
    for plan in valid:
        _decide(batch, plan, existing.get((plan.tribunal_id, plan.item.numero_rg)), pending)
    return plans


def _existing(session: Session, plans: list[Planned]) -> dict[tuple[int, str], Any]:
    table = Mesure.__table__
    columns = [table.c.id, table.c.tribunal_id, table.c.numero_rg, table.c.mandataire_id, table.c.version]
    columns += [table.c[name] for name in COMPARED]
    by_tribunal: dict[int, list[str]] = {}
    for plan in plans:
        by_tribunal.setdefault(plan.tribunal_id, []).append(plan.item.numero_rg)
    found = {}
    for tribunal_id, numbers in by_tribunal.items():
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            query = select(*columns).where(table.c.tribunal_id == tribunal_id, table.c.numero_rg.in_(chunk))
            found.update({(row.tribunal_id, row.numero_rg): row for row in session.execute(query).all()})
    return found


def _decide(batch: Batch, plan: Planned, row: Any, pending: set[int]) -> None:
    item, mandataire = plan.item, batch.mandataire
    if row is not None and row.mandataire_id != mandataire.id:
        plan.reasons.append(
            (
                "numero_rg",
                "numero_rg_existant",
                f"numéro RG {item.numero_rg} déjà enregistré pour ce tribunal chez un autre mandataire",
            )
        )
        return
    if row is not None and row.id in pending:
        plan.reasons.append(
            (
                "numero_rg",
                "reservation_en_attente",
                f"mesure {row.id} réservée par le juge et en attente de votre réponse : "
                "acceptez ou refusez d'abord la réservation",
            )
        )
        return
    sent = item.model_fields_set
    before = dict(row._mapping) if row is not None else dict.fromkeys(COMPARED)
    state = {name: before[name] for name in COMPARED}
    state.update(plan.place, nature=item.nature_mesure.value, lieu_vie=item.lieu_vie.value)
    for attribute, column in OPTIONAL_FIELDS:
        if attribute in sent:
            value = getattr(item, attribute)
            state[column] = value.value if hasattr(value, "value") else value
    if item.statut is not None:
        statut = item.statut
    elif "cause_sortie" in sent:
        statut = MesureStatut.ETEINTE if item.cause_sortie else MesureStatut.EN_COURS
    else:
        statut = before["statut"] or MesureStatut.EN_COURS
    if statut in ACTIVE_STATUTS and state["cause_sortie"] is not None:
        if item.cause_sortie is not None:
            plan.reasons.append(("cause_sortie", "valeur_invalide", "une mesure en cours n'a pas de cause de sortie"))
            return
        # A reopened measure is no longer closed: its exit cause and end date go unless restated.
        state["cause_sortie"] = None
        if "date_fin_mesure" not in sent:
            state["date_fin_mesure"] = None
    if statut == MesureStatut.ETEINTE and state["cause_sortie"] is None:
        plan.reasons.append(("cause_sortie", "champ_obligatoire", "obligatoire pour une mesure éteinte"))
        return
    state["statut"] = MesureStatut(statut).value
    if state["date_nomination"] and state["date_fin_mesure"] and state["date_fin_mesure"] < state["date_nomination"]:
        plan.reasons.append(("date_fin_mesure", "valeur_invalide", "la fin de la mesure précède la nomination"))
        return
    covered = state["nature"] in batch.natures and (state["nature"] != Nature.MJAGBF or mandataire.dpf)
    if state["nature"] != before["nature"] and not covered:
        plan.reasons.append(
            (
                "nature_mesure",
                "nature_non_couverte",
                f"le titre du mandataire {mandataire.id} ne couvre pas la nature {state['nature']}",
            )
        )
        return
    if state["site_id"] is not None and state["site_id"] not in batch.sites:
        plan.reasons.append(("antenne_id", "site_inconnu", f"site {state['site_id']} inconnu pour ce mandataire"))
        return
    state["poids"] = measure_weight(
        state["nature"],
        state["lieu_vie"],
        state["pays"],
        weights=batch.settings.workload_weights,
        belgian_factor=batch.settings.belgian_workload_factor,
    )
    plan.existing, plan.values = row, state
    if row is None:
        plan.outcome = "created"
    else:
        plan.mesure_id = row.id
        plan.outcome = "unchanged" if all(state[name] == before[name] for name in COMPARED) else "updated"


# --- bulk measures: apply ------------------------------------------------------------------------


def _share(mandataire_id: int, state) -> LoadShare | None:
    if state["statut"] not in ACTIVE_STATUTS:
        return None
    return LoadShare(mandataire_id, state["site_id"], MesureStatut(state["statut"]), state["poids"])


def apply_plan(session: Session, *, mandataire: Mandataire, plans: list[Planned], progress: Progress | None = None):
    """Write what `plan_batch` decided (rejected entries are skipped) and move the load counters."""
    table = Mesure.__table__
    now = utcnow()
    creates = [plan for plan in plans if plan.outcome == "created"]
    updates = [plan for plan in plans if plan.outcome == "updated"]
    changes: list[tuple[LoadShare | None, LoadShare | None]] = []
    total, done = len(creates) + len(updates), 0
    for start in range(0, len(creates), CHUNK):
        chunk = creates[start : start + CHUNK]
        rows = [
            {
                **plan.values,
                "mandataire_id": mandataire.id,
                "tribunal_id": plan.tribunal_id,
                "numero_rg": plan.item.numero_rg,
                "etablissement_id": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for plan in chunk
        ]
        result = session.execute(insert(table).returning(table.c.id, table.c.tribunal_id, table.c.numero_rg), rows)
        ids = {(row.tribunal_id, row.numero_rg): row.id for row in result}
        for plan in chunk:
            plan.mesure_id = ids[(plan.tribunal_id, plan.item.numero_rg)]
            changes.append((None, _share(mandataire.id, plan.values)))
        done += len(chunk)
        if progress is not None:
            progress("écriture", done, total)
    if updates:
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(
                version=table.c.version + 1,
                updated_at=bindparam("b_now", type_=table.c.updated_at.type),
                **{name: bindparam(f"v_{name}", type_=table.c[name].type) for name in COMPARED},
            )
        )
        params = [
            {"b_id": plan.mesure_id, "b_version": plan.existing.version, "b_now": now}
            | {f"v_{name}": plan.values[name] for name in COMPARED}
            for plan in updates
        ]
        result = session.execute(statement, params)
        if session.get_bind().dialect.supports_sane_multi_rowcount and result.rowcount != len(params):
            raise Conflict(
                "une autre requête a modifié ces mesures au même moment : renvoyez le lot", code="conflit_concurrent"
            )
        changes += [
            (_share(mandataire.id, plan.existing._mapping), _share(mandataire.id, plan.values)) for plan in updates
        ]
        if progress is not None:
            progress("écriture", total, total)
    apply_load_changes(session, changes)


# --- bulk measures: the two entry points ---------------------------------------------------------


def writable_mandataire(session: Session, *, principal: Principal, mandataire_id: int | None) -> Mandataire:
    mandataire_id = mandataire_id if mandataire_id is not None else principal.mandataire_id
    if mandataire_id is None:
        raise InvalidInput(
            "mandataire : obligatoire pour un administrateur", code="champ_obligatoire", loc=["query", "mandataire"]
        )
    if not principal.can_write_mesure(mandataire_id):
        raise Forbidden("vous ne pouvez déclarer des mesures que pour vous-même")
    mandataire = session.scalar(_mandataire_for_batches(mandataire_id))
    if mandataire is None:
        raise InvalidInput(
            f"mandataire inconnu : {mandataire_id}", code="mandataire_inconnu", loc=["query", "mandataire"]
        )
    return mandataire


def _mandataire_for_batches(mandataire_id: int):
    """The professional with what a batch reads (title, sites), not its whole profile."""
    return (
        select(Mandataire)
        .where(Mandataire.id == mandataire_id)
        .options(lazyload("*"), selectinload(Mandataire.natures), selectinload(Mandataire.sites))
    )


def _motifs(reasons: list[Reason]) -> list[dict]:
    return [{"code": code, "champ": name, "message": message} for name, code, message in reasons]


def upsert_lot(batch: Batch, *, mesures: list, strict: bool, dry_run: bool = False) -> dict:
    """POST /mesures/lot. With `strict`, one rejected measure leaves the whole batch unwritten; with `dry_run`
    nothing is written and the report says what the batch would do. Returns the report as plain data in the
    shape of `LotOut` (a thousand results: built and serialised once, not validated again)."""
    if not mesures:
        raise InvalidInput("lot vide : envoyez au moins une mesure", code="lot_vide", loc=["body", "mesures"])
    if len(mesures) > LOT_MAX:
        raise InvalidInput(
            f"{len(mesures)} mesures : au plus {LOT_MAX} par appel, découpez le lot",
            code="lot_trop_grand",
            loc=["body", "mesures"],
        )
    with gc_paused():
        plans = plan_batch(batch, [(index, raw, []) for index, raw in enumerate(mesures)])
        rejected = sum(1 for plan in plans if plan.reasons)
        applied = not (strict and rejected) and not dry_run
        if applied:
            apply_plan(batch.session, mandataire=batch.mandataire, plans=[p for p in plans if not p.reasons])
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": rejected}
    results = []
    for plan in plans:
        outcome = "rejected" if plan.reasons else plan.outcome
        if outcome != "rejected":
            counts[outcome] += 1
        results.append(
            {
                "index": plan.position,
                "numero_rg": plan.numero_rg,
                "tribunal_siret": plan.tribunal_siret,
                "resultat": outcome,
                "id": None if plan.reasons else plan.mesure_id,
                "motifs": _motifs(plan.reasons),
                "avertissements": _motifs(plan.warnings),
            }
        )
    return {
        "strict": strict,
        "dry_run": dry_run,
        "applique": applied,
        "total": len(plans),
        **counts,
        "resultats": results,
    }


def import_sheet(
    batch: Batch,
    *,
    filename: str,
    content: bytes,
    content_type: str | None,
    dry_run: bool,
    progress: Progress | None = None,
) -> ImportOut:
    """POST /mesures/import and `import_mesures`: all or nothing; the report names every rejected line."""
    sheet = imports.read_sheet(filename, content, content_type)
    if progress is not None:
        progress("lecture", len(sheet.rows), len(sheet.rows))
    report = ImportOut(
        fichier=filename,
        format=sheet.format,
        encodage=sheet.encodage,
        dry_run=dry_run,
        applique=False,
        lignes=len(sheet.rows),
        created=0,
        updated=0,
        unchanged=0,
        rejected=0,
        erreurs=[],
        avertissements=[],
    )
    if sheet.ignored:
        report.avertissements.append(
            LigneRejetee(
                ligne=1,
                colonne=None,
                code="colonnes_ignorees",
                message=f"colonnes hors du modèle, ignorées : {', '.join(sheet.ignored)}",
            )
        )
    if sheet.missing or not sheet.rows:
        report.erreurs = [
            LigneRejetee(
                ligne=1,
                colonne=column,
                code="colonne_manquante",
                message=f"colonne « {column} » manquante (colonnes du modèle : {', '.join(imports.TEMPLATE_COLUMNS)})",
            )
            for column in sheet.missing
        ] or [LigneRejetee(ligne=2, colonne=None, code="fichier_vide", message="aucune mesure dans le fichier")]
        return report
    sites = {normalize_name(site.nom): site.id for site in batch.mandataire.sites}
    sites.update({str(site.id): site.id for site in batch.mandataire.sites})
    with gc_paused():
        entries = [(line, *imports.row_to_item(values, sites)) for line, values in sheet.rows]
        plans = plan_batch(batch, entries, unit="ligne", progress=progress)

    def lines(plan: Planned, reasons: list[Reason]) -> list[LigneRejetee]:
        return [
            LigneRejetee(
                ligne=plan.position,
                colonne=imports.FIELD_COLUMNS.get(name, name) if name else None,
                code=code,
                message=message,
            )
            for name, code, message in reasons
        ]

    for plan in plans:
        if plan.reasons:
            report.rejected += 1
            report.erreurs += lines(plan, plan.reasons)
        else:
            setattr(report, plan.outcome, getattr(report, plan.outcome) + 1)
        report.avertissements += lines(plan, plan.warnings)
    if not report.rejected and not dry_run:
        with gc_paused():
            apply_plan(batch.session, mandataire=batch.mandataire, plans=plans, progress=progress)
        report.applique = True
    return report


def import_mesures(
    path: str | Path,
    mandataire_id: int,
    dry_run: bool = False,
    *,
    progress: Progress | None = None,
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> ImportOut:
    """The import for the command line (`mjpm import mesures FILE --mandataire ID [--dry-run]`): the same rules as
    POST /mesures/import, without the size limit. `progress(stage, done, total)` is called with the stages
    "lecture", "validation" and "écriture". Returns the report (`applique` tells whether anything was written);
    an unreadable file or an unknown professional raises a DomainError."""
    settings = settings or get_settings()
    path = Path(path)
    gazetteer = load_gazetteer()
    engine = None
    if session_factory is None:
        engine = build_engine(settings.database_url)
        session_factory = build_session_factory(engine)
    try:
        with session_factory() as session:
            begin_write(session)
            mandataire = session.scalar(_mandataire_for_batches(mandataire_id))
            if mandataire is None:
                raise InvalidInput(
                    f"mandataire inconnu : {mandataire_id}", code="mandataire_inconnu", loc=["mandataire"]
                )
            batch = Batch(session, gazetteer, GazetteerLocator(gazetteer), settings, mandataire)
            report = import_sheet(
                batch,
                filename=path.name,
                content=path.read_bytes(),
                content_type=None,
                dry_run=dry_run,
                progress=progress,
            )
            if report.applique:
                session.commit()
            return report
    finally:
        if engine is not None:
            engine.dispose()
