"""Jobs the app runs on its own: the deadline scan (escalations.run) every so often, the
statistics snapshot's refresh (statistics.refresh_if_due) before readers find it stale, and
at startup the reconciliations a stopped server left unfinished (reconciliations.resume), and
the webhook deliveries due (webhooks.deliver_due) every few seconds.

Each run opens its own session. A failed run is logged and the next one comes on time; with
several app servers each runs the scan, which is safe: escalations and notifications are
written once whoever writes them first.
"""

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import structlog
from fastapi import FastAPI

from api.services.cases import escalations
from api.services.integrations import webhooks
from api.services.rosters import reconciliations
from api.services.statistics import statistics

log = structlog.get_logger(__name__)


async def every(seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            result = await job()
            log.info("job_done", job=name, result=str(result))
        except Exception:  # a job that fails must not stop the next
            log.exception("job_failed", job=name)


async def _resume(app: FastAPI) -> None:
    try:
        resumed = await reconciliations.resume(
            sessionmaker=app.state.sessionmaker, settings=app.state.settings
        )
        log.info("job_done", job="reconciliations_resumed", result=str(resumed))
    except Exception:  # the app serves on; the runs stay queued for the next start
        log.exception("job_failed", job="reconciliations_resumed")


async def _webhooks(app: FastAPI, interval: float) -> None:
    # One client for every run: its connections to the receivers are kept and reused.
    timeout = httpx.Timeout(app.state.settings.webhook_timeout_seconds)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:

        async def deliver() -> object:
            return await webhooks.deliver_due(
                sessionmaker=app.state.sessionmaker, settings=app.state.settings, client=client
            )

        await every(interval, deliver, "webhook_delivery")


def start(app: FastAPI) -> list[asyncio.Task[None]]:
    jobs = [asyncio.create_task(_resume(app))]
    settings = app.state.settings
    if (seconds := settings.statistics_refresh_seconds) > 0:

        async def snapshot() -> object:
            async with app.state.sessionmaker() as session:
                return await statistics.refresh_if_due(session=session, settings=settings)

        # Due at half the age readers take: looked at every quarter, it is never older.
        jobs.append(asyncio.create_task(every(seconds / 4, snapshot, "statistics_snapshot")))
    if (interval := settings.webhook_delivery_interval_seconds) > 0:
        jobs.append(asyncio.create_task(_webhooks(app, interval)))
    minutes = settings.escalation_interval_minutes
    if minutes <= 0:
        return jobs

    async def scan() -> object:
        async with app.state.sessionmaker() as session:
            return await escalations.run(session=session, settings=settings)

    return [*jobs, asyncio.create_task(every(minutes * 60, scan, "escalations"))]
