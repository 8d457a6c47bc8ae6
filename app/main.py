"""Application factory: `uvicorn app.main:create_app --factory`.

Nothing is opened at import time; the lifespan builds the engine, loads the reference geography, builds the caches and
the OpenID relying party, starts the scheduled work (unless disabled) and disposes of the engine on shutdown.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import httpx
from cachetools import TTLCache
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from app.accounts.router import members_router
from app.accounts.router import router as accounts_router
from app.audit.router import router as audit_router
from app.config import Settings, get_settings
from app.dashboards.mesures import router as mesures_export_router
from app.dashboards.router import router as dashboards_router
from app.database import build_engine, build_session_factory, start_wal_checkpoints
from app.dependencies import RetryTransactions
from app.designation.router import router as designation_router
from app.docs import install_docs
from app.editors.exceptions import EditorRefusal, editor_refusal_handler
from app.editors.router import router as editors_router
from app.errors import COMMON_ERRORS, BodyLimit, ServerErrorGuard, error_responses, install_error_handlers
from app.finess.router import router as finess_router
from app.geo.gazetteer import load_gazetteer
from app.geo.geocoder import AddressLocator
from app.geo.locate import GazetteerLocator, Locator
from app.geo.router import router as geo_router
from app.matching.router import router as matching_router
from app.matching.service import IndexCache
from app.matching.versioning import track_registry_changes
from app.migrations import schema_at_head
from app.observability import ObservabilityMiddleware
from app.oidc.client import RelyingParty
from app.planning.router import router as planning_router
from app.professionals.router import router as professionals_router
from app.registry.router import router as registry_router
from app.scheduler.runner import InProcessScheduler
from app.system.router import router as system_router
from app.targets.router import router as targets_router
from app.tokens.router import router as tokens_router
from app.transfer.router import router as transfer_router
from app.vendors.calls import CallLog
from app.vendors.router import router as vendors_router
from app.web.connexion import router as sign_in_router
from app.web.oidc import router as oidc_router
from app.web.planning import router as planning_page_router
from app.web.professional import router as professional_router
from app.web.router import STATIC_DIR
from app.web.router import router as web_router
from app.web.tokens import router as token_pages_router
from app.web.vendors import router as vendor_pages_router

API_VERSION = "0.1.0"


def operation_id(route: APIRoute) -> str:
    """Stable operation ids (the endpoint's function name) keep the committed openapi.json diff-friendly."""
    return route.name


def build_locator(settings: Settings, gazetteer_locator: GazetteerLocator) -> tuple[Locator, httpx.Client | None]:
    if settings.geocoder_url is None:
        return gazetteer_locator, None
    client = httpx.Client(timeout=settings.geocoder_timeout_s)
    return AddressLocator(gazetteer_locator, client, str(settings.geocoder_url)), client


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = build_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout_s=settings.db_pool_timeout_s,
        )
        app.state.engine = engine
        app.state.session_factory = build_session_factory(engine)
        app.state.gazetteer = load_gazetteer().read_all()  # no request pays for reading the files
        app.state.locator, geocoder_client = build_locator(settings, GazetteerLocator(app.state.gazetteer))
        app.state.match_index = IndexCache()
        app.state.principals = TTLCache(maxsize=10_000, ttl=settings.token_cache_s)
        # Built without touching the network: the provider is first asked at the first sign-in.
        app.state.relying_party = RelyingParty(settings) if settings.oidc_issuer else None
        scheduler = (
            InProcessScheduler(app.state.session_factory, settings, partial(schema_at_head, app.state.session_factory))
            if settings.scheduler_enabled
            else None
        )
        checkpoints = start_wal_checkpoints(engine)  # SQLite: the log checkpointed off the requests' path
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.stop()
            if geocoder_client is not None:
                geocoder_client.close()
            if checkpoints is not None:
                checkpoints.stop()
            engine.dispose()

    app = FastAPI(
        title="mjpm-match",
        version=API_VERSION,
        description=(
            "Aide à la désignation des mandataires judiciaires à la protection des majeurs : registre, "
            "liste de candidats expliquée, désignation sans surréservation, tableaux de bord."
        ),
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    track_registry_changes()
    install_error_handlers(app)
    app.add_exception_handler(EditorRefusal, editor_refusal_handler)
    app.add_middleware(RetryTransactions)  # a PostgreSQL deadlock victim is replayed, never a 500
    large = {"/mesures/lot": settings.bulk_max_bytes, "/mesures/import": settings.import_max_bytes}
    large["/api/editors/mesures/batch"] = settings.bulk_max_bytes
    large["/finess/import"] = settings.finess_max_bytes
    app.add_middleware(BodyLimit, default=settings.body_max_bytes, limits=large)
    app.add_middleware(ServerErrorGuard)  # outside the retries: what they could not save becomes a JSON 500
    app.add_middleware(CallLog)  # vendors' calls logged with their final status (a 500 included)
    routers = [system_router, geo_router, professionals_router]  # professionals before registry: /mandataires/moi
    routers += [registry_router, matching_router, designation_router, audit_router, dashboards_router, transfer_router]
    routers += [planning_router]
    routers += [
        accounts_router,
        members_router,
        tokens_router,
        mesures_export_router,
        editors_router,
        vendors_router,
        finess_router,
        targets_router,
        web_router,
    ]
    routers += [sign_in_router, oidc_router]
    routers += [professional_router, vendor_pages_router, token_pages_router, planning_page_router]
    for router in routers:
        app.include_router(router, responses=error_responses(*COMMON_ERRORS))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_docs(app)
    # Level 1: JSON shrinks almost as much as at higher levels (a 14 kB /match answer to about 2.5 kB) for a
    # fraction of the CPU time.
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_minimum_size, compresslevel=1)
    app.add_middleware(ObservabilityMiddleware)  # outermost: ids, times and logs every answer, compressed or not
    return app
