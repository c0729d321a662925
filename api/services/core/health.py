import asyncio
from dataclasses import dataclass

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class HealthReport:
    database_ok: bool
    database_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.database_ok


async def check(*, engine: AsyncEngine, timeout_seconds: float) -> HealthReport:
    """Ask the database for a trivial answer within a bound, so that a hung server reads as down."""
    try:
        async with asyncio.timeout(timeout_seconds), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure at all means the database cannot serve
        log.warning("health_database_down", error=str(exc)[:300])
        return HealthReport(database_ok=False, database_error=type(exc).__name__)
    return HealthReport(database_ok=True)
