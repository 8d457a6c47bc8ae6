"""Simulation flows: the offer read from the registry (the matching's own index and live loads, never copied),
the territory's observed flows, then the pure simulation. Nothing is written."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.matching import repository as matching_repository
from app.matching.engine import Tuning
from app.planning.simulation import Offer


def build_offer(session: Session, *, departements: frozenset[str], now: datetime) -> Offer:
    """The offer as it stands: every profile of the matching index and its live load (with the designations of
    the equity window before `now`)."""
    index = matching_repository.build_index(session, today=now.date())
    loads = matching_repository.live_loads(
        session, sorted(index.profiles), since=now - timedelta(days=Tuning().equity_window_days)
    )
    return Offer(index=index, loads=loads, departements=departements, now=now)
