"""Availability declarations of a professional (PATCH /mandataires/{id}/disponibilite, GET /mandataires/moi):
capacity, the new-measures switch, absences, radius, specialities, languages and antennes' capacities. Like
the registry's, functions take keyword-only arguments and leave the commit to the caller."""

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.database import utcnow
from app.errors import InvalidInput
from app.geo.gazetteer import Gazetteer
from app.professionals.schemas import AbsencesOps, Avertissement, DisponibiliteUpdate
from app.registry import service as registry
from app.registry.constants import MandataireType
from app.registry.exceptions import AbsenceNotOwned, SiteNotOwned
from app.registry.models import Absence, Mandataire
from app.registry.schemas import MandataireUpdate

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
            raise SiteNotOwned(
                f"site {antenne.id} introuvable pour ce mandataire",
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
            raise AbsenceNotOwned(
                f"absence {absence_id} introuvable pour ce mandataire",
                loc=["body", "absences", "supprimer", index],
            )
        mandataire.absences.remove(absence)
    for index, change in enumerate(ops.modifier):
        loc: list[str | int] = ["body", "absences", "modifier", index]
        absence = by_id.get(change.id)
        if absence is None:
            raise AbsenceNotOwned(f"absence {change.id} introuvable pour ce mandataire", loc=[*loc, "id"])
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
