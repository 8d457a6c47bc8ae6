"""Every domain's ORM models, imported so that `Base.metadata` is complete for Alembic and the tests."""

from app.auth.models import ApiToken
from app.database import Base
from app.geo.models import Tribunal
from app.matching.models import DepartementWeights, MatchRecord, RegistryVersion
from app.registry.models import (
    Absence,
    Etablissement,
    Mandataire,
    MandataireDepartement,
    MandataireEtablissement,
    MandataireNature,
    MandataireSpecialite,
    MandataireTribunal,
    Mesure,
    Site,
)

__all__ = [
    "Absence",
    "ApiToken",
    "Base",
    "DepartementWeights",
    "Etablissement",
    "Mandataire",
    "MandataireDepartement",
    "MandataireEtablissement",
    "MandataireNature",
    "MandataireSpecialite",
    "MandataireTribunal",
    "MatchRecord",
    "Mesure",
    "RegistryVersion",
    "Site",
    "Tribunal",
]
