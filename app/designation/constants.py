from enum import StrEnum


class ReservationStatut(StrEnum):
    EN_ATTENTE = "en_attente"
    ACCEPTEE = "acceptee"
    REFUSEE = "refusee"
    ANNULEE = "annulee"
    EXPIREE = "expiree"


class Famille(StrEnum):
    """Priorité familiale (art. 449 code civil): why no relative was designated."""

    AUCUN_PROCHE = "aucun_proche_disponible"
    PROCHE_REFUSE = "proche_refuse"
    NON_EXAMINE = "non_examine"
