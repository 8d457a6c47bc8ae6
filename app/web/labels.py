"""The labels the pages show, keyed as the templates and scripts want them; every label comes from app/labels.py
(the API itself keeps its stable codes)."""

from app import labels
from app.auth.constants import Role
from app.designation.constants import Famille
from app.labels import for_enum
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

ROLES = for_enum(Role, labels.ROLES)

SPECIALITES = for_enum(Specialite, labels.SPECIALITES)

FAMILLES = for_enum(Famille, labels.FAMILLES)

CRITERES = labels.CRITERES

RESERVATION_STATUTS = labels.STATUTS_RESERVATION


MOTIFS_TRANSFERT = for_enum(MotifTransfert, labels.MOTIFS_TRANSFERT)


def for_js() -> dict[str, dict[str, str]]:
    """The labels the pages' scripts need, as plain string maps."""
    return {
        "types": {k.value: v for k, v in TYPES.items()},
        "natures": {k.value: v for k, v in NATURES.items()},
        "criteres": CRITERES,
        "familles": {k.value: v for k, v in FAMILLES.items()},
        "statuts": RESERVATION_STATUTS,
        "specialites": {k.value: v for k, v in SPECIALITES.items()},
        "statuts_transfert": labels.STATUTS_TRANSFERT,
        "decisions_transfert": labels.DECISIONS_TRANSFERT,
    }


# --- the professional's space ---------------------------------------------------------------------------------

MOTIFS_ABSENCE = for_enum(MotifAbsence, labels.MOTIFS_ABSENCE)

MESURE_STATUTS = MESURE_STATUT_LABELS


def for_professional_js() -> dict[str, dict[str, str]]:
    """The labels of the professional's space: the common ones, absences, measure states, lieux de vie."""
    return {
        **for_js(),
        "motifs_absence": {k.value: v for k, v in MOTIFS_ABSENCE.items()},
        "statuts_mesure": {k.value: v for k, v in MESURE_STATUTS.items()},
        "lieux_vie": {k.value: v for k, v in LIEUX_VIE.items()},
    }
