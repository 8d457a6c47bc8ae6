"""Operational endpoints."""

from fastapi import APIRouter
from sqlalchemy import text

from app.dependencies import SessionDep
from app.errors import Unavailable, error_responses
from app.system.schemas import Health

router = APIRouter(tags=["système"])


@router.get("/healthz", response_model=Health, responses=error_responses(503))
def healthz(session: SessionDep) -> Health:
    """Liveness and readiness: answers 200 only when the database answers."""
    try:
        session.execute(text("SELECT 1"))
    except Exception as error:  # any driver failure means "not ready"
        raise Unavailable(f"base de données injoignable : {type(error).__name__}", code="base_indisponible") from error
    return Health(status="ok", database="ok")
