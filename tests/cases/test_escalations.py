"""Deadlines near and passed: the one who must act is told, and the one above when it passed;
each escalation recorded once, each notification sent once."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from api import scheduler
from api.app import create_app
from api.models import Assignment, FollowUp
from api.models.vocabulary import AssignmentKind, UserRole
from api.settings import Settings
from tests import world as w
from tests.cases.test_cases import URL, act, report
from tests.cases.test_return_plans import headers_of, lines
from tests.factories import Login, bearer, make_user

RUN = "/api/v1/escalations/run"
MANUAL = {"source": "manual", "days_absent": None}  # no teacher's count of days
INBOX = "/api/v1/notifications"


async def above(session: AsyncSession, world: w.World) -> tuple[Login, Login]:
    """Above 张小明's cadre and teacher: a township cadre covering 东村 (包村) and the
    principal covering the school (包校)."""
    township = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    principal = await world.login(session, UserRole.PRINCIPAL, school="east")
    since = date.today() - timedelta(days=30)
    session.add_all([
        Assignment(kind=AssignmentKind.VILLAGE, user_id=township.user_id, area_code=w.DONG,
                   valid_from=since),
        Assignment(kind=AssignmentKind.SCHOOL, user_id=principal.user_id,
                   school_id=world.schools["east"], valid_from=since),
    ])  # fmt: skip
    await session.commit()
    return township, principal


def days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


async def inbox(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Any:
    answer = await client.get(INBOX, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_an_overdue_case_goes_up_both_lines_once(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    cadre, teacher = await lines(session, world)
    township, principal = await above(session, world)
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    case = await report(client, county, world.children["dong_a"], noticed_at=days_ago(10), **MANUAL)
    on_time = await report(
        client, county, world.children["dong_b"], noticed_at=days_ago(10), **MANUAL
    )
    await act(client, county, on_time, "report_upward")  # late, but reported: nothing to chase
    first = await client.post(RUN, headers=county)
    assert first.status_code == 200, first.text
    assert first.json() == {"escalated": 2, "notified": 4}
    assert (await client.post(RUN, headers=county)).json() == {"escalated": 0, "notified": 0}
    detail = (await client.get(f"{URL}/{case['id']}", headers=county)).json()
    taken = {(e["line"], e["from_user_id"], e["to_user_id"]) for e in detail["escalations"]}
    assert taken == {
        ("government", str(cadre.user_id), str(township.user_id)),
        ("school", str(teacher.user_id), str(principal.user_id)),
    }
    assert (await client.get(f"{URL}/{on_time['id']}", headers=county)).json()["escalations"] == []
    told = {}
    for login in (cadre, teacher, township, principal):
        page = await inbox(client, await headers_of(client, login), unread="true")
        told[login.user_id] = [(n["kind"], n["case_id"]) for n in page["items"]]
    assert told == {
        cadre.user_id: [("overdue", case["id"])],
        teacher.user_id: [("overdue", case["id"])],
        # The township covers 东村: told of the case reported up, late, as well.
        township.user_id: [("escalated", case["id"]), ("reported_up", on_time["id"])],
        principal.user_id: [("escalated", case["id"])],
    }
    # Read, it leaves the unread list; nobody reads another's.
    mine = await headers_of(client, cadre)
    (note,) = (await inbox(client, mine))["items"]
    assert note["title"] == "张小明：已超过不过周时限"
    read = await client.post(f"{INBOX}/{note['id']}/read", headers=mine)
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert (await inbox(client, mine, unread="true"))["total"] == 0
    assert (await inbox(client, mine, unread="false"))["total"] == 1
    others = await headers_of(client, teacher)
    assert (await client.post(f"{INBOX}/{note['id']}/read", headers=others)).status_code == 404
    assert (await client.post(f"{INBOX}/read-all", headers=others)).json() == 1
    assert (await inbox(client, others, unread="true"))["total"] == 0


async def test_with_nobody_above_the_lines_top_unit_is_recorded(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    case = await report(client, county, world.children["nan_a"], noticed_at=days_ago(8), **MANUAL)
    assert (await client.post(RUN, headers=county)).json() == {"escalated": 2, "notified": 0}
    detail = (await client.get(f"{URL}/{case['id']}", headers=county)).json()
    units = {(e["line"], e["to_user_id"], e["to_unit"]) for e in detail["escalations"]}
    assert units == {("government", None, "东镇"), ("school", None, "测试县")}


async def test_deadlines_near_and_follow_ups_due_tell_who_must_act(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    cadre, teacher = await lines(session, world)
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    near = await report(
        client, county, world.children["dong_a"], noticed_at=days_ago(6.5), **MANUAL
    )
    assert (await client.post(RUN, headers=county)).json() == {"escalated": 0, "notified": 2}
    for login in (cadre, teacher):
        page = await inbox(client, await headers_of(client, login))
        assert [(n["kind"], n["case_id"]) for n in page["items"]] == [("deadline_near", near["id"])]
    # Back at school, its first follow-up due tomorrow: the plan's teacher is told.
    await act(client, county, near, "report_upward")
    await act(client, county, near, "verify")
    body = {"methods": ["home_visit"], "target_return_on": date.today().isoformat()}
    assert (
        await client.put(f"{URL}/{near['id']}/plan", json=body, headers=county)
    ).status_code == 200
    await act(client, county, near, "return")
    await session.exec(
        update(FollowUp)
        .where(col(FollowUp.case_id) == uuid.UUID(near["id"]), col(FollowUp.number) == 1)
        .values(due_on=date.today() + timedelta(days=1))
    )
    await session.commit()
    assert (await client.post(RUN, headers=county)).json() == {"escalated": 0, "notified": 1}
    page = await inbox(client, await headers_of(client, teacher), unread="true")
    assert [n["kind"] for n in page["items"]] == ["follow_up_due", "deadline_near"]


async def test_who_may_run_the_scan(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    assert (await client.post(RUN, headers=cadre)).status_code == 403
    assert (await client.post(RUN)).status_code == 401
    # A county's own scheduler, as an API client.
    robot = await make_user(session, role=UserRole.INTEGRATION_CLIENT, area_code=w.COUNTY,
                            api_scopes="escalations:write")  # fmt: skip
    form = {"grant_type": "client_credentials", "client_id": robot.username,
            "client_secret": robot.password}  # fmt: skip
    issued = await client.post("/api/v1/auth/token", data=form)
    assert (
        await client.post(RUN, headers=bearer(issued.json()["access_token"]))
    ).status_code == 200


async def test_the_app_runs_its_jobs_on_time_and_past_a_failure() -> None:
    ran: list[int] = []

    async def job() -> int:
        ran.append(len(ran))
        if len(ran) == 1:
            raise RuntimeError("the database is away")
        return len(ran)

    task = asyncio.create_task(scheduler.every(0.01, job, "test"))
    await asyncio.sleep(0.1)
    task.cancel()
    assert len(ran) >= 3


async def test_a_teachers_report_of_days_absent_goes_as_far_as_the_rule_on_absence(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    cadre, teacher = await lines(session, world)
    township, principal = await above(session, world)
    reporting = await headers_of(client, teacher)
    school = await headers_of(client, principal)
    one_day = await report(client, school, world.children["dong_b"], days_absent=1)
    assert one_day["status"] == "reported"
    three_days = await report(client, reporting, world.children["dong_a"], days_absent=3)
    told = {}
    for login in (cadre, teacher, township, principal):
        page = await inbox(client, await headers_of(client, login))
        told[login.user_id] = [(n["kind"], n["case_id"], n["body"][:12]) for n in page["items"]]
    assert told == {
        cadre.user_id: [("absence", three_days["id"], "会同村委会入户家访（已缺")],
        teacher.user_id: [],
        township.user_id: [],  # 李小红's 1 day: the teacher's report is enough
        principal.user_id: [("absence", three_days["id"], "已缺课3天，按辍学报告，")],
    }


async def test_the_scan_is_left_to_a_scheduler_when_its_interval_is_zero(
    settings: Settings,
) -> None:
    app = create_app(
        settings.model_copy(
            update={
                "escalation_interval_minutes": 0,
                "statistics_refresh_seconds": 0,
                "webhook_delivery_interval_seconds": 0,
            }
        )
    )
    jobs = scheduler.start(app)
    assert len(jobs) == 1  # only resuming unfinished reconciliations, once, at the start
    await asyncio.gather(*jobs)
    await app.state.engine.dispose()
