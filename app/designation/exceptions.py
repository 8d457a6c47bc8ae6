from app.errors import Conflict, NotFound


class ReservationNotFound(NotFound):
    default_code = "reservation_introuvable"


class ForbiddenTransition(Conflict):
    default_code = "transition_interdite"


class MesureGone(Conflict):
    default_code = "mesure_modifiee"

    def __init__(self) -> None:
        super().__init__(
            "la mesure de cette réservation a été supprimée, ou, pour un transfert, n'est plus en cours chez le "
            "professionnel qui la transmettait : le tribunal doit annuler cette réservation"
        )
