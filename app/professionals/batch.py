"""Bulk measures, planned then applied: the engine of POST /mesures/lot (`lot.py`) and of spreadsheet imports
(`imports.py`). Like the registry's, functions take keyword-only arguments and leave the commit to the caller.

A batch is planned first (validation, tribunal, residence, ownership, pending reservations, changed or not),
then applied: new rows in multi-row INSERTs, changed rows in one UPDATE per row guarded by its version
(executemany), and the load counters through `app.registry.load.apply_load_changes`, the batch form of the one
load-update path, in the same transaction. A batch never deletes a measure it does not mention.
"""

import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from app.auth.exceptions import Forbidden
from app.auth.principal import Principal
from app.config import Settings
from app.database import utcnow
from app.errors import Conflict, DomainError, InvalidInput
from app.geo.gazetteer import Gazetteer, normalize_name
from app.geo.locate import Locator
from app.geo.schemas import Residence
from app.geo.tribunals import resolve_tribunal
from app.professionals.repository import mandataire_for_batches, pending_reservations, stored_measures
from app.professionals.schemas import MesureLotItem, reasons_of
from app.registry import service as registry
from app.registry.constants import ACTIVE_STATUTS, MesureStatut, Nature
from app.registry.load import LoadShare, apply_load_changes
from app.registry.models import Mandataire, Mesure
from app.registry.workload import measure_weight

Progress = Callable[[str, int, int], None]
Reason = tuple[str | None, str, str]  # (field, code, French message)

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


class CollectorPause:
    """Pauses the cyclic garbage collector while batches run. A batch makes tens of thousands of objects that
    live until its end; the collector would otherwise walk the whole heap (reference geography included)
    several times per batch, a third of a batch's time. Cycles made meanwhile are collected afterwards.

    The collector is one per process, and so is its pause (`gc_paused`): overlapping batches (threads) share it,
    and collection resumes when the last one ends, as it was before the first began."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


gc_paused = CollectorPause()


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
    existing = stored_measures(batch.session, [(plan.tribunal_id, plan.item.numero_rg) for plan in valid], COMPARED)
    pending = pending_reservations(batch.session, [row.id for row in existing.values()])
    for plan in valid:
        _decide(batch, plan, existing.get((plan.tribunal_id, plan.item.numero_rg)), pending)
    return plans


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


# --- apply ----------------------------------------------------------------------------------------


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


def writable_mandataire(session: Session, *, principal: Principal, mandataire_id: int | None) -> Mandataire:
    """The professional whose measures a batch writes: the caller's own, or the one an admin names."""
    mandataire_id = mandataire_id if mandataire_id is not None else principal.mandataire_id
    if mandataire_id is None:
        raise InvalidInput(
            "mandataire : obligatoire pour un administrateur", code="champ_obligatoire", loc=["query", "mandataire"]
        )
    if not principal.can_write_mesure(mandataire_id):
        raise Forbidden("vous ne pouvez déclarer des mesures que pour vous-même")
    mandataire = mandataire_for_batches(session, mandataire_id)
    if mandataire is None:
        raise InvalidInput(
            f"mandataire inconnu : {mandataire_id}", code="mandataire_inconnu", loc=["query", "mandataire"]
        )
    return mandataire
