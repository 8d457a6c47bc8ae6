"""Persistence of reference data: the tribunal table mirrors the committed tribunal list."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal


def sync_tribunaux(session: Session, gazetteer: Gazetteer) -> int:
    """Insert or update every reference tribunal, keyed by its Ministry code; returns how many changed."""
    existing = {t.code: t for t in session.scalars(select(Tribunal))}
    changed = 0
    for entry in gazetteer.tribunaux.values():
        values = {
            "siret": entry.siret,
            "nom": entry.nom,
            "type": entry.type,
            "insee": entry.insee,
            "departement": entry.departement,
            "email": entry.email,
        }
        row = existing.get(entry.code)
        if row is None:
            session.add(Tribunal(code=entry.code, **values))
            changed += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed += 1
    return changed
