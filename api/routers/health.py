from fastapi import APIRouter

from api.deps import EngineDep, SettingsDep
from api.problems import Problem
from api.schemas.health import Health
from api.services.core import health

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Liveness and database readiness",
    responses={503: {"description": "A part is down; the problem names it"}},
)
async def get_health(engine: EngineDep, settings: SettingsDep) -> Health:
    report = await health.check(engine=engine, timeout_seconds=settings.database_timeout_seconds)
    if not report.ok:
        raise Problem(
            503,
            "The database is not answering.",
            slug="unhealthy",
            database="unavailable",
            database_error=report.database_error,
        )
    return Health(status="ok", database="ok")
