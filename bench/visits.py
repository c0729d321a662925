"""Visits synced from phones (``POST /visits/batch``) on the county demo, in batches of 200.

- ``visits_batch_rate``: visits a second through the API, each with its observations of the
  household's children (most at school, a few out of school, opening cases), exactly once,
  statuses changed, audited;
- ``visits_batch_floor_rate``: the same rows put in the plainest way (a bulk insert of the
  visits and their observations, batch by batch, nothing checked), and
  ``visits_batch_floor_ratio``: the API's time over the floor's;
- ``visits_batch_resend_rate``: the same batches sent again, every item a duplicate;
- ``visits_batch_rate_4_phones``: as ``visits_batch_rate``, other households, with four phones
  sending at once as cadres do at the end of a day (the server's capacity: one request's
  Python runs while another waits on the database);
- ``campaign_coverage_county_p50``: the coverage of the county-wide campaign those visits
  belong to, by village and by cadre.

``python -m bench.visits`` runs these against the database DATABASE_URL names, which must hold
the county demo (``make bench`` makes one).
"""

import asyncio
import gc
import json
import random
import secrets
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import col

from api.app import create_app
from api.models import Child, Enrolment, Household, metadata
from api.models.vocabulary import SchoolingStatus
from api.services.core import bulk
from api.settings import Settings
from bench.figures import emit, machine_speed
from bench.registry import login

BATCH = 200
VISITS = 4_000
OUT_OF_SCHOOL = 0.02  # of the children at school, found at home instead


async def _households(app: Any, seed: int) -> list[tuple[uuid.UUID, list[dict[str, Any]]]]:
    """Households drawn at random, each with what a cadre would observe of its children."""
    async with app.state.engine.connect() as connection:
        rows = (
            await connection.execute(
                select(col(Household.id), col(Child.id), col(Child.schooling_status))
                .join(Child, col(Child.household_id) == col(Household.id))
                .where(col(Household.removed_at).is_(None), col(Child.removed_at).is_(None))
            )
        ).all()
        enrolled = await connection.execute(
            select(col(Enrolment.child_id), col(Enrolment.school_id))
        )
        schools = {child_id: school_id for child_id, school_id in enrolled.all()}
    rng = random.Random(seed)
    members: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for household_id, child_id, status in rows:
        school = schools.get(child_id)
        if status is SchoolingStatus.ENROLLED_IN_COUNTY and school and rng.random() > OUT_OF_SCHOOL:
            seen = {"schooling": "in_school", "school_id": str(school)}
        elif status is SchoolingStatus.ENROLLED_IN_COUNTY:
            seen = {"schooling": "not_in_school", "reason": "weariness"}
        else:
            seen = {"schooling": "away", "whereabouts": "随父母在外"}
        members.setdefault(household_id, []).append({"child_id": str(child_id), **seen})
    picked = rng.sample(sorted(members), VISITS)
    return [(household_id, members[household_id]) for household_id in picked]


def _batches(
    households: list[tuple[uuid.UUID, list[dict[str, Any]]]],
    campaign_id: str | None = None,
    hours_ago: float = 1,
) -> list[dict[str, Any]]:
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    visits = [
        {
            "id": str(uuid.uuid4()),
            "household_id": str(household_id),
            "visited_at": (start + timedelta(milliseconds=n)).isoformat(),
            "outcome": "met",
            "campaign_id": campaign_id,
            "location": {"latitude": 31.2 + n * 1e-5, "longitude": 104.9, "accuracy_m": 12},
            "observations": seen,
        }
        for n, (household_id, seen) in enumerate(households)
    ]
    return [{"visits": visits[i : i + BATCH]} for i in range(0, len(visits), BATCH)]


async def _campaign(client: httpx.AsyncClient, headers: Any, county: str) -> str:
    today = datetime.now(UTC).date()
    body = {"name": f"控辍保学月 {uuid.uuid4().hex[:6]}", "kind": "control_month",
            "areas": [county], "starts_on": (today - timedelta(days=7)).isoformat(),
            "ends_on": (today + timedelta(days=21)).isoformat()}  # fmt: skip
    made = await client.post("/api/v1/campaigns", json=body, headers=headers)
    made.raise_for_status()
    return str(made.json()["id"])


async def _send(client: httpx.AsyncClient, batches: list[dict[str, Any]], headers: Any) -> float:
    # The phone's queue is JSON before it is sent: encoding it is not the server's time.
    bodies = [json.dumps(batch).encode() for batch in batches]
    sent = {**headers, "Content-Type": "application/json"}
    started = time.perf_counter()
    for body in bodies:
        answer = await client.post("/api/v1/visits/batch", content=body, headers=sent)
        answer.raise_for_status()
    return time.perf_counter() - started


async def _send_at_once(
    client: httpx.AsyncClient, batches: list[dict[str, Any]], headers: Any, phones: int
) -> float:
    """The batches shared among ``phones`` phones, each sending its own one after another."""
    bodies = [json.dumps(batch).encode() for batch in batches]
    sent = {**headers, "Content-Type": "application/json"}

    answers: list[httpx.Response] = []

    async def phone(own: list[bytes]) -> None:
        for body in own:
            answer = await client.post("/api/v1/visits/batch", content=body, headers=sent)
            answer.raise_for_status()
            answers.append(answer)

    started = time.perf_counter()
    await asyncio.gather(*(phone(bodies[n::phones]) for n in range(phones)))
    took = time.perf_counter() - started
    # Counted only if every visit was stored: none lost to a race between the phones.
    results = [item["result"] for answer in answers for item in answer.json()["visits"]]
    assert results == ["created"] * len(results), sorted(set(results))
    assert len(results) == sum(len(batch["visits"]) for batch in batches)
    return took


def _visit_row(item: dict[str, Any], visitor: uuid.UUID, now: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "campaign_id": None,
        "household_id": uuid.UUID(item["household_id"]),
        "visitor_id": visitor,
        "visited_at": datetime.fromisoformat(item["visited_at"]),
        "received_at": now,
        "outcome": "met",
        "latitude": item["location"]["latitude"],
        "longitude": item["location"]["longitude"],
        "accuracy_m": 12.0,
        "note": None,
        "content_sha256": "0" * 64,
    }


def _observation_row(
    visit_id: uuid.UUID, visited_at: datetime, seen: dict[str, Any]
) -> dict[str, Any]:
    return {
        "visit_id": visit_id,
        "child_id": uuid.UUID(seen["child_id"]),
        "observed_at": visited_at,
        "schooling": seen["schooling"],
        "school_id": uuid.UUID(seen["school_id"]) if "school_id" in seen else None,
        "school_name": None,
        "grade": None,
        "reason": seen.get("reason"),
        "whereabouts": seen.get("whereabouts"),
        "applied": True,
    }


async def _floor(app: Any, batches: list[dict[str, Any]], visitor: uuid.UUID) -> float:
    """The same visits and observations, as rows, inserted batch by batch with no checks."""
    now = datetime.now(UTC)
    prepared = []
    for batch in batches:
        visits = [_visit_row(item, visitor, now) for item in batch["visits"]]
        observations = [
            _observation_row(row["id"], row["visited_at"], seen)
            for row, item in zip(visits, batch["visits"], strict=True)
            for seen in item["observations"]
        ]
        prepared.append((visits, observations))
    started = time.perf_counter()
    for visits, observations in prepared:
        async with app.state.engine.begin() as connection:
            await bulk.insert_rows(
                connection=connection, table=metadata.tables["visit"], rows=visits
            )
            await bulk.insert_rows(
                connection=connection, table=metadata.tables["visit_observation"], rows=observations
            )
    return time.perf_counter() - started


async def visit_ingest(database_url: str, seed: int = 2026) -> None:
    settings = Settings(
        database_url=database_url,
        log_level="WARNING",
        jwt_secret=SecretStr(secrets.token_urlsafe(32)),
    )
    app = create_app(settings)
    try:
        households = await _households(app, seed)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            token = await login(client, "demo.county")
            headers = {"Authorization": f"Bearer {token}"}
            me = (await client.get("/api/v1/me", headers=headers)).json()
            campaign = await _campaign(client, headers, me["areas"][0]["code"])
            batches = _batches(households, campaign)
            # FastAPI prepares its routes on the first requests: not the batches' to pay.
            await _send(client, [{"visits": []}], headers)
            # The bench's own objects (the county's households, the batches) are no server's
            # to walk at each full collection: set aside before the clock starts.
            gc.collect()
            gc.freeze()
            took = await _send(client, batches, headers)
            emit("visits_batch_rate", VISITS / took, "visits/s")
            floor = await _floor(app, batches, uuid.UUID(me["id"]))
            emit("visits_batch_floor_rate", VISITS / floor, "visits/s")
            emit("visits_batch_floor_ratio", took / floor, "x")
            again = await _send(client, batches, headers)
            emit("visits_batch_resend_rate", VISITS / again, "visits/s")
            # Later visits, so that a household drawn twice is seen anew, not out of order.
            others = _batches(await _households(app, seed + 1), campaign, hours_ago=0.5)
            at_once = await _send_at_once(client, others, headers, phones=4)
            emit("visits_batch_rate_4_phones", VISITS / at_once, "visits/s")
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                answer = await client.get(f"/api/v1/campaigns/{campaign}/coverage", headers=headers)
                runs.append(time.perf_counter() - started)
                answer.raise_for_status()
            emit("campaign_coverage_county_p50", statistics.median(runs) * 1000, "ms")
    finally:
        gc.unfreeze()
        await app.state.engine.dispose()


if __name__ == "__main__":
    machine_speed()
    asyncio.run(visit_ingest(Settings().database_url))
