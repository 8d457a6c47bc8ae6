"""POST /mesures/lot: up to 1 000 measures from business software in e-MJPM's vendor shape, upserted on
(tribunal, numero_rg), each with its result. Planned and applied by `batch.py`; the commit is the caller's."""

from app.collector import gc_paused
from app.professionals.batch import Batch, Reason, apply_plan, plan_batch
from app.professionals.exceptions import RejectedLot
from app.professionals.schemas import LOT_MAX


def _motifs(reasons: list[Reason]) -> list[dict]:
    return [{"code": code, "champ": name, "message": message} for name, code, message in reasons]


def _report(*, strict: bool, dry_run: bool, applied: bool, total: int, results: list[dict]) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    for result in results:
        counts[result["resultat"]] += 1
    return {
        "strict": strict,
        "dry_run": dry_run,
        "applique": applied,
        "total": total,
        **counts,
        "resultats": results,
    }


def upsert_lot(batch: Batch, *, mesures: list, strict: bool, dry_run: bool = False) -> dict:
    """An empty batch writes nothing and answers an empty report (as e-MJPM). With `strict`, one rejected
    measure leaves the whole batch unwritten (RejectedLot, 422 with the report); with `dry_run` nothing is
    written and the report says what the batch would do. Returns the report as plain
    data in the shape of `LotOut` (a thousand results: built and serialised once, not validated again)."""
    if len(mesures) > LOT_MAX:
        message = f"{len(mesures)} mesures : au plus {LOT_MAX} par appel, découpez le lot"
        detail = {"type": "lot_trop_grand", "loc": ["body", "mesures"], "msg": message}
        report = _report(strict=strict, dry_run=dry_run, applied=False, total=len(mesures), results=[])
        raise RejectedLot(report, detail=[detail])
    with gc_paused():
        plans = plan_batch(batch, [(index, raw, []) for index, raw in enumerate(mesures)])
        rejected = any(plan.reasons for plan in plans)
        applied = not (strict and rejected) and not dry_run
        if applied:
            apply_plan(batch.session, mandataire=batch.mandataire, plans=[p for p in plans if not p.reasons])
    results = [
        {
            "index": plan.position,
            "numero_rg": plan.numero_rg,
            "tribunal_siret": plan.tribunal_siret,
            "resultat": "rejected" if plan.reasons else plan.outcome,
            "id": None if plan.reasons else plan.mesure_id,
            "motifs": _motifs(plan.reasons),
            "avertissements": _motifs(plan.warnings),
        }
        for plan in plans
    ]
    report = _report(strict=strict, dry_run=dry_run, applied=applied, total=len(plans), results=results)
    if strict and rejected:
        raise RejectedLot(report)
    return report
