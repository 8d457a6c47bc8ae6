"""Moves the registry version stamp in the transaction of any change to what the matching index holds."""

from itertools import chain

from sqlalchemy import Connection, event, update
from sqlalchemy.orm import Session

from app.matching.models import DepartementWeights, RegistryVersion
from app.registry.models import (
    Absence,
    Etablissement,
    Mandataire,
    MandataireDepartement,
    MandataireEtablissement,
    MandataireNature,
    MandataireSpecialite,
    MandataireTribunal,
    Site,
)

INDEXED = (
    Mandataire,
    MandataireNature,
    MandataireDepartement,
    MandataireTribunal,
    MandataireSpecialite,
    MandataireEtablissement,
    Site,
    Absence,
    Etablissement,
    DepartementWeights,
)


def bump_registry_version(session: Session | Connection) -> None:
    """Move the stamp in the caller's transaction (an ORM session, or a connection for Core bulk writes)."""
    session.execute(update(RegistryVersion).values(version=RegistryVersion.version + 1))


def _bump_on_profile_change(session: Session, _context, _instances) -> None:
    if any(isinstance(obj, INDEXED) for obj in chain(session.new, session.dirty, session.deleted)):
        bump_registry_version(session)


def track_registry_changes() -> None:
    """Called once by the app factory and the CLI (never at import time)."""
    if not event.contains(Session, "before_flush", _bump_on_profile_change):
        event.listen(Session, "before_flush", _bump_on_profile_change)
