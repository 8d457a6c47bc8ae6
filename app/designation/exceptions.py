from app.errors import Conflict, NotFound


class ReservationNotFound(NotFound):
    default_code = "reservation_introuvable"


class ForbiddenTransition(Conflict):
    default_code = "transition_interdite"


class MesureModifiee(Conflict):
    """The measure a reservation or a transfer works on changed under it."""

    default_code = "mesure_modifiee"


class MesureGone(MesureModifiee):
    def __init__(self) -> None:
        super().__init__(
            "la mesure de cette réservation a été supprimée, ou, pour un transfert, n'est plus en cours chez le "
            "professionnel qui la transmettait : le tribunal doit annuler cette réservation"
        )


class OffListUnjustified(Conflict):
    """A professional outside the proposed list, designated without saying so (hors_liste and its reason)."""

    default_code = "hors_liste_non_justifie"
