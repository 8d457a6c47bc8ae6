"""Every domain's ORM models, imported so that `Base.metadata` is complete for Alembic and the tests."""

from app.audit.models import AuditEvent
from app.auth.models import ApiToken
from app.database import Base
from app.designation.models import Reservation
from app.geo.models import Tribunal
from app.matching.models import DepartementWeights, MatchRecord, RegistryVersion
from app.notifications.models import Notification
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
from app.transfer.models import Transfert, TransfertMesure

__all__ = [
    "Absence",
    "ApiToken",
    "AuditEvent",
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
    "Notification",
    "RegistryVersion",
    "Reservation",
    "Site",
    "Transfert",
    "TransfertMesure",
    "Tribunal",
]
