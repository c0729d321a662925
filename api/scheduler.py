"""Jobs the app runs on its own, every so often: the deadline scan (escalations.run).

Each run opens its own session. A failed run is logged and the next one comes on time; with
several app servers each runs the scan, which is safe: escalations and notifications are
written once whoever writes them first.
"""

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from fastapi import FastAPI

from api.services import escalations

log = structlog.get_logger(__name__)


async def every(seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            result = await job()
            log.info("job_done", job=name, result=str(result))
        except Exception:  # a job that fails must not stop the next
            log.exception("job_failed", job=name)


def start(app: FastAPI) -> list[asyncio.Task[None]]:
    minutes = app.state.settings.escalation_interval_minutes
    if minutes <= 0:
        return []

    async def scan() -> object:
        async with app.state.sessionmaker() as session:
            return await escalations.run(session=session, settings=app.state.settings)

    return [asyncio.create_task(every(minutes * 60, scan, "escalations"))]
