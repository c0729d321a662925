"""Foundation figures: loading the county-scale demo, and the health endpoint's latency; then
the registry's read figures on that same database (bench/registry.py), and the
responsibility chain's (bench/responsibility.py), visits synced from phones (bench/visits.py),
a cadre's work package (bench/work_package.py), the county's statistics (bench/statistics.py)
and the county's reconciliation (bench/reconciliation.py); last, the field app with a
township's package in Chromium (bench/field_app.py).

Runs on SQLite by default, on PostgreSQL when DATABASE_URL names a server (a fresh database
is made there and dropped afterwards).
"""

import asyncio
import time
from datetime import date
from statistics import median, quantiles

import httpx

from api.app import create_app
from api.db import create_engine, create_sessionmaker
from api.demo import generator, loader
from api.settings import Settings
from bench import (
    field_app,
    imports,
    reconciliation,
    registry,
    responsibility,
    statistics,
    visits,
    work_package,
)
from bench.figures import emit, machine_speed
from tests.databases import fresh_database, migrate


async def demo_load(database_url: str) -> None:
    started = time.perf_counter()
    data = generator.generate(scale="county", seed=2026, reference_date=date(2026, 11, 23))
    generated = time.perf_counter()
    settings = Settings(database_url=database_url)
    engine = create_engine(settings)
    async with create_sessionmaker(engine, settings=settings)() as session:
        await loader.load(session=session, data=data)
    await engine.dispose()
    loaded = time.perf_counter()
    rows = sum(data.counts().values())
    emit("demo_county_generate", generated - started, "s")
    emit("demo_county_load", loaded - generated, "s")
    emit("demo_county_load_rate", rows / (loaded - generated), "rows/s")


async def health_latency(database_url: str, requests: int = 500) -> None:
    app = create_app(Settings(database_url=database_url, log_level="WARNING"))
    transport = httpx.ASGITransport(app=app)
    timings = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(requests):
            started = time.perf_counter()
            response = await client.get("/api/v1/health")
            timings.append(time.perf_counter() - started)
            response.raise_for_status()
    await app.state.engine.dispose()
    emit("health_p50", median(timings) * 1000, "ms")
    emit("health_p95", quantiles(timings, n=20)[18] * 1000, "ms")


async def main() -> None:
    machine_speed()
    async with fresh_database() as url:
        await migrate(url)
        await demo_load(url)
        await health_latency(url)
        await registry.registry_reads(url)
        await responsibility.responsibility_reads(url)
        await visits.visit_ingest(url)
        await work_package.work_package_sizes(url)
        await statistics.statistics_figures(url)
        await reconciliation.reconciliation_figures(url)  # last: it relinks registrations
    await imports.household_imports()  # makes its own fresh databases
    field_app.field_app_figures()  # its own server and browser


if __name__ == "__main__":
    asyncio.run(main())
