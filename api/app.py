"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from api import openapi, problems, pwa, scheduler, security
from api.db import create_engine, create_sessionmaker
from api.observability import RequestContextMiddleware, configure_logging
from api.routers import (
    areas,
    assessment,
    assignment_import,
    assignments,
    attachments,
    audit,
    auth,
    campaigns,
    case_transfers,
    cases,
    children,
    enrolments,
    exports,
    follow_ups,
    health,
    household_import,
    households,
    integration_clients,
    me,
    monthly_report,
    notifications,
    persuasion_attempts,
    poverty_lists,
    reconciliations,
    responsibility,
    return_plans,
    rosters,
    schools,
    statistics,
    status_applications,
    users,
    visits,
    webhooks,
    work_package,
)
from api.schemas.rosters import RosterUploadDoc
from api.schemas.visits import VisitBatch
from api.services.access.rate_limits import RateLimiter
from api.settings import Settings, get_settings

API_PREFIX = "/api/v1"
log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("startup", database=app.state.engine.dialect.name, pwa=app.state.pwa_mounted)
        jobs = scheduler.start(app)
        yield
        for job in jobs:
            job.cancel()
        await app.state.engine.dispose()

    app = FastAPI(
        title="保学通 Baoxue API",
        summary="控辍保学: keeping every school-age child in school.",
        version="1.0.0",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
        generate_unique_id_function=openapi.operation_id,
    )
    app.state.settings = settings
    app.state.engine = create_engine(settings)
    app.state.sessionmaker = create_sessionmaker(app.state.engine, settings=settings)
    app.state.rate_limiter = RateLimiter()

    problems.install(app)
    # A phone on a weak signal downloads its work package and the app's scripts compressed;
    # zlib's own default level: level 9 costs twice the time for a few per cent.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(RequestContextMiddleware, on_error=problems.internal_error)
    # Added last, so outermost: even a crash's 500 carries the security headers.
    security.install(app, settings, api_prefix=API_PREFIX)
    routers = (
        health,
        auth,
        me,
        users,
        integration_clients,
        areas,
        rosters,
        schools,
        household_import,
        households,
        children,
        enrolments,
        status_applications,
        attachments,
        assignment_import,
        assignments,
        responsibility,
        cases,
        case_transfers,
        return_plans,
        persuasion_attempts,
        follow_ups,
        exports,
        notifications,
        campaigns,
        visits,
        reconciliations,
        poverty_lists,
        work_package,
        statistics,
        assessment,
        monthly_report,
        audit,
        webhooks,
    )
    for router in (module.router for module in routers):
        app.include_router(router, prefix=API_PREFIX)
    openapi.document(app, {visits.BATCH_SCHEMA: VisitBatch, rosters.UPLOAD_SCHEMA: RosterUploadDoc})
    # Last, so that every API route wins over the app's catch-all.
    app.state.pwa_mounted = pwa.mount(app, settings.pwa_dist)
    return app
