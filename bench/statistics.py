"""The county's statistics on the county demo (issue 10's targets: the overview of the whole
county under 200 ms p95, the full breakdown under 1 s), as the county admin (demo.county),
who reads them as everyone covering areas does: summed from the statistics snapshot
(api/services/statistics/statistics_snapshot.py), made beforehand as the app's scheduler makes it:

- ``stats_refresh``: one full refresh of the snapshot (every count of every area, and the
  coverage of the campaigns shown), median of three; what the scheduler spends every few
  minutes, and a reader when there is none or it is stale;
- ``stats_overview_p50`` / ``_p95``: ``GET /stats/overview``, the whole county;
- ``stats_breakdown_<by>_p95``: ``GET /stats/breakdown?by=<by>``, for each breakdown;
- ``stats_breakdown_full``: every breakdown, one after the other, median of the runs;
- ``stats_overview_floor_p95``: the plainest work of the same kind beside it, one
  ``SELECT count(*)`` over the children, so that the overview's figure reads against what
  this database takes for any scan of them.

``python -m bench.statistics`` runs these against the database DATABASE_URL names, which must hold
the county demo (``make bench`` makes one); it is migrated to the current schema first, and
the snapshot written there.
"""

import asyncio
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable
from functools import partial

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select, text

from api.app import create_app
from api.models import Child
from api.schemas.statistics import BREAKDOWNS
from api.services.statistics import statistics as figures
from api.settings import Settings
from bench.figures import emit
from bench.registry import login
from tests.databases import migrate

RUNS = 40
WARMUPS = 3


def _p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[18] * 1000


async def _timed(
    call: Callable[[], Awaitable[None]], runs: int, warmups: int = WARMUPS
) -> list[float]:
    for _ in range(warmups):
        await call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - started)
    return timings


async def statistics_figures(database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        log_level="WARNING",
        jwt_secret=SecretStr(secrets.token_urlsafe(32)),
    )
    app = create_app(settings)
    engine = app.state.engine
    try:
        async with engine.connect() as connection:
            # What the database's own maintenance does after a bulk load (autovacuum on
            # PostgreSQL, `PRAGMA optimize` on SQLite): planner statistics.
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            vacuum = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
            await autocommit.execute(text(vacuum))

        async def refresh() -> None:
            async with app.state.sessionmaker() as session:
                await figures.refresh(session=session, settings=settings)

        refreshes = await _timed(refresh, 3, warmups=0)
        emit("stats_refresh", statistics.median(refreshes) * 1000, "ms")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"Authorization": f"Bearer {await login(client, 'demo.county')}"}

            async def get(path: str) -> None:
                response = await client.get(f"/api/v1/stats/{path}", headers=headers)
                response.raise_for_status()

            overview = await _timed(lambda: get("overview"), RUNS)
            emit("stats_overview_p50", statistics.median(overview) * 1000, "ms")
            emit("stats_overview_p95", _p95(overview), "ms")

            async def floor() -> None:
                async with engine.connect() as connection:
                    await connection.execute(select(func.count()).select_from(Child))

            emit("stats_overview_floor_p95", _p95(await _timed(floor, RUNS)), "ms")
            for by in BREAKDOWNS:
                timings = await _timed(partial(get, f"breakdown?by={by}"), RUNS // 4)
                emit(f"stats_breakdown_{by}_p95", _p95(timings), "ms")

            async def full() -> None:
                for by in BREAKDOWNS:
                    await get(f"breakdown?by={by}")

            emit("stats_breakdown_full", statistics.median(await _timed(full, 5)) * 1000, "ms")
    finally:
        await engine.dispose()


async def _main(database_url: str) -> None:
    await migrate(database_url)
    await statistics_figures(database_url)


if __name__ == "__main__":
    asyncio.run(_main(Settings().database_url))
