"""Errors of the schéma's targets, with their stable codes (rendered by `app.errors` in the one error shape)."""

from app.errors import Conflict, InvalidInput, NotFound


class ObjectifNotFound(NotFound):
    default_code = "objectif_introuvable"


class ObjectifExists(Conflict):
    default_code = "objectif_existant"


class InvalidDeadline(InvalidInput):
    default_code = "echeance_invalide"


class FutureStart(InvalidInput):
    """A starting point (date_initiale) after today."""

    default_code = "date_initiale_future"
