from enum import StrEnum

from app import labels


class Indicateur(StrEnum):
    """What a target of the schéma counts in a département."""

    MANDATAIRES_INDIVIDUELS = "mandataires_individuels"
    SERVICES = "services"
    PREPOSES = "preposes"
    MESURES_EN_COURS = "mesures_en_cours"


INDICATEUR_LABELS = labels.for_enum(Indicateur, labels.INDICATEURS_OBJECTIF)
