"""Responsibility figures on the county demo (60,000 children, its staff on both lines).

- ``responsibility_chain_p50`` / ``_p95``: ``GET /children/{id}/responsibility`` for children
  drawn at random, as the county administrator;
- ``responsibility_gaps_county_p50``: ``GET /responsibility/gaps`` for the whole county (every
  village, group, school, class, and each child's two lines checked);
- ``responsibility_gaps_township_p50``: the same for one township;
- ``accountability_units_p50`` / ``accountability_people_p50``: a page of 50 units or people
  with their 考核 figures, county-wide.

``python -m bench.responsibility`` runs these against the database DATABASE_URL names, which
must hold the county demo (``make bench`` makes one).
"""

import asyncio
import random
import secrets
import statistics
import time

import httpx
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import col

from api.app import create_app
from api.models import Area, Child
from api.models.vocabulary import AreaLevel
from api.settings import Settings
from bench.figures import emit, machine_speed
from bench.registry import login

CHAINS = 200
REPORTS = 5


async def responsibility_reads(database_url: str, seed: int = 2026) -> None:
    settings = Settings(
        database_url=database_url,
        log_level="WARNING",
        jwt_secret=SecretStr(secrets.token_urlsafe(32)),
    )
    app = create_app(settings)
    try:
        async with app.state.engine.connect() as connection:
            children = (await connection.execute(select(col(Child.id)))).scalars().all()
            township = (
                await connection.execute(
                    select(col(Area.code)).where(col(Area.level) == AreaLevel.TOWNSHIP).limit(1)
                )
            ).scalar_one()
        picked = random.Random(seed).sample(list(children), CHAINS)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"Authorization": f"Bearer {await login(client, 'demo.county')}"}
            timings = []
            for child_id in picked:
                started = time.perf_counter()
                answer = await client.get(
                    f"/api/v1/children/{child_id}/responsibility", headers=headers
                )
                timings.append(time.perf_counter() - started)
                answer.raise_for_status()
            emit("responsibility_chain_p50", statistics.median(timings) * 1000, "ms")
            emit(
                "responsibility_chain_p95",
                statistics.quantiles(timings, n=20)[18] * 1000,
                "ms",
            )
            for name, params in (("county", {}), ("township", {"area": township})):
                runs = []
                for _ in range(REPORTS):
                    started = time.perf_counter()
                    report = await client.get(
                        "/api/v1/responsibility/gaps", params=params, headers=headers
                    )
                    runs.append(time.perf_counter() - started)
                    report.raise_for_status()
                emit(f"responsibility_gaps_{name}_p50", statistics.median(runs) * 1000, "ms")
            for view in ("units", "people"):
                runs = []
                for _ in range(REPORTS):
                    started = time.perf_counter()
                    page = await client.get(
                        f"/api/v1/responsibility/accountability/{view}", headers=headers
                    )
                    runs.append(time.perf_counter() - started)
                    page.raise_for_status()
                emit(f"accountability_{view}_p50", statistics.median(runs) * 1000, "ms")
    finally:
        await app.state.engine.dispose()


if __name__ == "__main__":
    machine_speed()
    asyncio.run(responsibility_reads(Settings().database_url))
