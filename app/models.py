"""Every domain's ORM models, imported so that `Base.metadata` is complete for Alembic and the tests."""

from app.audit.models import AuditEvent
from app.auth.models import AccessEvent, Account, ApiToken, WebSession
from app.database import Base
from app.designation.models import Reservation
from app.geo.models import Tribunal
from app.matching.models import DepartementWeights, MatchRecord, RegistryVersion
from app.notifications.models import Notification
from app.ratelimit.models import RateWindow
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
    MesureEtat,
    MesureRessource,
    Site,
)
from app.scheduler.models import JobRun
from app.targets.models import Objectif
from app.transfer.models import Transfert, TransfertMesure
from app.vendors.models import Editeur, EditeurAppel, EditeurCode, EditeurJeton

__all__ = [
    "Absence",
    "AccessEvent",
    "Account",
    "ApiToken",
    "AuditEvent",
    "Base",
    "DepartementWeights",
    "Editeur",
    "EditeurAppel",
    "EditeurCode",
    "EditeurJeton",
    "Etablissement",
    "JobRun",
    "Mandataire",
    "MandataireDepartement",
    "MandataireEtablissement",
    "MandataireNature",
    "MandataireSpecialite",
    "MandataireTribunal",
    "MatchRecord",
    "Mesure",
    "MesureEtat",
    "MesureRessource",
    "Notification",
    "Objectif",
    "RateWindow",
    "RegistryVersion",
    "Reservation",
    "Site",
    "Transfert",
    "TransfertMesure",
    "WebSession",
    "Tribunal",
]
