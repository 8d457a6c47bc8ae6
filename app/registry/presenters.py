"""Presenters of the registry: ORM rows to API schemas, with the load figures every reader sees. Shared by
the routers that answer with professionals, sites and measures (the registry's and the professionals' own)."""

from app.geo.gazetteer import Gazetteer
from app.registry.constants import MANDATAIRE_PLAIN_FIELDS
from app.registry.models import Mandataire, Mesure, Site
from app.registry.schemas import (
    AbsenceOut,
    EtablissementOut,
    MandataireOut,
    MesureOut,
    SiteOut,
    TribunalRefOut,
)


def _load(capacite: int | None, row) -> dict:
    held = row.mesures_en_cours + row.mesures_en_attente
    return {
        "mesures_en_cours": row.mesures_en_cours,
        "mesures_en_attente": row.mesures_en_attente,
        "charge_en_cours": round(row.charge_en_cours, 4),
        "charge_en_attente": round(row.charge_en_attente, 4),
        "places_libres": capacite - held if capacite is not None else None,
        "taux_occupation": round(held / capacite, 4) if capacite else None,
    }


def site_out(site: Site, gazetteer: Gazetteer) -> SiteOut:
    return SiteOut(
        id=site.id,
        nom=site.nom,
        insee=site.insee,
        commune=gazetteer.communes[site.insee].nom,
        departement=site.departement,
        lat=site.lat,
        lon=site.lon,
        capacite=site.capacite,
        **_load(site.capacite, site),
    )


def mandataire_out(mandataire: Mandataire, gazetteer: Gazetteer) -> MandataireOut:
    return MandataireOut(
        **{
            field: getattr(mandataire, field)
            for field in ("id", "type", *MANDATAIRE_PLAIN_FIELDS, "derniere_mise_a_jour", "version")
        },
        natures=sorted(n.nature for n in mandataire.natures),
        departements=sorted(d.departement for d in mandataire.departements),
        tribunaux=[TribunalRefOut.model_validate(t.tribunal) for t in mandataire.tribunaux],
        sites=[site_out(site, gazetteer) for site in mandataire.sites],
        etablissements=[EtablissementOut.model_validate(e) for e in mandataire.etablissements],
        specialites=sorted(s.specialite for s in mandataire.specialites),
        absences=[
            AbsenceOut(id=a.id, debut=a.debut, fin=a.fin, motif=a.motif, remplacant=a.remplacant_id)
            for a in mandataire.absences
        ],
        **_load(mandataire.capacite, mandataire),
    )


def mesure_out(mesure: Mesure) -> MesureOut:
    return MesureOut.model_validate(
        {
            **{column: getattr(mesure, column) for column in MesureOut.model_fields if hasattr(Mesure, column)},
            "mandataire": mesure.mandataire_id,
            "site": mesure.site_id,
            "etablissement": mesure.etablissement_id,
            "editeur": mesure.editor_id,
            "tribunal": TribunalRefOut.model_validate(mesure.tribunal),
        }
    )
