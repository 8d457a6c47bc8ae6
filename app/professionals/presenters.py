"""Presenters of the professionals' routes."""

from app.geo.gazetteer import Gazetteer
from app.professionals.availability import avertissements
from app.professionals.schemas import DisponibiliteOut
from app.registry.models import Mandataire
from app.registry.presenters import mandataire_out


def disponibilite_out(mandataire: Mandataire, gazetteer: Gazetteer) -> DisponibiliteOut:
    """The professional's record as the registry presents it, with the warnings about its declaration."""
    return DisponibiliteOut(
        **mandataire_out(mandataire, gazetteer).model_dump(), avertissements=avertissements(mandataire)
    )
