"""Bulk measures, planned then applied: the engine of POST /mesures/lot (`lot.py`) and of spreadsheet imports
(`imports.py`). Like the registry's, functions take keyword-only arguments and leave the commit to the caller.

A batch is planned first (validation, tribunal, residence, ownership, pending reservations, changed or not),
then applied: new rows in multi-row INSERTs, changed rows in one UPDATE per row guarded by its version
(executemany), and the load counters through `app.registry.load.apply_load_changes`, the batch form of the one
load-update path, in the same transaction. A batch never deletes a measure it does not mention.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.orm import Session

from app.auth.exceptions import Forbidden
from app.auth.principal import Principal
from app.config import Settings
from app.database import rowcount, table_of, utcnow
from app.errors import ConcurrentWrite, DomainError, InvalidInput, MissingField
from app.geo.exceptions import UnknownCommune, UnknownTribunal
from app.geo.gazetteer import Gazetteer, normalize_name
from app.geo.locate import Locator
from app.geo.models import Tribunal
from app.geo.schemas import Residence
from app.geo.tribunals import resolve_tribunal
from app.professionals.exceptions import PendingReservation
from app.professionals.repository import (
    ETAT_COLUMNS,
    RESSOURCE_COLUMNS,
    mandataire_for_batches,
    pending_reservations,
    stored_histories,
    stored_measures,
)
from app.professionals.schemas import MesureLotItem, reasons_of
from app.registry import rg
from app.registry import service as registry
from app.registry.constants import ACTIVE_STATUTS, PLACE_COLUMNS, MesureStatut
from app.registry.exceptions import MesureKeptBySoftware, NumeroRgTaken, UnknownMandataire, UnknownSite
from app.registry.load import LoadShare, apply_load_changes
from app.registry.models import Mandataire, Mesure, MesureEtat, MesureRessource
from app.registry.statistics import Change, YearlyShare, apply_yearly_changes
from app.registry.workload import measure_weight

Progress = Callable[[str, int, int], None]
Reason = tuple[str | None, str, str]  # (field, code, French message)

# Columns a batch may change, compared to tell `updated` from `unchanged`.
COMPARED = (
    "site_id",
    "nature",
    "champ",
    "lieu_vie",
    *PLACE_COLUMNS,
    "civilite",
    "annee_naissance",
    "date_nomination",
    "date_fin_mesure",
    "cause_sortie",
    "numero_dossier",
    "statut",
    "poids",
    "date_premier_mesure",
    "date_protection_en_cours",
    "resultat_revision",
    "cabinet",
    "type_etablissement",
    "editor_id",
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
    ("date_premier_mesure", "date_premier_mesure"),
    ("date_protection_en_cours", "date_protection_en_cours"),
    ("resultat_revision", "resultat_revision"),
    ("cabinet", "cabinet"),
    ("type_etablissement", "type_etablissement"),
)
CHUNK = 1000


@dataclass(slots=True)
class Write:
    """What an accepted measure writes, as `_decide` found it."""

    tribunal_id: int
    numero_rg: str
    values: dict[str, Any]  # the new state of the COMPARED columns
    existing: Any  # the stored row (Core Row), if any
    etats: list[tuple] | None  # the new history (repository.ETAT_COLUMNS), when sent
    ressources: list[tuple] | None  # the new resources (repository.RESSOURCE_COLUMNS), when sent


@dataclass(slots=True)
class Planned:
    """What a batch does with one measure."""

    position: int  # index in the batch, or line in a file
    numero_rg: str | None
    tribunal_siret: str | None
    reasons: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)
    write: Write | None = None  # set when the measure is accepted (created, updated or unchanged)
    outcome: str = "rejected"
    mesure_id: int | None = None


@dataclass(slots=True)
class _Valid:
    """An entry that passed validation, tribunal and residence: what `_decide` needs of it."""

    plan: Planned
    item: MesureLotItem
    tribunal_id: int
    place: dict[str, Any]


class Batch:
    """Per-call caches: tribunals and residences are resolved once per distinct value.

    `editor_id`: the vendor whose software sends the batch (its measures are then edited in that software only);
    `by_hand`: a person sends it (a spreadsheet), who may not change a measure a vendor's software keeps;
    `strict_numero_rg`: RG numbers must be sent as exactly 8 uppercase letters or digits (e-MJPM's flag)."""

    def __init__(
        self,
        session: Session,
        gazetteer: Gazetteer,
        locator: Locator,
        settings: Settings,
        mandataire: Mandataire,
        *,
        editor_id: int | None = None,
        by_hand: bool = False,
        strict_numero_rg: bool = False,
    ) -> None:
        self.session, self.gazetteer, self.locator, self.settings = session, gazetteer, locator, settings
        self.mandataire = mandataire
        self.editor_id, self.by_hand, self.strict_numero_rg = editor_id, by_hand, strict_numero_rg
        self.natures = {n.nature for n in mandataire.natures}
        self.sites = {s.id for s in mandataire.sites}
        # The rows themselves, held for the batch: the session's identity map keeps them, so the load counters
        # read their départements without a query (`app.registry.load`).
        self.tribunals: dict[str, Tribunal | None] = {}
        self.places: dict[tuple, tuple[dict | None, Reason | None, Reason | None]] = {}

    def tribunal_id(self, key: str) -> int | None:
        if key not in self.tribunals:
            try:
                self.tribunals[key] = resolve_tribunal(self.session, self.gazetteer, key, [])
            except DomainError:
                self.tribunals[key] = None
        tribunal = self.tribunals[key]
        return tribunal.id if tribunal is not None else None

    def place(self, item: MesureLotItem) -> tuple[dict | None, Reason | None, Reason | None]:
        key = (item.pays, item.code_postal, item.ville)
        if key not in self.places:
            self.places[key] = self._resolve(item.pays, item.code_postal, item.ville)
        return self.places[key]

    def _resolve(self, pays: str | None, code: str | None, ville: str | None):
        if pays not in (None, "FR", "BE") or code is None:
            # Another country, or no postcode (a person without a home, say), as e-MJPM accepts: kept as sent, not
            # located (no commune code, no département).
            short = code if code is not None and len(code) <= 5 else None
            place = {"pays": pays or "FR", "insee": None, "code_postal": short, "commune": ville, "nis": None}
            warning = None
            if code is None:
                message = "sans code postal, la résidence n'est pas localisée (ni commune ni département)"
                warning = ("code_postal", "residence_non_localisee", message)
            return place | {"departement": None}, None, warning
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
            if not isinstance(error, UnknownCommune):
                return None, ("code_postal", error.code, error.message), None
        place = registry.place_of(self.locator, Residence(pays="FR", code_postal=code))
        warning = (
            "ville",
            UnknownCommune.default_code,
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
    entries: Sequence[tuple[int, Any, Sequence[Reason]]],
    *,
    unit: str = "position",
    progress: Progress | None = None,
) -> list[Planned]:
    """Decide, without writing, what each entry (position, raw measure, errors already found) would do."""
    plans: list[Planned] = []
    valid: list[_Valid] = []
    seen: dict[tuple[int, str], int] = {}
    for done, (position, raw, found) in enumerate(entries, start=1):
        if progress is not None and (done % CHUNK == 0 or done == len(entries)):
            progress("validation", done, len(entries))
        if batch.strict_numero_rg:
            found = [*found, *_strict_numero_rg(raw)]
        try:
            item = MesureLotItem.model_validate(raw)
        except ValidationError as error:
            plan = Planned(
                position, _text(raw, "numero_rg"), _text(raw, "tribunal_siret"), [*found, *reasons_of(error)]
            )
            plans.append(plan)
            continue
        plan = Planned(position, item.numero_rg, item.tribunal_siret, list(found))
        plans.append(plan)
        tribunal_id = batch.tribunal_id(item.tribunal_siret)
        if tribunal_id is None:
            plan.reasons.append(
                (
                    "tribunal_siret",
                    UnknownTribunal.default_code,
                    f"tribunal inconnu : {item.tribunal_siret} (SIRET attendu)",
                )
            )
        place, reason, warning = batch.place(item)
        plan.reasons.extend([reason] if reason else [])
        plan.warnings.extend([warning] if warning else [])
        if tribunal_id is not None:
            key = (tribunal_id, item.numero_rg)
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
        # A place is missing only with a reason, and a tribunal too: the last two tests narrow the types.
        if not plan.reasons and tribunal_id is not None and place is not None:
            valid.append(_Valid(plan, item, tribunal_id, place))
    keys = [(entry.tribunal_id, entry.item.numero_rg) for entry in valid]
    existing = stored_measures(batch.session, keys, COMPARED)
    pending = pending_reservations(batch.session, [row.id for row in existing.values()])
    with_history = [
        existing[key].id
        for key, entry in zip(keys, valid, strict=True)
        if key in existing and _sends_history(entry.item)
    ]
    histories = stored_histories(batch.session, with_history)
    for key, entry in zip(keys, valid, strict=True):
        row = existing.get(key)
        _decide(batch, entry, row, pending, histories.get(row.id) if row is not None else None)
    return plans


def _strict_numero_rg(raw: Any) -> list[Reason]:
    numero = raw.get("numero_rg") if isinstance(raw, dict) else None
    if not isinstance(numero, str) or rg.is_strict(numero):
        return []
    message = f"numéro RG « {numero[:40]} » : exactement 8 lettres majuscules ou chiffres attendus (strictNumeroRG)"
    return [("numero_rg", "numero_rg_non_strict", message)]


def _sends_history(item: MesureLotItem) -> bool:
    return item.etats is not None or item.ressources is not None


def _history(item: MesureLotItem) -> tuple[list[tuple] | None, list[tuple] | None]:
    """The states (oldest first, as e-MJPM answers them) and resources a measure sent, as stored tuples."""
    etats = None
    if item.etats is not None:
        ordered = sorted(item.etats, key=lambda e: e.date_changement_etat or date.min)
        etats = [
            (
                e.date_changement_etat,
                e.nature_mesure.value,
                e.champ_mesure.value if e.champ_mesure else None,
                e.lieu_vie.value,
                e.code_postal,
                e.ville,
                e.pays,
                e.type_etablissement.value if e.type_etablissement else None,
                e.etablissement_siret,
            )
            for e in ordered
        ]
    ressources = None
    if item.ressources is not None:
        ressources = [(r.annee, r.niveau_ressource, tuple(r.prestations_sociales)) for r in item.ressources]
    return etats, ressources


def _decide(batch: Batch, entry: _Valid, row: Any, pending: set[int], history: tuple | None) -> None:
    plan, item, mandataire = entry.plan, entry.item, batch.mandataire
    if row is not None and row.mandataire_id != mandataire.id:
        plan.reasons.append(
            (
                "numero_rg",
                NumeroRgTaken.default_code,
                f"numéro RG {item.numero_rg} déjà enregistré pour ce tribunal chez un autre mandataire",
            )
        )
        return
    if row is not None and batch.by_hand and row.editor_id is not None:
        plan.reasons.append(
            (
                "numero_rg",
                MesureKeptBySoftware.default_code,
                f"mesure {row.id} tenue par un logiciel métier (éditeur {row.editor_id}) : "
                "modifiez-la dans ce logiciel",
            )
        )
        return
    if row is not None and row.id in pending:
        plan.reasons.append(
            (
                "numero_rg",
                PendingReservation.default_code,
                f"mesure {row.id} réservée par le juge et en attente de votre réponse : "
                "acceptez ou refusez d'abord la réservation",
            )
        )
        return
    sent = item.model_fields_set
    before = dict(row._mapping) if row is not None else dict.fromkeys(COMPARED)
    state: dict[str, Any] = {name: before[name] for name in COMPARED}
    state.update(entry.place, nature=item.nature_mesure.value, lieu_vie=item.lieu_vie.value)
    for attribute, column in OPTIONAL_FIELDS:
        if attribute in sent:
            value = getattr(item, attribute)
            state[column] = value.value if hasattr(value, "value") else value
    statut: MesureStatut
    if item.statut is not None:
        statut = MesureStatut(item.statut)
    elif "cause_sortie" in sent:
        statut = MesureStatut.ETEINTE if item.cause_sortie else MesureStatut.EN_COURS
    else:
        statut = MesureStatut(before["statut"] or MesureStatut.EN_COURS)
    # e-MJPM's vendor API derives the status from the end date: a measure whose end date has come is closed, with or
    # without its cause, and one closed that way without a cause opens again when its end date goes.
    ended_by_date = False
    if batch.editor_id is not None and item.statut is None:
        end = state["date_fin_mesure"]
        ended_by_date = end is not None and end <= utcnow().date()
        if ended_by_date and statut == MesureStatut.EN_COURS:
            statut = MesureStatut.ETEINTE
        elif not ended_by_date and statut == MesureStatut.ETEINTE and state["cause_sortie"] is None:
            statut = MesureStatut.EN_COURS
    if statut in ACTIVE_STATUTS and state["cause_sortie"] is not None:
        if item.cause_sortie is not None:
            plan.reasons.append(
                ("cause_sortie", InvalidInput.default_code, "une mesure en cours n'a pas de cause de sortie")
            )
            return
        # A reopened measure is no longer closed: its exit cause and end date go unless restated.
        state["cause_sortie"] = None
        if "date_fin_mesure" not in sent:
            state["date_fin_mesure"] = None
    if statut == MesureStatut.ETEINTE and state["cause_sortie"] is None and not ended_by_date:
        plan.reasons.append(("cause_sortie", MissingField.default_code, "obligatoire pour une mesure éteinte"))
        return
    state["statut"] = statut.value
    if batch.editor_id is not None:
        state["editor_id"] = batch.editor_id
    # e-MJPM accepts both of these: the measure is kept, with a warning.
    if state["date_nomination"] and state["date_fin_mesure"] and state["date_fin_mesure"] < state["date_nomination"]:
        plan.warnings.append(("date_fin_mesure", "fin_avant_nomination", "la fin de la mesure précède la nomination"))
    refusal = registry.title_refusal(mandataire.id, mandataire.dpf, batch.natures, state["nature"])
    if state["nature"] != before["nature"] and refusal is not None:
        error, message = refusal
        plan.warnings.append(("nature_mesure", error.default_code, message))
    if state["site_id"] is not None and state["site_id"] not in batch.sites:
        plan.reasons.append(
            ("antenne_id", UnknownSite.default_code, f"site {state['site_id']} inconnu pour ce mandataire")
        )
        return
    state["poids"] = measure_weight(
        state["nature"],
        state["lieu_vie"],
        state["pays"],
        weights=batch.settings.workload_weights,
        belgian_factor=batch.settings.belgian_workload_factor,
    )
    etats, ressources = _history(item)
    plan.write = Write(entry.tribunal_id, item.numero_rg, state, row, etats, ressources)
    if row is None:
        plan.outcome = "created"
        return
    plan.mesure_id = row.id
    same = all(state[name] == before[name] for name in COMPARED)
    stored_etats, stored_ressources = history or (None, None)
    same = same and (etats is None or etats == stored_etats)
    same = same and (ressources is None or ressources == stored_ressources)
    plan.outcome = "unchanged" if same else "updated"


# --- apply ----------------------------------------------------------------------------------------


def _share(mandataire_id: int, tribunal_id: int, state, created_at: datetime) -> LoadShare:
    return LoadShare.of_values(
        mandataire_id,
        tribunal_id,
        state["site_id"],
        state["statut"],
        state["nature"],
        state["poids"],
        date_nomination=state["date_nomination"],
        created_at=created_at,
    )


def apply_plan(
    session: Session,
    *,
    mandataire: Mandataire,
    plans: list[Planned],
    progress: Progress | None = None,
    moves: Iterable[tuple[LoadShare | None, LoadShare | None]] = (),
    yearly_moves: Iterable[Change] = (),
):
    """Write what `plan_batch` decided (rejected entries are skipped) and move the load counters, with `moves`
    (changes the caller made to stored measures before planning, whose counters move last with the batch's), then
    the yearly counters, with `yearly_moves` likewise."""
    table = table_of(Mesure)
    now = utcnow()
    creates = [(plan, plan.write) for plan in plans if plan.outcome == "created" and plan.write is not None]
    updates = [(plan, plan.write) for plan in plans if plan.outcome == "updated" and plan.write is not None]
    changes: list[tuple[LoadShare | None, LoadShare | None]] = list(moves)
    yearly: list[Change] = list(yearly_moves)
    total, done = len(creates) + len(updates), 0
    for start in range(0, len(creates), CHUNK):
        chunk = creates[start : start + CHUNK]
        rows = [
            {
                **write.values,
                "mandataire_id": mandataire.id,
                "tribunal_id": write.tribunal_id,
                "numero_rg": write.numero_rg,
                "etablissement_id": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for _, write in chunk
        ]
        # A plain executemany, then the new ids read back by their keys: on PostgreSQL an INSERT ... RETURNING of
        # many rows (one multi-row statement) took several times as long as both (bulk benchmark).
        session.execute(insert(table), rows)
        stored = stored_measures(session, [(write.tribunal_id, write.numero_rg) for _, write in chunk], ())
        for plan, write in chunk:
            plan.mesure_id = stored[(write.tribunal_id, write.numero_rg)].id
            changes.append((None, _share(mandataire.id, write.tribunal_id, write.values, now)))
            yearly.append((None, YearlyShare.of_values(write.tribunal_id, mandataire.id, write.values)))
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
            {"b_id": plan.mesure_id, "b_version": write.existing.version, "b_now": now}
            | {f"v_{name}": write.values[name] for name in COMPARED}
            for plan, write in updates
        ]
        result = session.execute(statement, params)
        if session.get_bind().dialect.supports_sane_multi_rowcount and rowcount(result) != len(params):
            raise ConcurrentWrite("une autre requête a modifié ces mesures au même moment : renvoyez le lot")
        changes += [
            (
                _share(mandataire.id, write.tribunal_id, write.existing._mapping, write.existing.created_at),
                _share(mandataire.id, write.tribunal_id, write.values, write.existing.created_at),
            )
            for _, write in updates
        ]
        yearly += [
            (
                YearlyShare.of_values(write.tribunal_id, mandataire.id, write.existing._mapping),
                YearlyShare.of_values(write.tribunal_id, mandataire.id, write.values),
            )
            for _, write in updates
        ]
        if progress is not None:
            progress("écriture", total, total)
    _write_histories(session, creates + updates)
    apply_load_changes(session, changes)
    apply_yearly_changes(session, yearly)


def _write_histories(session: Session, writes: list[tuple[Planned, Write]]) -> None:
    """Replace the states and resources of the measures that sent them."""
    etats, ressources = table_of(MesureEtat), table_of(MesureRessource)
    for table, attribute, columns in (
        (etats, "etats", ETAT_COLUMNS),
        (ressources, "ressources", RESSOURCE_COLUMNS),
    ):
        sent = [(plan, write) for plan, write in writes if getattr(write, attribute) is not None]
        replaced = [plan.mesure_id for plan, write in sent if write.existing is not None]
        for start in range(0, len(replaced), CHUNK):
            session.execute(delete(table).where(table.c.mesure_id.in_(replaced[start : start + CHUNK])))
        rows = [
            {"mesure_id": plan.mesure_id, **dict(zip(columns, values, strict=True))}
            for plan, write in sent
            for values in getattr(write, attribute)
        ]
        if table is ressources:
            rows = [row | {"prestations_sociales": list(row["prestations_sociales"])} for row in rows]
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(table), rows[start : start + CHUNK])


def writable_mandataire(session: Session, *, principal: Principal, mandataire_id: int | None) -> Mandataire:
    """The professional whose measures a batch writes: the caller's own, or the one an admin names."""
    mandataire_id = mandataire_id if mandataire_id is not None else principal.mandataire_id
    if mandataire_id is None:
        raise MissingField("mandataire : obligatoire pour un administrateur", loc=["query", "mandataire"])
    if not principal.can_write_mesure(mandataire_id):
        raise Forbidden("vous ne pouvez déclarer des mesures que pour vous-même")
    mandataire = mandataire_for_batches(session, mandataire_id)
    if mandataire is None:
        raise UnknownMandataire(f"mandataire inconnu : {mandataire_id}", loc=["query", "mandataire"])
    return mandataire
