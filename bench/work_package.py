"""A cadre's work package (``GET /work-package``) on the county demo, for groups holding at
least PACKAGE households (the issue's 600-household village):

- ``work_package_households``: the households in it (whole groups, so a few more than asked);
- ``work_package_gzip``: its size as sent to a phone that accepts gzip, and
  ``work_package_json``: uncompressed;
- ``work_package_p50``: the time to answer it whole;
- ``work_package_delta_gzip``: a second download with ``since`` after one household's visit;
- ``work_package_not_modified_p50``: the time to answer 304 to the ETag of the last.

``python -m bench.work_package`` runs these against the database DATABASE_URL names, which
must hold the county demo (``make bench`` makes one).
"""

import asyncio
import gzip
import json
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlmodel import col

from api.app import create_app
from api.demo.loader import DEMO_PASSWORD
from api.models import Household, User, UserScope
from api.models.vocabulary import UserRole
from api.services.access.passwords import hash_password
from api.settings import Settings
from bench.figures import emit, machine_speed
from bench.registry import login

PACKAGE = 600
RUNS = 7


async def _cadre(app: Any) -> str:
    """A village cadre covering whole groups of one township, PACKAGE households or more."""
    async with app.state.engine.begin() as connection:
        sizes = (
            await connection.execute(
                select(col(Household.area_code), func.count())
                .where(col(Household.removed_at).is_(None))
                .group_by(col(Household.area_code))
                .order_by(col(Household.area_code))
            )
        ).all()
        groups, held = [], 0
        for code, households in sizes:
            if held >= PACKAGE:
                break
            groups.append(code)
            held += households
        username = f"bench.cadre.{uuid.uuid4().hex[:6]}"
        user = User(username=username, display_name="测试村干部", role=UserRole.VILLAGE_CADRE,
                    password_hash=hash_password(DEMO_PASSWORD))  # fmt: skip
        await connection.execute(User.__table__.insert().values(**user.model_dump()))  # type: ignore[attr-defined]
        await connection.execute(
            UserScope.__table__.insert(),  # type: ignore[attr-defined]
            [UserScope(user_id=user.id, area_code=code).model_dump() for code in groups],
        )
    return username


async def _get(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> tuple[httpx.Response, bytes]:
    """The answer, and its body as sent: compressed when the answer says so."""
    request = client.build_request("GET", "/api/v1/work-package", params=params, headers=headers)
    response = await client.send(request, stream=True)
    raw = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    return response, raw


async def work_package_sizes(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, log_level="WARNING"))
    try:
        username = await _cadre(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            token = await login(client, username)
            headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
            runs = []
            for _ in range(RUNS):
                started = time.perf_counter()
                answer, sent = await _get(client, headers)
                runs.append(time.perf_counter() - started)
            assert answer.status_code == 200
            assert answer.headers["content-encoding"] == "gzip"
            body = gzip.decompress(sent)
            package = json.loads(body)
            emit("work_package_households", len(package["households"]), "households")
            emit("work_package_json", len(body) / 1024, "KiB")
            emit("work_package_gzip", len(sent) / 1024, "KiB")
            emit("work_package_p50", statistics.median(runs) * 1000, "ms")
            household = package["households"][0]["id"]
            now = datetime.now(UTC).isoformat()
            visit = {"id": str(uuid.uuid4()), "household_id": household, "visited_at": now,
                     "outcome": "nobody_home"}  # fmt: skip
            sync = await client.post(
                "/api/v1/visits/batch", json={"visits": [visit]}, headers=headers
            )
            sync.raise_for_status()
            delta, delta_sent = await _get(client, headers, since=package["version"])
            assert delta.status_code == 200, delta.status_code
            emit("work_package_delta_gzip", len(delta_sent) / 1024, "KiB")
            current = await client.get("/api/v1/work-package", headers=headers)
            etag = {**headers, "If-None-Match": current.headers["ETag"]}
            runs = []
            for _ in range(RUNS):
                started = time.perf_counter()
                same = await client.get("/api/v1/work-package", headers=etag)
                runs.append(time.perf_counter() - started)
                assert same.status_code == 304, same.status_code
            emit("work_package_not_modified_p50", statistics.median(runs) * 1000, "ms")
    finally:
        await app.state.engine.dispose()


if __name__ == "__main__":
    machine_speed()
    asyncio.run(work_package_sizes(Settings().database_url))
