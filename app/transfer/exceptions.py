from app.errors import Conflict, InvalidInput, NotFound


class TransfertNotFound(NotFound):
    default_code = "transfert_introuvable"


class TransfertEnCours(Conflict):
    default_code = "transfert_en_cours"


class ChoixManquant(Conflict):
    default_code = "choix_manquant"


class DecisionPrise(Conflict):
    default_code = "decision_deja_prise"


class TransfertClos(Conflict):
    default_code = "transfert_clos"


class AucuneMesure(InvalidInput):
    default_code = "aucune_mesure"


class MesureInconnue(InvalidInput):
    """Measures named for a transfer that are unknown, not ongoing, not this professional's or already sent."""

    default_code = "mesure_inconnue"
