"""The FINESS import: the Ministry's extracts become the register's establishments (created or brought up to date
by FINESS number), all or nothing.

An extract with any rejected line writes nothing and the report names every rejected line (file, line, reason);
`essai` validates and counts without writing. Establishments of other categories are ignored, as are those of a
commune the reference geography does not know (a warning each). Establishments of the register absent from the
extract (entered by hand) are left as they are; the links of préposés to establishments are kept, so coverage
follows the FINESS number. Without the equipment extract the permanent places of a known establishment are kept
(0 for a new one); without the legal entities' extract, its public status (see `rules.public`). The commit is
the caller's.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.finess import rules
from app.finess.exceptions import RejectedFinessImport
from app.finess.reader import (
    Equipement,
    Lecture,
    read_entites_juridiques,
    read_equipements,
    read_etablissements,
)
from app.finess.schemas import FichierLu, FinessImportOut, Signalement
from app.geo.exceptions import UnknownInsee
from app.geo.gazetteer import Gazetteer, normalize_name
from app.registry.models import Etablissement
from app.registry.obligation import is_obliged


@dataclass(frozen=True, slots=True)
class Fichier:
    nom: str
    contenu: bytes


def import_finess(
    session: Session,
    *,
    gazetteer: Gazetteer,
    seuil: int,
    etablissements: Fichier,
    equipements: Fichier | None = None,
    entites_juridiques: Fichier | None = None,
    essai: bool = False,
) -> FinessImportOut:
    structures = read_etablissements("etablissements", etablissements.contenu)
    lectures: list[tuple[Lecture, str]] = [(structures, etablissements.nom)]
    places_of: dict[str, list[Equipement]] | None = None
    if equipements is not None:
        equipement_lecture = read_equipements("equipements", equipements.contenu)
        lectures.append((equipement_lecture, equipements.nom))
        places_of = defaultdict(list)
        for equipement in equipement_lecture.enregistrements:
            places_of[equipement.finess].append(equipement)
    statuts: dict[str, str] = {}
    if entites_juridiques is not None:
        entites = read_entites_juridiques("entites_juridiques", entites_juridiques.contenu)
        lectures.append((entites, entites_juridiques.nom))
        statuts = {entite.finess: entite.statut for entite in entites.enregistrements}
    report = FinessImportOut(
        essai=essai,
        applique=False,
        fichiers=[
            FichierLu(fichier=lecture.fichier, nom=nom, encodage=lecture.encodage, lignes=lecture.lignes)
            for lecture, nom in lectures
        ],
        etablissements=len(structures.enregistrements),
        retenus=0,
        crees=0,
        modifies=0,
        inchanges=0,
        ignores=0,
        soumis_obligation=0,
        erreurs=[],
        avertissements=[],
    )
    for lecture, _ in lectures:
        report.erreurs += [Signalement.model_validate(s, from_attributes=True) for s in lecture.erreurs]
        report.avertissements += [Signalement.model_validate(s, from_attributes=True) for s in lecture.avertissements]
    if report.erreurs:
        raise RejectedFinessImport(report)

    existing = {e.finess: e for e in session.scalars(select(Etablissement))}
    seen: set[str] = set()
    changes: list[tuple[Etablissement | None, dict]] = []
    for structure in structures.enregistrements:
        if structure.finess in seen:
            report.erreurs.append(
                Signalement(
                    fichier="etablissements",
                    ligne=structure.ligne,
                    code="finess_en_double",
                    message=f"nofinesset : {structure.finess} figure déjà plus haut dans le fichier",
                )
            )
            continue
        seen.add(structure.finess)
        categorie = rules.categorie(structure.categorie)
        if categorie is None:
            report.ignores += 1
            continue
        commune = gazetteer.communes.get(structure.insee)
        if commune is None:
            report.ignores += 1
            report.avertissements.append(
                Signalement(
                    fichier="etablissements",
                    ligne=structure.ligne,
                    code=UnknownInsee.default_code,
                    message=f"commune {structure.insee} inconnue du référentiel : établissement "
                    f"{structure.finess} ignoré",
                )
            )
            continue
        report.retenus += 1
        current = existing.get(structure.finess)
        public = rules.public(statut_juridique=statuts.get(structure.finess_ej), sph=structure.sph)
        if public is None:
            public = current.public if current is not None else False
        places = (
            rules.places_permanentes(places_of.get(structure.finess, ()))
            if places_of is not None
            else (current.places_permanentes if current is not None else 0)
        )
        values = {
            "nom": structure.nom,
            "nom_recherche": normalize_name(structure.nom),
            "insee": commune.insee,
            "departement": commune.departement,
            "lat": commune.lat,
            "lon": commune.lon,
            "categorie": str(categorie),
            "public": public,
            "places_permanentes": places,
        }
        if is_obliged(public=public, categorie=categorie, places_permanentes=places, seuil=seuil):
            report.soumis_obligation += 1
        if current is None:
            report.crees += 1
            changes.append((None, {"finess": structure.finess, **values}))
        elif any(getattr(current, key) != value for key, value in values.items()):
            report.modifies += 1
            changes.append((current, values))
        else:
            report.inchanges += 1
    if report.erreurs:
        raise RejectedFinessImport(report)
    if not essai:
        for etablissement, values in changes:
            if etablissement is None:
                session.add(Etablissement(**values))
            else:
                for key, value in values.items():
                    setattr(etablissement, key, value)
        session.flush()
        report.applique = True
    return report
