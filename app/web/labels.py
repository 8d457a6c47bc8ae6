"""French labels of the API vocabularies, shown by the pages (the API itself keeps its stable codes)."""

from app.designation.constants import Famille
from app.registry.constants import MANDATAIRE_TYPE_LABELS, NATURE_LABELS, LieuVie, Specialite
from app.transfer.constants import MotifTransfert

NATURES = NATURE_LABELS

LIEUX_VIE = {
    LieuVie.DOMICILE: "Domicile",
    LieuVie.ETABLISSEMENT: "Établissement",
    LieuVie.ETABLISSEMENT_CONSERVATION_DOMICILE: "Établissement avec conservation du domicile",
    LieuVie.SDF: "Sans domicile fixe",
}

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
