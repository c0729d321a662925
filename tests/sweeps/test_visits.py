"""Household visits from phones: exactly once, out of order, offline finds, cases opened once."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Case, Child, SchoolingStatusChange, Visit, VisitObservation
from api.models.vocabulary import UserRole
from api.services.core import school_age
from api.services.registry import id_number
from api.settings import Settings
from tests import world as w

BATCH = "/api/v1/visits/batch"


@pytest.fixture
async def world(session: AsyncSession, settings: Settings) -> w.World:
    built = await w.build(session, settings)
    # Registered a while ago: the visits of the tests come after.
    await session.exec(
        update(Child).values(status_changed_at=datetime.now(UTC) - timedelta(days=10))
    )
    await session.commit()
    return built


def at(hours_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()


def visit(
    household: Any, *seen: dict[str, Any], hours_ago: float = 1, **extra: Any
) -> dict[str, Any]:
    outcome = "met" if seen else "nobody_home"
    return {"id": str(uuid.uuid4()), "household_id": str(household), "visited_at": at(hours_ago),
            "outcome": outcome, "observations": list(seen), **extra}  # fmt: skip


def out_of_school(child: Any, reason: str = "weariness") -> dict[str, Any]:
    return {"child_id": str(child), "schooling": "not_in_school", "reason": reason,
            "whereabouts": "在家帮忙"}  # fmt: skip


def in_school(child: Any, school: Any) -> dict[str, Any]:
    return {"child_id": str(child), "schooling": "in_school", "school_id": str(school), "grade": 3}


async def count(session: AsyncSession, model: Any) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


async def cadre(client: httpx.AsyncClient, session: AsyncSession, world: w.World) -> dict[str, str]:
    return await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.EAST)


async def test_a_batch_sent_twice_is_stored_once(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await cadre(client, session, world)
    east = world.schools["east"]
    batch = {"visits": [
        visit(world.households["dong_a"], in_school(world.children["dong_a"], east)),
        visit(world.households["dong_b"]),
        visit(world.households["nan_a"], hours_ago=2),
    ]}  # fmt: skip
    first = await client.post(BATCH, json=batch, headers=headers)
    assert first.status_code == 200, first.text
    assert [v["result"] for v in first.json()["visits"]] == ["created"] * 3
    stored = (await count(session, Visit), await count(session, VisitObservation))
    assert stored == (3, 1)
    again = await client.post(BATCH, json=batch, headers=headers)
    assert [v["result"] for v in again.json()["visits"]] == ["duplicate"] * 3
    assert (await count(session, Visit), await count(session, VisitObservation)) == stored
    kept = await session.get(Visit, uuid.UUID(batch["visits"][0]["id"]))
    assert kept is not None
    assert kept.received_at >= kept.visited_at


async def test_one_bad_item_is_invalid_and_the_others_are_stored(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await cadre(client, session, world)
    good = visit(world.households["dong_a"])
    nobody_home_yet_observed = visit(world.households["dong_b"], in_school(
        world.children["dong_b"], world.schools["east"]), outcome="nobody_home")  # fmt: skip
    elsewhere = visit(world.households["xi_a"])  # 西村: not this cadre's
    wrong_child = visit(world.households["dong_a"], in_school(world.children["nan_a"],
                                                              world.schools["east"]))  # fmt: skip
    not_a_visit = {"id": "not-a-uuid", "outcome": "met"}
    batch = {"visits": [good, nobody_home_yet_observed, elsewhere, wrong_child, not_a_visit]}
    answer = await client.post(BATCH, json=batch, headers=headers)
    assert answer.status_code == 200
    results = answer.json()["visits"]
    assert [r["result"] for r in results] == ["created", "invalid", "invalid", "invalid", "invalid"]
    assert results[2]["errors"][0]["loc"] == ["household_id"]
    assert results[3]["errors"][0]["loc"] == ["observations", 0, "child_id"]
    assert {tuple(e["loc"]) for e in results[4]["errors"]} >= {("id",), ("household_id",)}
    assert await count(session, Visit) == 1


async def test_a_reused_id_with_other_content_is_a_conflict_and_overwrites_nothing(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await cadre(client, session, world)
    first = visit(world.households["dong_a"])
    assert (await client.post(BATCH, json={"visits": [first]}, headers=headers)).status_code == 200
    changed = {**first, "outcome": "refused", "note": "拒绝开门"}
    answer = await client.post(BATCH, json={"visits": [changed]}, headers=headers)
    assert answer.json()["visits"][0]["result"] == "conflict"
    kept = await session.get(Visit, uuid.UUID(first["id"]))
    assert kept is not None
    assert (kept.outcome.value, kept.note) == ("nobody_home", None)


async def test_an_older_observation_does_not_overwrite_a_newer_one(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await cadre(client, session, world)
    child = world.children["nan_a"]
    newer = visit(world.households["nan_a"], in_school(child, world.schools["east"]), hours_ago=1)
    older = visit(world.households["nan_a"], out_of_school(child), hours_ago=5)
    assert (await client.post(BATCH, json={"visits": [newer]}, headers=headers)).status_code == 200
    late = (await client.post(BATCH, json={"visits": [older]}, headers=headers)).json()["visits"][0]
    assert late["result"] == "conflict"
    assert late["server_state"][0]["schooling_status"] == "enrolled_in_county"
    assert late["case_ids"] == []
    # The visit itself is kept, its observation marked as not applied.
    stored = await session.get(Visit, uuid.UUID(older["id"]))
    assert stored is not None
    seen = (await session.exec(select(VisitObservation).where(
        col(VisitObservation.visit_id) == stored.id))).one()  # fmt: skip
    assert seen.applied is False
    assert await count(session, Case) == 0
    # Within one batch too: the order the phone sent them in does not matter.
    east = world.schools["east"]
    both = {"visits": [
        visit(world.households["dong_b"], in_school(world.children["dong_b"], east), hours_ago=1),
        visit(world.households["dong_b"], out_of_school(world.children["dong_b"]), hours_ago=3),
    ]}  # fmt: skip
    answer = (await client.post(BATCH, json=both, headers=headers)).json()["visits"]
    assert [v["result"] for v in answer] == ["created", "created"]
    now = await session.get(Child, world.children["dong_b"])
    assert now is not None
    await session.refresh(now)
    assert now.schooling_status.value == "enrolled_in_county"


async def test_a_child_found_out_of_school_opens_one_case_with_its_clock(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await cadre(client, session, world)
    child = world.children["dong_a"]
    first = visit(world.households["dong_a"], out_of_school(child, "family_change"), hours_ago=30)
    answer = (await client.post(BATCH, json={"visits": [first]}, headers=headers)).json()
    [case_id] = answer["visits"][0]["case_ids"]
    second = visit(world.households["dong_a"], out_of_school(child), hours_ago=2)
    again = (await client.post(BATCH, json={"visits": [second]}, headers=headers)).json()
    assert again["visits"][0]["result"] == "created"
    assert again["visits"][0]["case_ids"] == []
    cases = (await session.exec(select(Case))).all()
    assert [c.id for c in cases] == [uuid.UUID(case_id)]
    case = cases[0]
    assert (case.source.value, case.reason.value, case.status.value) == (
        "sweep", "family_change", "reported")  # fmt: skip
    noticed = datetime.fromisoformat(first["visited_at"])
    assert case.noticed_at == noticed
    assert case.school_due_at - case.noticed_at == timedelta(hours=24)
    assert case.school_id == world.schools["east"]
    detail = await client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert detail.json()["deadlines"]["school"]["state"] == "met_late"  # synced 30 h later
    history = (await session.exec(select(SchoolingStatusChange).where(
        col(SchoolingStatusChange.child_id) == child))).all()  # fmt: skip
    assert [(h.from_status.value if h.from_status else None, h.to_status.value, h.source.value)
            for h in history] == [("enrolled_in_county", "dropped_out", "sweep")]  # fmt: skip


async def test_a_reason_implausible_for_the_childs_age_makes_the_item_invalid(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    """A third-grader found out of school for 早婚: the item is invalid naming the
    observation's reason, nothing of it stored and no case opened, the batch's other items
    stored; the cadre's phone keeps the visit, and sent again with a reason it is taken."""
    headers = await cadre(client, session, world)
    child = world.children["dong_a"]
    married = visit(world.households["dong_a"], out_of_school(child, "early_marriage"))
    other = visit(world.households["dong_b"], out_of_school(world.children["dong_b"], "weariness"))
    answer = await client.post(BATCH, json={"visits": [married, other]}, headers=headers)
    assert answer.status_code == 200, answer.text
    refused, stored = answer.json()["visits"]
    assert (refused["result"], stored["result"]) == ("invalid", "created")
    assert [e["loc"] for e in refused["errors"]] == [["observations", 0, "reason"]]
    assert "not under 14" in refused["errors"][0]["msg"]
    assert refused["case_ids"] == []
    assert len(stored["case_ids"]) == 1
    assert await session.get(Visit, uuid.UUID(married["id"])) is None
    changes = select(SchoolingStatusChange).where(col(SchoolingStatusChange.child_id) == child)
    assert (await session.exec(changes)).all() == []
    opened = (await session.exec(select(Case.child_id))).all()
    assert opened == [world.children["dong_b"]]
    again = {**married, "observations": [out_of_school(child, "unknown")]}
    taken = (await client.post(BATCH, json={"visits": [again]}, headers=headers)).json()
    assert taken["visits"][0]["result"] == "created"
    case = await session.get(Case, uuid.UUID(taken["visits"][0]["case_ids"][0]))
    assert case is not None
    assert case.reason.value == "unknown"


async def test_households_and_children_found_in_the_field_come_in_the_same_batch(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, world: w.World
) -> None:
    headers = await cadre(client, session, world)
    household = {"id": str(uuid.uuid4()), "area_code": w.DONG_GROUP, "address": "东村一组新建房",
                 "head_name": "钱大海"}  # fmt: skip
    year = school_age.school_year_of(date.today(), settings)
    born, _ = school_age.birth_dates_for_grade(2, year, settings)
    number = id_number.make(area_code="510821", birth_date=born, sequence=777)
    child = {"id": str(uuid.uuid4()), "household_id": household["id"], "name": "钱小溪",
             "sex": "male", "birth_date": born.isoformat(), "id_number": number}  # fmt: skip
    bad_child = {"id": str(uuid.uuid4()), "household_id": household["id"], "name": "钱小河",
                 "sex": "male", "birth_date": born.isoformat(), "id_number": "510821"}  # fmt: skip
    batch = {
        "households": [household],
        "children": [child, bad_child],
        "visits": [visit(household["id"], out_of_school(child["id"], "economic_hardship"))],
    }
    answer = (await client.post(BATCH, json=batch, headers=headers)).json()
    assert [h["result"] for h in answer["households"]] == ["created"]
    assert [c["result"] for c in answer["children"]] == ["created", "invalid"]
    assert answer["children"][1]["errors"][0]["loc"] == ["id_number"]
    assert answer["visits"][0]["result"] == "created"
    assert len(answer["visits"][0]["case_ids"]) == 1
    again = (await client.post(BATCH, json=batch, headers=headers)).json()
    assert [h["result"] for h in again["households"]] == ["duplicate"]
    assert again["children"][0]["result"] == "duplicate"
    assert again["visits"][0]["result"] == "duplicate"
    moved = {**household, "address": "别处"}
    conflict = (await client.post(BATCH, json={"households": [moved]}, headers=headers)).json()
    assert conflict["households"][0]["result"] == "conflict"


async def test_visits_name_a_started_campaign(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    today = date.today()
    running = await client.post("/api/v1/campaigns", json={
        "name": "秋季开学摸排", "kind": "semester_survey", "areas": [w.EAST],
        "starts_on": (today - timedelta(days=3)).isoformat(),
        "ends_on": (today + timedelta(days=24)).isoformat()}, headers=county)  # fmt: skip
    assert running.status_code == 201, running.text
    body = running.json()
    assert body["started_at"] is not None
    assert body["households_in_scope"] == 3  # dong_a, dong_b, nan_a: 东镇's
    assert [p["phase"] for p in body["phases"]] == ["publicity", "sweep", "return", "summary"]
    assert body["phases"][-1]["ends_on"] == body["ends_on"]
    planned = await client.post("/api/v1/campaigns", json={
        "name": "暑期家访", "kind": "summer_visits", "areas": [w.EAST],
        "starts_on": (today + timedelta(days=200)).isoformat(),
        "ends_on": (today + timedelta(days=260)).isoformat()}, headers=county)  # fmt: skip
    assert planned.json()["started_at"] is None
    headers = await cadre(client, session, world)
    batch = {"visits": [
        visit(world.households["dong_a"], campaign_id=body["id"]),
        visit(world.households["dong_b"], campaign_id=planned.json()["id"]),
    ]}  # fmt: skip
    answer = (await client.post(BATCH, json=batch, headers=headers)).json()["visits"]
    assert [v["result"] for v in answer] == ["created", "invalid"]
    assert answer[1]["errors"][0]["loc"] == ["campaign_id"]
    started = await client.post(f"/api/v1/campaigns/{planned.json()['id']}/start", headers=county)
    assert started.status_code == 200
    assert started.json()["households_in_scope"] == 3
    twice = await client.post(f"/api/v1/campaigns/{planned.json()['id']}/start", headers=county)
    assert twice.status_code == 409
    bad = await client.post("/api/v1/campaigns", json={
        "name": "越界的活动", "kind": "control_month", "areas": [w.NEIGHBOUR],
        "starts_on": today.isoformat(), "ends_on": today.isoformat(),
        "phases": [{"phase": "sweep", "starts_on": (today - timedelta(days=1)).isoformat(),
                    "ends_on": today.isoformat()}]}, headers=county)  # fmt: skip
    assert bad.status_code == 422
    assert {tuple(e["loc"][1:]) for e in bad.json()["errors"]} == {("areas", 0), ("phases", 0)}


async def test_coverage_counts_households_and_children_by_area_and_cadre(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    group_cadre = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    assigned = await client.post("/api/v1/assignments", json={
        "kind": "group", "user_id": str(group_cadre.user_id), "area_code": w.DONG_GROUP},
        headers=county)  # fmt: skip
    assert assigned.status_code == 201
    today = date.today()
    made = await client.post("/api/v1/campaigns", json={
        "name": "控辍保学月", "kind": "control_month", "areas": [w.EAST],
        "starts_on": (today - timedelta(days=1)).isoformat(),
        "ends_on": (today + timedelta(days=27)).isoformat()}, headers=county)  # fmt: skip
    campaign = made.json()["id"]
    newcomer = {"area_code": w.NAN, "address": "南村新户", "head_name": "周新"}
    later = await client.post("/api/v1/households", json=newcomer, headers=county)
    assert later.status_code == 201
    headers = await cadre(client, session, world)
    east = world.schools["east"]
    batch = {"visits": [
        visit(world.households["dong_a"], in_school(world.children["dong_a"], east),
              campaign_id=campaign),
        visit(world.households["dong_b"], campaign_id=campaign),
        visit(world.households["nan_a"], campaign_id=campaign, hours_ago=0.5,
              outcome="refused"),
        visit(world.households["xi_a"], campaign_id=campaign),  # not this cadre's: invalid
    ]}  # fmt: skip
    answer = (await client.post(BATCH, json=batch, headers=headers)).json()["visits"]
    assert [v["result"] for v in answer] == ["created", "created", "created", "invalid"]

    url = f"/api/v1/campaigns/{campaign}"
    got = (await client.get(f"{url}/coverage", headers=county)).json()
    assert got["total"] == {"households": 4, "visited": 1, "to_revisit": 1, "refused": 1,
                            "not_visited": 1, "children": 3, "children_confirmed": 1}  # fmt: skip
    by_area = {a["code"]: (a["name"], a["counts"]["households"], a["counts"]["visited"])
               for a in got["by_area"]}  # fmt: skip
    assert by_area == {w.DONG: ("东村", 2, 1), w.NAN: ("南村", 2, 0)}
    by_cadre = {(c["person"] or {}).get("id"): c["counts"]["households"] for c in got["by_cadre"]}
    assert by_cadre == {str(group_cadre.user_id): 1, None: 3}
    townships = (await client.get(f"{url}/coverage", params={"level": "township"},
                                  headers=county)).json()  # fmt: skip
    assert [(a["code"], a["name"]) for a in townships["by_area"]] == [(w.EAST, "东镇")]

    left = (await client.get(f"{url}/unvisited", headers=county)).json()
    assert [(h["address"], h["to_revisit"]) for h in left["items"]] == [
        ("李家院子2号", True), ("南村新户", False)]  # fmt: skip
    mine = await client.get(f"{url}/unvisited", params={"cadre": str(group_cadre.user_id)},
                            headers=county)  # fmt: skip
    assert mine.json()["total"] == 0
    # Outside the caller's areas nothing is counted.
    west = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST)
    assert (await client.get(f"{url}/coverage", headers=west)).status_code == 404
