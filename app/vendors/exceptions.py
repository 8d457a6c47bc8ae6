from app.errors import Conflict, NotFound


class EditeurNameTaken(Conflict):
    default_code = "editeur_existant"


class EditeurNotFound(NotFound):
    default_code = "editeur_inconnu"


class AutorisationNotFound(NotFound):
    default_code = "autorisation_inconnue"
