"""French labels of the API vocabularies, shown by the pages (the API itself keeps its stable codes)."""

from app.designation.constants import Famille
from app.registry.constants import (
    LIEU_VIE_LABELS,
    MANDATAIRE_TYPE_LABELS,
    MESURE_STATUT_LABELS,
    NATURE_LABELS,
    MotifAbsence,
    Specialite,
)
from app.transfer.constants import MotifTransfert

NATURES = NATURE_LABELS

LIEUX_VIE = LIEU_VIE_LABELS

TYPES = MANDATAIRE_TYPE_LABELS

SPECIALITES = {
    Specialite.BELGIQUE: "Intervient en Belgique",
    Specialite.PSYCHIATRIE: "Psychiatrie",
    Specialite.SITUATIONS_COMPLEXES: "Situations complexes",
    Specialite.FIN_DE_VIE: "Fin de vie",
    Specialite.HANDICAP: "Handicap (dont ESAT, SAVS)",
    Specialite.PERSONNES_AGEES: "Personnes âgées",
    Specialite.JEUNES_MAJEURS: "Jeunes majeurs (moins de 25 ans)",
    Specialite.PATRIMOINE_COMPLEXE: "Patrimoine complexe",
    Specialite.EXPLOITANTS_AGRICOLES: "Exploitants agricoles (MSA)",
    Specialite.VISITES_BINOME: "Visites en binôme",
}

FAMILLES = {
    Famille.NON_EXAMINE: "Priorité familiale non examinée",
    Famille.AUCUN_PROCHE: "Aucun proche disponible",
    Famille.PROCHE_REFUSE: "Un proche a refusé la mesure",
}

CRITERES = {
    "distance": "Distance",
    "capacite": "Capacité libre",
    "profil": "Profil (besoins, lieu de vie)",
    "fraicheur": "Fraîcheur des données",
    "equite": "Équité de répartition",
}

RESERVATION_STATUTS = {
    "en_attente": "en attente de la réponse du mandataire",
    "acceptee": "acceptée",
    "refusee": "refusée",
    "annulee": "annulée",
    "expiree": "expirée",
}


MOTIFS_TRANSFERT = {
    MotifTransfert.RETRAITE: "Départ à la retraite",
    MotifTransfert.RETRAIT_AGREMENT: "Retrait de l'agrément ou de l'autorisation",
    MotifTransfert.DECES: "Décès",
    MotifTransfert.FERMETURE_ANTENNE: "Fermeture d'une antenne",
    MotifTransfert.MALADIE: "Longue maladie",
    MotifTransfert.SURCHARGE: "Surcharge",
    MotifTransfert.AUTRE: "Autre motif",
}


def for_js() -> dict[str, dict[str, str]]:
    """The labels the pages' scripts need, as plain string maps."""
    return {
        "types": {k.value: v for k, v in TYPES.items()},
        "natures": {k.value: v for k, v in NATURES.items()},
        "criteres": CRITERES,
        "familles": {k.value: v for k, v in FAMILLES.items()},
        "statuts": RESERVATION_STATUTS,
        "specialites": {k.value: v for k, v in SPECIALITES.items()},
    }


# --- the professional's space ---------------------------------------------------------------------------------

MOTIFS_ABSENCE = {
    MotifAbsence.CONGES: "Congés",
    MotifAbsence.MALADIE: "Maladie",
    MotifAbsence.FORMATION: "Formation",
    MotifAbsence.DEPART_RETRAITE: "Départ à la retraite",
    MotifAbsence.AUTRE: "Autre motif",
}

MESURE_STATUTS = MESURE_STATUT_LABELS


def for_professional_js() -> dict[str, dict[str, str]]:
    """The labels of the professional's space: the common ones, absences, measure states, lieux de vie."""
    return {
        **for_js(),
        "motifs_absence": {k.value: v for k, v in MOTIFS_ABSENCE.items()},
        "statuts_mesure": {k.value: v for k, v in MESURE_STATUTS.items()},
        "lieux_vie": {k.value: v for k, v in LIEUX_VIE.items()},
    }
