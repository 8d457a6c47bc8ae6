"""Spreadsheet imports of measures (POST /mesures/import and `mjpm import mesures`): the file is read within
its limits by `spreadsheet.py`, its rows become measures in the vendor shape, planned and applied by
`batch.py`. All or nothing; the commit is the caller's."""

from pathlib import Path

from sqlalchemy.orm import Session

from app.collector import gc_paused
from app.config import Settings
from app.geo.gazetteer import Gazetteer
from app.geo.locate import Locator
from app.professionals import spreadsheet
from app.professionals.batch import Batch, Planned, Progress, Reason, apply_plan, plan_batch
from app.professionals.exceptions import RejectedImport, SheetUnreadable
from app.professionals.repository import mandataire_for_batches
from app.professionals.schemas import ImportOut, LigneRejetee
from app.professionals.spreadsheet import TEMPLATE_COLUMNS, SheetLimits
from app.registry.constants import MandataireType
from app.registry.exceptions import UnknownMandataire
from app.registry.service import check_not_kept


def _report(filename: str, format: str, encodage: str | None, dry_run: bool, *, lignes: int) -> ImportOut:
    return ImportOut(
        fichier=filename,
        format=format,
        encodage=encodage,
        dry_run=dry_run,
        applique=False,
        lignes=lignes,
        created=0,
        updated=0,
        unchanged=0,
        rejected=0,
        erreurs=[],
        avertissements=[],
    )


# e-MJPM's import leaves the residence optional: a blank one reads "à domicile", with this warning.
UNSTATED_RESIDENCE: Reason = (
    "lieu_vie",
    "residence_non_renseignee",
    "résidence non renseignée : « à domicile » retenu",
)


def import_sheet(
    batch: Batch,
    *,
    filename: str,
    content: bytes,
    content_type: str | None,
    dry_run: bool,
    progress: Progress | None = None,
) -> ImportOut:
    """POST /mesures/import and `mjpm import mesures`: all or nothing. A file with any rejected line, or one that
    cannot be read, raises RejectedImport with the report naming every rejected line; nothing is written. A
    professional whose measures a vendor's software keeps imports none (409, as e-MJPM's import is then off)."""
    check_not_kept(batch.mandataire)
    try:
        sheet = spreadsheet.read_sheet(filename, content, content_type, SheetLimits.of(batch.settings))
    except SheetUnreadable as error:
        report = _report(filename, error.format, error.encodage, dry_run, lignes=0)
        report.erreurs.append(
            LigneRejetee(ligne=error.ligne or 1, colonne=error.colonne, code=error.code, message=error.message)
        )
        raise RejectedImport(report, detail=[error.as_detail()]) from None
    if progress is not None:
        progress("lecture", len(sheet.rows), len(sheet.rows))
    report = _report(filename, sheet.format, sheet.encodage, dry_run, lignes=len(sheet.rows))
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
                message=f"colonne « {column} » manquante (colonnes du modèle : {', '.join(TEMPLATE_COLUMNS)})",
            )
            for column in sheet.missing
        ] or [LigneRejetee(ligne=2, colonne=None, code="fichier_vide", message="aucune mesure dans le fichier")]
        raise RejectedImport(report)
    # An individual professional's unknown antenne (the template's example one, say) is ignored.
    antennes = spreadsheet.Antennes(batch.mandataire.sites, required=batch.mandataire.type != MandataireType.INDIVIDUEL)
    with gc_paused():
        entries = [(line, *spreadsheet.row_to_item(values, antennes)) for line, values in sheet.rows]
        plans = plan_batch(batch, entries, unit="ligne", progress=progress)

    def lines(plan: Planned, reasons: list[Reason]) -> list[LigneRejetee]:
        return [
            LigneRejetee(
                ligne=plan.position,
                colonne=spreadsheet.FIELD_COLUMNS.get(name, name) if name else None,
                code=code,
                message=message,
            )
            for name, code, message in reasons
        ]

    unstated = {line for line, values in sheet.rows if "residence" not in values}
    for plan in plans:
        if plan.reasons:
            report.rejected += 1
            report.erreurs += lines(plan, plan.reasons)
        else:
            setattr(report, plan.outcome, getattr(report, plan.outcome) + 1)
        if plan.position in unstated:
            report.avertissements += lines(plan, [UNSTATED_RESIDENCE])
        report.avertissements += lines(plan, plan.warnings)
    if report.rejected:
        raise RejectedImport(report)
    if not dry_run:
        with gc_paused():
            apply_plan(batch.session, mandataire=batch.mandataire, plans=plans, progress=progress)
        report.applique = True
    return report


def import_file(
    session: Session,
    *,
    gazetteer: Gazetteer,
    locator: Locator,
    settings: Settings,
    path: str | Path,
    mandataire_id: int,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportOut:
    """The import of the command line: the same rules as POST /mesures/import, for any professional and without
    the request size limit. `progress(stage, done, total)` is called with the stages "lecture", "validation"
    and "écriture"."""
    path = Path(path)
    mandataire = mandataire_for_batches(session, mandataire_id)
    if mandataire is None:
        raise UnknownMandataire(f"mandataire inconnu : {mandataire_id}", loc=["mandataire"])
    return import_sheet(
        Batch(session, gazetteer, locator, settings, mandataire, by_hand=True),
        filename=path.name,
        content=path.read_bytes(),
        content_type=None,
        dry_run=dry_run,
        progress=progress,
    )
