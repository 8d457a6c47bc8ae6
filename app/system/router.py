"""Operational endpoints: liveness, readiness, metrics."""

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from app.auth.exceptions import NotAuthenticated
from app.database import utcnow
from app.dependencies import SessionDep, SettingsDep
from app.errors import error_responses
from app.migrations import head_revision
from app.system.metrics import exposition
from app.system.schemas import Health, Readiness
from app.system.service import business_figures, readiness_problems

router = APIRouter(tags=["système"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """Liveness: the process answers. Nothing else is touched, so that a database outage does not get every
    instance restarted (readiness is /readyz)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses=error_responses(503))
def readyz(request: Request, session: SessionDep):
    """Readiness: the database answers, its schema is at the migrations' head and the reference geography is
    loaded; otherwise 503 listing every reason. One database query."""
    head = head_revision()
    problems = readiness_problems(session, getattr(request.app.state, "gazetteer", None), head)
    if problems:
        return JSONResponse(status_code=503, content={"detail": [problem.as_detail() for problem in problems]})
    return Readiness(status="ok", base="ok", migrations=head, geographie="ok")


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Format texte de Prometheus"},
        **error_responses(401),
    },
)
def metrics(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Prometheus metrics: requests and latencies per route (every worker), index rebuilds, and business figures
    read at scrape time (pending and soon-expiring reservations, notification backlog and age, registry version).
    Open unless `METRICS_TOKEN` is set, in which case `Authorization: Bearer <METRICS_TOKEN>` is required."""
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
        if not hmac.compare_digest(request.headers.get("authorization", "").encode(), expected):
            raise NotAuthenticated(
                "jeton de métriques absent ou invalide (METRICS_TOKEN)", loc=["header", "Authorization"]
            )
    return Response(exposition(business_figures(session, utcnow())), media_type=CONTENT_TYPE_LATEST)
