"""The vendor API's work: e-MJPM's checks first (`rules`), in e-MJPM's order (tribunal, antenne, rules,
`strictNumeroRG`), then the professionals' batch engine, the one `POST /mesures/lot` uses: the same RG
numbers, residences, load counters and upsert on (tribunal, numero_rg). A request is all or nothing (one
transaction: any refused measure leaves the whole request unwritten, as e-MJPM). The commit is the caller's.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.collector import gc_paused
from app.config import Settings
from app.editors import rules
from app.editors.constants import BATCH_MAX
from app.editors.dependencies import Caller
from app.editors.exceptions import EditorRefusal, refusal
from app.editors.presenters import mesure_out
from app.geo.gazetteer import Gazetteer
from app.geo.locate import Locator
from app.geo.models import Tribunal
from app.professionals.batch import Batch, apply_plan, plan_batch
from app.professionals.repository import mandataire_for_batches, pending_reservations, stored_histories
from app.registry import rg
from app.registry.load import LoadShare, apply_load_changes
from app.registry.models import Mandataire, Mesure
from app.registry.service import keep_by_editor
from app.registry.statistics import Change, YearlyShare, apply_yearly_changes

STRICT_RG = "Numero RG must contain exactly 8 uppercase alphanumeric characters."
NO_ETAT = "au moins un état est requis : la nature et le lieu de vie de la mesure sont ceux de son dernier état"


class Context:
    """What every vendor request uses: the session, reference data, settings, and the professional called for."""

    def __init__(
        self, session: Session, gazetteer: Gazetteer, locator: Locator, settings: Settings, caller: Caller
    ) -> None:
        self.session, self.gazetteer, self.locator, self.settings, self.caller = (
            session,
            gazetteer,
            locator,
            settings,
            caller,
        )
        mandataire = mandataire_for_batches(session, caller.mandataire_id)
        if mandataire is None:
            raise EditorRefusal([refusal("mandataire not found")])
        self.mandataire: Mandataire = mandataire
        # Measures moved to another tribunal (`_move`): their counters per département move with the batch's.
        self.moves: list[tuple[LoadShare | None, LoadShare | None]] = []
        self.yearly_moves: list[Change] = []

    def present(self, mesures: list[Mesure]) -> list[dict[str, Any]]:
        histories = stored_histories(self.session, [mesure.id for mesure in mesures])
        return [mesure_out(mesure, histories[mesure.id], self.gazetteer) for mesure in mesures]

    def own(self, mesure_id: int) -> Mesure | None:
        mesure = self.session.get(Mesure, mesure_id, with_for_update={"of": Mesure})
        return mesure if mesure is not None and mesure.mandataire_id == self.mandataire.id else None


def _tribunal_error(ctx: Context, siret: Any) -> dict | None:
    if isinstance(siret, str) and siret.strip() in ctx.gazetteer.tribunaux_by_siret:
        return None
    return refusal("siret is not valid", param="tribunal_siret", value=siret)


def _antenne_valid(ctx: Context, antenne_id: Any) -> bool:
    try:
        return int(antenne_id) in {site.id for site in ctx.mandataire.sites}
    except (TypeError, ValueError, OverflowError):
        return False


def _without_etat(mesure: Any) -> bool:
    """e-MJPM takes the nature and place of a measure from its latest état and refuses one without (422: its
    controller fails on the missing list), though its rules check `etats.*` only when sent. The flat shape of
    `POST /mesures/lot` (`nature_mesure` at the top) stays accepted."""
    if not isinstance(mesure, dict):
        return False
    etats = mesure.get("etats")
    return not (isinstance(etats, list) and etats) and mesure.get("nature_mesure") in (None, "")


def _no_etat(mesure: dict, param: str) -> dict:
    error = refusal(NO_ETAT, location="body", param=param)
    return error | {"value": mesure["etats"]} if "etats" in mesure else error


def _move(ctx: Context, stored: Mesure, mesure: dict, param: str) -> None:
    """Give the stored measure the tribunal and RG number sent (checked by `_check_one` or the batch's checks), so
    that the batch engine's upsert on (tribunal, numero_rg) restates it; refused when another measure holds them."""
    tribunal = ctx.gazetteer.tribunaux_by_siret[str(mesure["tribunal_siret"]).strip()]
    numero = rg.normalize(str(mesure.get("numero_rg")))
    if not 1 <= len(numero) <= 30:
        message = "numéro RG : de 1 à 30 lettres et chiffres"
        raise EditorRefusal([refusal(message, location="body", param=param, value=mesure.get("numero_rg"))])
    tribunal_id = ctx.session.scalars(select(Tribunal.id).where(Tribunal.siret == tribunal.siret)).one()
    if (tribunal_id, numero) == (stored.tribunal_id, stored.numero_rg):
        return
    taken = ctx.session.scalar(select(Mesure.id).where(Mesure.tribunal_id == tribunal_id, Mesure.numero_rg == numero))
    if taken is not None:
        message = f"numéro RG {numero} déjà enregistré pour ce tribunal (mesure {taken})"
        raise EditorRefusal([refusal(message, location="body", param=param, value=mesure.get("numero_rg"))])
    before, yearly = LoadShare.of(stored), YearlyShare.of(stored)
    stored.numero_rg, stored.tribunal_id = numero, tribunal_id
    ctx.session.flush()
    # Moved last, with the batch's counters (lock order of app.registry.load): a measure without an antenne is
    # worked in its tribunal's département; its yearly counters follow its tribunal.
    ctx.moves.append((before, LoadShare.of(stored)))
    ctx.yearly_moves.append((yearly, YearlyShare.of(stored)))


def _follow_dossiers(ctx: Context, mesures: list[Any], param: Callable[[int], str]) -> None:
    """e-MJPM first looks a sent measure up by the vendor and its `numero_dossier` (`persistMesure`), and restates
    the measure found, its tribunal and RG number included: a vendor correcting an RG number sends the same file
    number and keeps one measure. Here within the professional's measures this vendor sent (e-MJPM looks across
    every professional of the vendor); the first measure of a request with a given file number is followed."""
    if ctx.caller.editor_id is None:
        return
    dossiers: dict[str, int] = {}
    for index, mesure in enumerate(mesures):
        dossier = mesure.get("numero_dossier") if isinstance(mesure, dict) else None
        if isinstance(dossier, str) and dossier.strip() and dossier.strip() not in dossiers:
            dossiers[dossier.strip()] = index
    if not dossiers:
        return
    wanted = list(dossiers)
    found: dict[str, Mesure] = {}
    for start in range(0, len(wanted), 500):
        query = (
            select(Mesure)
            .where(
                Mesure.mandataire_id == ctx.mandataire.id,
                Mesure.editor_id == ctx.caller.editor_id,
                Mesure.numero_dossier.in_(wanted[start : start + 500]),
            )
            .order_by(Mesure.id)
            .with_for_update(of=Mesure)
        )
        for stored in ctx.session.scalars(query):
            found.setdefault(str(stored.numero_dossier), stored)
    for dossier, stored in found.items():
        index = dossiers[dossier]
        _move(ctx, stored, mesures[index], param(index))


def _save(ctx: Context, mesures: list[dict], param: Callable[[int, str], str]) -> list[int]:
    """Plan then apply, all or nothing; each refused measure's reasons in e-MJPM's shape."""
    batch = Batch(ctx.session, ctx.gazetteer, ctx.locator, ctx.settings, ctx.mandataire, editor_id=ctx.caller.editor_id)
    with gc_paused():
        plans = plan_batch(batch, [(index, raw, []) for index, raw in enumerate(mesures)])
        errors = []
        for plan in plans:
            raw = mesures[plan.position]
            for name, _code, message in plan.reasons:
                error = refusal(message, location="body", param=param(plan.position, name or ""))
                if name in raw:
                    error["value"] = raw[name]
                errors.append(error)
        if errors:
            raise EditorRefusal(errors)
        apply_plan(ctx.session, mandataire=ctx.mandataire, plans=plans, moves=ctx.moves, yearly_moves=ctx.yearly_moves)
    # Every measure was accepted (a refused one raised above), so each has its id now.
    return [plan.mesure_id for plan in plans if plan.mesure_id is not None]


def _kept(ctx: Context) -> None:
    """Every write of the vendor API marks the professional as kept by the vendor's software (e-MJPM's
    `editorMesuresAction`): measures are no longer declared nor imported by hand (`registry.check_not_kept`)."""
    keep_by_editor(ctx.session, mandataire_id=ctx.mandataire.id, editor_id=ctx.caller.editor_id)


def _loaded(ctx: Context, ids: list[int]) -> list[Mesure]:
    ctx.session.expire_all()
    found = {m.id: m for m in ctx.session.scalars(select(Mesure).where(Mesure.id.in_(ids)))}
    return [found[mesure_id] for mesure_id in ids]


def _check_one(ctx: Context, body: Any) -> dict:
    if not isinstance(body, dict):
        body = {}
    error = _tribunal_error(ctx, body.get("tribunal_siret"))
    if error is not None:
        raise EditorRefusal([error])
    if body.get("antenne_id") and not _antenne_valid(ctx, body["antenne_id"]):
        message = "antenne_id does not match with your service."
        raise EditorRefusal([refusal(message, param="antenne_id", value=body["antenne_id"])])
    errors = rules.check_mesure(body)
    if errors:
        raise EditorRefusal(errors)
    numero = body.get("numero_rg")
    if body.get("strictNumeroRG") and not (isinstance(numero, str) and rg.is_strict(numero)):
        raise EditorRefusal([refusal(f"{STRICT_RG} Invalid numero rg: {numero}")])
    if _without_etat(body):
        raise EditorRefusal([_no_etat(body, "etats")])
    return {k: v for k, v in body.items() if k != "strictNumeroRG"}


def create(ctx: Context, body: Any) -> dict[str, Any]:
    """POST /api/editors/mesures: one measure (upserted on tribunal and RG number, as a batch of one)."""
    mesure = _check_one(ctx, body)
    _follow_dossiers(ctx, [mesure], lambda _index: "numero_rg")
    ids = _save(ctx, [mesure], lambda _index, name: name)
    _kept(ctx)
    return ctx.present(_loaded(ctx, ids))[0]


def update(ctx: Context, mesure_id: int, body: Any) -> dict[str, Any]:
    """PUT /api/editors/mesures/{id}: the measure restated; its tribunal or RG number may change."""
    mesure = _check_one(ctx, body)
    stored = ctx.own(mesure_id)
    if stored is None:
        message = f"mesure with id = {mesure_id} not found with mandataire_id = {ctx.mandataire.id}"
        raise EditorRefusal([refusal(message)])
    _move(ctx, stored, mesure, "numero_rg")
    ids = _save(ctx, [mesure], lambda _index, name: name)
    _kept(ctx)
    return ctx.present(_loaded(ctx, ids))[0]


def batch(ctx: Context, body: Any) -> list[dict[str, Any]]:
    """POST /api/editors/mesures/batch: up to 1 000 measures in one transaction."""
    errors = rules.check_batch(body)
    if errors:
        raise EditorRefusal(errors)
    mesures = body.get("mesures") if isinstance(body, dict) else None
    if not mesures or not isinstance(mesures, list):
        _kept(ctx)
        return []
    if len(mesures) > BATCH_MAX:
        raise EditorRefusal([refusal(f"The number of mesures must be <= {BATCH_MAX}")])
    if body.get("strictNumeroRG"):
        invalid = [str(m.get("numero_rg")) for m in mesures if not rg.is_strict(str(m.get("numero_rg")))]
        if invalid:
            raise EditorRefusal([refusal(f"{STRICT_RG} There are invalid numero rg: {','.join(invalid)}")])
    antennes = dict.fromkeys(m.get("antenne_id") for m in mesures if isinstance(m, dict) and m.get("antenne_id"))
    wrong = [refusal("antenne_id is not valid", param="antenne_id", value=a) for a in antennes]
    wrong = [error for error in wrong if not _antenne_valid(ctx, error["value"])]
    if wrong:
        raise EditorRefusal(wrong, key="antenneErrors")
    sirets = dict.fromkeys(m.get("tribunal_siret") for m in mesures if isinstance(m, dict))
    unknown = [error for siret in sirets if (error := _tribunal_error(ctx, siret)) is not None]
    if unknown:
        raise EditorRefusal(unknown, key="tiErrors")
    stateless = [
        _no_etat(mesure, f"mesures[{index}].etats") for index, mesure in enumerate(mesures) if _without_etat(mesure)
    ]
    if stateless:
        raise EditorRefusal(stateless)
    _follow_dossiers(ctx, mesures, lambda index: f"mesures[{index}].numero_rg")
    ids = _save(ctx, mesures, lambda index, name: f"mesures[{index}].{name}")
    _kept(ctx)
    return ctx.present(_loaded(ctx, ids))


def get(ctx: Context, mesure_id: int) -> dict[str, Any]:
    mesure = ctx.session.get(Mesure, mesure_id)
    if mesure is None or mesure.mandataire_id != ctx.mandataire.id:
        error = refusal("mesure not found", location="params", param="id", value=mesure_id)
        raise EditorRefusal([error], status_code=404)
    return ctx.present([mesure])[0]


def listing(ctx: Context, status: str | None) -> list[dict[str, Any]]:
    query = select(Mesure).where(Mesure.mandataire_id == ctx.mandataire.id)
    if status:
        query = query.where(Mesure.statut == status)
    return ctx.present(list(ctx.session.scalars(query.order_by(Mesure.id))))


def _delete(ctx: Context, mesures: list[Mesure]) -> int:
    """Delete the measures and free their load; one a judge reserved and the professional has not answered is
    kept (the reservation decides its fate)."""
    pending = pending_reservations(ctx.session, [m.id for m in mesures])
    doomed = [m for m in mesures if m.id not in pending]
    changes = [(LoadShare.of(m), None) for m in doomed]
    yearly = [(YearlyShare.of(m), None) for m in doomed]
    ids = [m.id for m in doomed]
    for start in range(0, len(ids), 500):
        ctx.session.execute(delete(Mesure).where(Mesure.id.in_(ids[start : start + 500])))
    ctx.session.expunge_all()
    apply_load_changes(ctx.session, changes)
    apply_yearly_changes(ctx.session, yearly)
    return len(ids)


def delete_one(ctx: Context, mesure_id: int) -> int:
    mesure = ctx.own(mesure_id)
    _kept(ctx)
    return _delete(ctx, [mesure]) if mesure is not None else 0


def delete_all(ctx: Context) -> int:
    query = select(Mesure).where(Mesure.mandataire_id == ctx.mandataire.id).with_for_update(of=Mesure)
    mesures = list(ctx.session.scalars(query))
    _kept(ctx)
    return _delete(ctx, mesures)
