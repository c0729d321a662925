"""The campaign summary report (总结) over a small population whose right figures are counted by
hand below, not by the code under test.

On top of tests/world.py's county (dong_a in 东村一组, dong_b in 东村, nan_a in 南村, xi_a in
西村, one school-age child each; lin_a next door, outside everything):

    东村 H1: c1 (school age), a three-year-old      东村 H2: nobody
    南村 H3: c3 (school age)                         西村 H4: c4 (school age)

The campaign 秋季控辍保学月 sweeps the county from day 0 (nine days ago) to day 13 (four days
on); its 14 days split into 宣传 3, 排查 4, 劝返 3, 总结 4. Visits (local time; cadres A of
东村, B of 南村, C of 西村, D next door):

    day 0 00:30  A  dong_a's  met, dong_a not at school     (16:30 UTC the day before)
    day 0 10:00  A  dong_b's  nobody home
    day 2 10:00  A  dong_b's  met, dong_b at school
    day 2 11:00  A  H1        met, c1 at school
    day 3 10:00  B  nan_a's   refused
    day 3 23:30  B  H3        nobody home
    day 4 10:00  C  xi_a's    met, xi_a not at school
    day -2 10:00 C  xi_a's    nobody home                  (before the first day)
    day 1 10:00  D  lin_a's   met, lin_a not at school     (next door: nobody here sees it)

Cases (K7 next door; deadlines set by hand where they matter):

    K1 dong_a SWEEP          day 0  verified, no plan, weariness; reported up on day 1
    K2 xi_a   SWEEP          day 4  returned yesterday, economic hardship
    K3 c1     TEACHER_REPORT day 2  reported (suspected), reason unknown; county due tomorrow
    K4 nan_a  RECONCILIATION day 1  dismissed after verification, other
    K5 dong_b MANUAL         day -20 persuading with a plan, learning difficulty; 不过周 overdue
    K6 c4     SWEEP          day 3  planned with a plan, economic hardship; 不过周 overdue
    K7 lin_a  SWEEP          day 1  verified (next door)
    K8 c3     TEACHER_REPORT day 5  persuading with a plan, weariness
"""

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Case, ReturnPlan, Visit, VisitObservation
from api.models.base import utcnow
from api.models.vocabulary import (
    CampaignKind,
    CaseSource,
    CaseStatus,
    DropoutReason,
    ObservedSchooling,
    SchoolingStatus,
    UserRole,
    VisitOutcome,
)
from api.schemas.campaigns import CampaignOut
from api.services.core import school_age
from api.services.core.actors import Actor
from api.services.reports import campaign_summary
from api.settings import Settings
from tests import people
from tests import world as w
from tests.factories import make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
S, R = CaseStatus, DropoutReason
SWEEP, TEACHER = CaseSource.SWEEP, CaseSource.TEACHER_REPORT


@dataclass
class Sweep:
    world: w.World
    campaign: str
    county: dict[str, str]  # a county administrator's headers
    start: date
    end: date


@pytest.fixture
async def sweep(client: httpx.AsyncClient, session: AsyncSession, settings: Settings) -> Sweep:
    today = school_age.local_today(settings)
    world = await w.build(session, settings, today)
    start, end = today - timedelta(days=9), today + timedelta(days=4)
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    made = await client.post("/api/v1/campaigns", json={
        "name": "秋季控辍保学月", "kind": "control_month", "areas": [w.COUNTY],
        "starts_on": start.isoformat(), "ends_on": end.isoformat()}, headers=county)  # fmt: skip
    assert made.status_code == 201, made.text
    campaign = made.json()["id"]
    zone = ZoneInfo(settings.timezone)

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(start + timedelta(days=day), time(hour, minute), zone)

    born, _ = school_age.birth_dates_for_grade(3, world.school_year, settings)
    h1 = await people.household(session, w.DONG, "东一")
    await people.household(session, w.DONG, "东二")
    h3 = await people.household(session, w.NAN, "南三")
    h4 = await people.household(session, w.XI, "西四")
    c1 = await people.child(session, h1, "甲一", SchoolingStatus.ENROLLED_IN_COUNTY, born)
    await people.child(
        session, h1, "甲小", SchoolingStatus.ENROLLED_IN_COUNTY, today.replace(year=today.year - 3)
    )
    c3 = await people.child(session, h3, "丙三", SchoolingStatus.ENROLLED_IN_COUNTY, born)
    c4 = await people.child(session, h4, "丁四", SchoolingStatus.ENROLLED_IN_COUNTY, born)
    a, b, c, d = [
        (await make_user(session, role=UserRole.VILLAGE_CADRE, area_code=area)).user_id
        for area in (w.DONG, w.NAN, w.XI, w.NEIGHBOUR_VILLAGE)
    ]
    homes, kids = world.households, world.children
    out, inside = ObservedSchooling.NOT_IN_SCHOOL, ObservedSchooling.IN_SCHOOL
    visits: list[tuple[datetime, uuid.UUID, uuid.UUID, VisitOutcome, list[Any]]] = [
        (at(0, 0, 30), a, homes["dong_a"], VisitOutcome.MET, [(kids["dong_a"], out)]),
        (at(0, 10), a, homes["dong_b"], VisitOutcome.NOBODY_HOME, []),
        (at(2, 10), a, homes["dong_b"], VisitOutcome.MET, [(kids["dong_b"], inside)]),
        (at(2, 11), a, h1.id, VisitOutcome.MET, [(c1.id, inside)]),
        (at(3, 10), b, homes["nan_a"], VisitOutcome.REFUSED, []),
        (at(3, 23, 30), b, h3.id, VisitOutcome.NOBODY_HOME, []),
        (at(4, 10), c, homes["xi_a"], VisitOutcome.MET, [(kids["xi_a"], out)]),
        (at(-2, 10), c, homes["xi_a"], VisitOutcome.NOBODY_HOME, []),
        (at(1, 10), d, homes["lin_a"], VisitOutcome.MET, [(kids["lin_a"], out)]),
    ]
    for visited_at, visitor, household, outcome, seen in visits:
        visit = Visit(campaign_id=uuid.UUID(campaign), household_id=household, visitor_id=visitor,
                      visited_at=visited_at, received_at=visited_at, outcome=outcome,
                      content_sha256="0" * 64)  # fmt: skip
        session.add(visit)
        await session.flush()
        for child, schooling in seen:
            session.add(VisitObservation(visit_id=visit.id, child_id=child, observed_at=visited_at,
                                         schooling=schooling, applied=True))  # fmt: skip

    now = utcnow()

    async def case(
        child: uuid.UUID,
        source: CaseSource,
        day: int,
        status: CaseStatus,
        reason: DropoutReason,
        *,
        plan: bool = False,
        **columns: Any,
    ) -> None:
        noticed = at(day, 9)
        made = Case(child_id=child, status=status, source=source, reason=reason,
                    reported_by_id=d, noticed_at=noticed, reported_at=noticed,
                    school_due_at=noticed + timedelta(hours=24),
                    **{"county_due_at": noticed + timedelta(days=7), **columns})  # fmt: skip
        session.add(made)
        await session.flush()
        if plan:
            session.add(ReturnPlan(case_id=made.id, version=1, target_return_on=end,
                                   created_by_id=d))  # fmt: skip

    verified: dict[str, Any] = {"verified_at": now}
    await case(kids["dong_a"], SWEEP, 0, S.VERIFIED, R.WEARINESS,
               county_reported_at=at(1, 9), **verified)  # K1  # fmt: skip
    await case(kids["xi_a"], SWEEP, 4, S.RETURNED, R.ECONOMIC_HARDSHIP,
               returned_at=now - timedelta(days=1), **verified)  # K2  # fmt: skip
    await case(c1.id, TEACHER, 2, S.REPORTED, R.UNKNOWN,
               county_due_at=now + timedelta(days=1))  # K3  # fmt: skip
    await case(kids["nan_a"], CaseSource.RECONCILIATION, 1, S.DISMISSED, R.OTHER, **verified)  # K4
    await case(kids["dong_b"], CaseSource.MANUAL, -20, S.PERSUADING, R.LEARNING_DIFFICULTY,
               plan=True, **verified)  # K5  # fmt: skip
    await case(c4.id, SWEEP, 3, S.PLANNED, R.ECONOMIC_HARDSHIP, plan=True,
               county_due_at=now - timedelta(hours=1), **verified)  # K6  # fmt: skip
    await case(kids["lin_a"], SWEEP, 1, S.VERIFIED, R.WEARINESS, **verified)  # K7
    await case(c3.id, TEACHER, 5, S.PERSUADING, R.WEARINESS, plan=True, **verified)  # K8
    await session.commit()
    return Sweep(world=world, campaign=campaign, county=county, start=start, end=end)


def _by(end: date) -> str:
    return f"请于{end.month}月{end.day}日前补访"


async def test_the_county_summary_is_counted_by_hand(
    client: httpx.AsyncClient, sweep: Sweep
) -> None:
    answer = await client.get(f"/api/v1/campaigns/{sweep.campaign}/summary", headers=sweep.county)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["title"] == "测试县控辍保学专项行动总结报告"
    activity = body["activity"]
    assert activity["kind_label"] == "控辍保学月"
    assert activity["areas"] == [{"code": w.COUNTY, "name": "测试县"}]
    phases = ["宣传发动", "排查摸底", "劝返复学", "总结巩固"]
    assert [p["label"] for p in activity["phases"]] == phases
    assert [p["starts_on"] for p in activity["phases"]] == [
        (sweep.start + timedelta(days=n)).isoformat() for n in (0, 3, 7, 10)
    ]
    # dong_a's, dong_b's, H1 met; nan_a's refused; H3 nobody home; xi_a's met; H2, H4 never.
    assert activity["coverage"] == {
        "households": 8, "visited": 4, "to_revisit": 1, "refused": 1, "not_visited": 2,
        # dong_a, dong_b, c1, nan_a, c3, xi_a, c4 (not the three-year-old); seen: 4
        "children": 7, "children_confirmed": 4,
    }  # fmt: skip
    assert activity["household_coverage"] == 4 / 8
    assert activity["child_coverage"] == 4 / 7
    assert activity["visits"] == 8  # not D's next door
    assert activity["visitors"] == 3  # A, B, C
    assert activity["period_days"] == 1
    # Day 0 has dong_a's visit at 00:30 local (the day before in UTC); H3's at 23:30 is day 3's.
    per_day = [p["visits"] for p in activity["visits_by_period"]]
    assert per_day == [2, 0, 2, 2, 1, 0, 0, 0, 0, 0]  # to today, day 9
    assert activity["visits_by_period"][0]["starts_on"] == sweep.start.isoformat()
    assert activity["visits_outside_periods"] == 1  # day -2
    # Two townships: by township.
    assert activity["level"] == "township"
    east, west = activity["by_area"]
    assert (east["code"], east["name"], east["unvisited"]) == (w.EAST, "东镇", 2)
    assert east["counts"] == {"households": 6, "visited": 3, "to_revisit": 1, "refused": 1,
                              "not_visited": 1, "children": 5, "children_confirmed": 3}  # fmt: skip
    assert (west["code"], west["counts"]["households"], west["counts"]["visited"]) == (w.WEST, 2, 1)

    results = body["results"]
    assert results["children_checked"] == 4
    assert results["children_out_of_school"] == 2  # dong_a, xi_a (not lin_a)
    # Opened day 0 to 13: K1, K2, K3, K4, K6, K8 (K5 before, K7 next door).
    by_source = {row["source"]: row for row in results["by_source"]}
    assert [row["label"] for row in results["by_source"]] == [
        "教师报告", "入户排查", "人籍比对", "手工登记"]  # fmt: skip
    counted = {k: [v[f] for f in ("opened", "verified", "dismissed", "returned", "return_rate")]
               for k, v in by_source.items()}  # fmt: skip
    assert counted == {
        "sweep": [3, 3, 0, 1, 1 / 3],  # K1, K2, K6; K2 back
        "reconciliation": [1, 0, 1, 0, None],  # K4 dismissed
        "teacher_report": [2, 1, 0, 0, 0.0],  # K3 not verified, K8
        "manual": [0, 0, 0, 0, None],
    }
    total = results["cases"]
    assert (total["label"], total["opened"], total["verified"], total["dismissed"]) == (
        "合计", 6, 4, 1)  # fmt: skip
    assert (total["returned"], total["return_rate"]) == (1, 1 / 4)
    # The statistics are /stats/overview's, of the county: called, not counted again.
    assert results["statistics_area"] == {"code": w.COUNTY, "name": "测试县"}
    overview = await client.get(f"/api/v1/stats/overview?area={w.COUNTY}", headers=sweep.county)
    assert results["statistics"] == overview.json()
    assert results["statistics"]["dropouts_open"] == 5  # K1, K2, K5, K6, K8
    assert results["statistics"]["suspected"] == 1  # K3

    problems = body["problems"]
    # 南村 0 of 2 reached (H3 to revisit), 西村 1 of 2 (H4), 东村 3 of 4 (H2).
    assert [(v["name"], v["unvisited"], v["household_coverage"])
            for v in problems["lowest_villages"]] == [
        ("南村", 1, 0.0), ("西村", 1, 0.5), ("东村", 1, 0.75)]  # fmt: skip
    assert {k: problems[k] for k in (
        "unvisited_households", "refused_households", "children_unchecked",
        "villages_with_unvisited", "cases_overdue", "cases_without_plan", "cases_not_returned",
        "cases_suspected")} == {
        "unvisited_households": 3,  # H2, H4, H3
        "refused_households": 1,
        "children_unchecked": 3,  # nan_a, c3, c4
        "villages_with_unvisited": 3,
        "cases_overdue": 2,  # K5, K6 (K1 reported up, K3 not yet due)
        "cases_without_plan": 1,  # K1
        "cases_not_returned": 4,  # K1 verified, K5 persuading, K6 planned, K8 persuading
        "cases_suspected": 1,  # K3
    }  # fmt: skip
    # Opened during the campaign, not dismissed: K1 K8 weariness, K2 K6 hardship, K3 unknown.
    assert [(r["label"], r["cases"], r["share"]) for r in problems["reasons"]] == [
        ("家庭经济困难", 2, 2 / 5), ("厌学", 2, 2 / 5), ("原因待查", 1, 1 / 5)]  # fmt: skip

    by = _by(sweep.end)
    assert body["next_steps"] == [
        f"南村尚有 1 户未走访（其中 1 户无人在家，需复访），{by}。",
        f"西村尚有 1 户未走访，{by}。",
        f"东村尚有 1 户未走访，{by}。",
        "1 户拒绝入户，请包村干部会同村两委再次上门，宣传义务教育法，做通家长工作。",
        "尚有 3 名适龄儿童未核实就学情况，请在补访中逐一核实，做到不漏一户、不漏一人。",
        "2 个个案超过上报时限（不过周），请立即上报县教育局和乡镇政府。",
        "1 名疑似辍学学生尚待核实，请学校会同乡镇尽快核实。",
        "1 名确认辍学学生尚未制定劝返方案，请按“一人一案”尽快制定，明确劝返责任人。",
        "4 名确认辍学学生尚未返校，请落实双线责任，继续劝返复学。",
        "本次发现的辍学原因以“家庭经济困难”为主（2 人），"
        "请针对性落实贫困寄宿生生活补助、协调民政部门给予社会救助。",
        "1 名学生辍学原因待查，请入户了解清楚，分类施策。",
        "1 名返校学生仍在跟踪期，请按计划跟踪回访，确保留得住、学得好。",  # K2, back a day
    ]


async def test_a_township_officer_gets_the_townships_part(
    client: httpx.AsyncClient, session: AsyncSession, sweep: Sweep
) -> None:
    east = await sweep.world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    body = (await client.get(f"/api/v1/campaigns/{sweep.campaign}/summary", headers=east)).json()
    assert body["title"] == "东镇控辍保学专项行动总结报告"
    activity = body["activity"]
    assert activity["level"] == "village"
    assert [(r["name"], r["counts"]["households"], r["counts"]["visited"])
            for r in activity["by_area"]] == [("东村", 4, 3), ("南村", 2, 0)]  # fmt: skip
    assert (activity["visits"], activity["visitors"]) == (6, 2)  # A's 4 and B's 2
    # K1 (sweep), K3 and K8 (teacher), K4 (dismissed); K2 and K6 are 西镇's.
    assert body["results"]["cases"]["opened"] == 4
    assert body["results"]["cases"]["verified"] == 2
    assert body["results"]["statistics_area"]["code"] == w.EAST
    problems = body["problems"]
    assert (problems["cases_overdue"], problems["cases_not_returned"]) == (1, 3)  # K5; K1 K5 K8
    assert [v["name"] for v in problems["lowest_villages"]] == ["南村", "东村"]


async def test_the_workbook_has_the_four_parts_their_figures_and_charts(
    client: httpx.AsyncClient, sweep: Sweep
) -> None:
    url = f"/api/v1/campaigns/{sweep.campaign}/summary.xlsx"
    answer = await client.get(url, headers=sweep.county)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    parts = ["活动情况", "工作成效", "存在问题", "下一步工作"]
    assert book.sheetnames == [*parts, "分区域覆盖", "每日走访"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A4", sheet.title
        assert sheet["A1"].value == "测试县控辍保学专项行动总结报告"
        assert sheet.column_dimensions["A"].width > 5
    activity = {row[0]: row[1:] for row in book["活动情况"].iter_rows(min_row=4, values_only=True)}
    assert [c.value for c in book["活动情况"][3]] == ["项目", "数值", "说明"]
    assert activity["活动名称"][0] == "秋季控辍保学月"
    assert activity["开始日期"][0] == datetime.combine(sweep.start, time())  # a date, not text
    assert activity["宣传发动阶段（起止）"] == (
        datetime.combine(sweep.start, time()), datetime.combine(sweep.start + timedelta(days=2),
                                                                time()))  # fmt: skip
    assert activity["应排查户数"][0] == 8
    assert activity["已走访户数"][0] == 4
    assert activity["户覆盖率"][0] == 0.5
    assert activity["参与走访人数"][0] == 3
    coverage_cell = next(c for c in book["活动情况"]["B"] if c.value == 0.5)
    assert coverage_cell.number_format == "0.0%"
    areas = book["分区域覆盖"]
    assert [c.value for c in areas[3]][:3] == ["区划代码", "乡镇", "应排查户数"]
    assert [list(r) for r in areas.iter_rows(min_row=4, values_only=True)] == [
        [w.EAST, "东镇", 6, 3, 1, 1, 1, 0.5, 5, 3],
        [w.WEST, "西镇", 2, 1, 0, 0, 1, 0.5, 2, 1],
    ]
    days = list(book["每日走访"].iter_rows(min_row=4, values_only=True))
    assert [row[2] for row in days] == [2, 0, 2, 2, 1, 0, 0, 0, 0, 0]
    assert days[0][0] == datetime.combine(sweep.start, time())
    results = {row[0]: row[1] for row in book["工作成效"].iter_rows(min_row=4, values_only=True)}
    assert results["排查发现未在校儿童"] == 2
    assert results["活动期间新立个案"] == 6
    assert results["入户排查"] == 3  # the source table below
    assert results["合计"] == 6
    problems = {row[0]: row[1:] for row in book["存在问题"].iter_rows(min_row=4, values_only=True)}
    assert problems["超过上报时限的个案"][0] == 2
    assert problems["南村"][:3] == (2, 0, 1)
    assert problems["家庭经济困难"][:2] == (2, 0.4)
    steps = list(book["下一步工作"].iter_rows(min_row=4, values_only=True))
    assert steps[0] == (1, f"南村尚有 1 户未走访（其中 1 户无人在家，需复访），{_by(sweep.end)}。")
    assert len(steps) == 12
    # Native charts: coverage by area (bars), visits per day, reasons (pie).
    kinds = {s.title: [type(c).__name__ for c in s._charts] for s in book.worksheets}
    assert kinds["分区域覆盖"] == ["BarChart"]
    assert kinds["每日走访"] == ["BarChart"]
    assert kinds["存在问题"] == ["PieChart"]


async def test_the_page_prints_the_figures_with_svg_charts_and_escapes_names(
    client: httpx.AsyncClient, session: AsyncSession, sweep: Sweep
) -> None:
    hostile = '<script>alert("南")</script>南村'
    await session.exec(update(Area).where(col(Area.code) == w.NAN).values(name=hostile))
    await session.commit()
    url = f"/api/v1/campaigns/{sweep.campaign}/summary.html"
    answer = await client.get(url, headers=sweep.county)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert answer.headers["cache-control"] == "no-store"
    page = answer.text
    assert '<html lang="zh-CN">' in page
    assert "<title>测试县控辍保学专项行动总结报告</title>" in page
    assert "@page { size: A4" in page
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#34;南&#34;)&lt;/script&gt;南村" in page
    assert "共应排查 8 户，已走访 4 户，户覆盖率 50.0%" in page
    assert "发现未在校儿童 2 人。活动期间新立个案 6 个" in page
    assert "2 个个案超过上报时限（不过周），请立即上报县教育局和乡镇政府。" in page
    assert page.count("<svg") == 3  # coverage by township, visits per day, reasons
    assert "<title>各乡镇户覆盖率</title>" in page
    assert ">50.0%（3/6）</text>" in page  # 东镇's bar
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


async def test_a_campaign_with_nothing_left_to_do_has_no_next_steps(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    world = await w.build(session, settings)
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    today = school_age.local_today(settings)
    made = await client.post("/api/v1/campaigns", json={
        "name": "暑期家访", "kind": "summer_visits", "areas": [w.DONG_GROUP],
        "starts_on": (today + timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat()}, headers=county)  # fmt: skip
    url = f"/api/v1/campaigns/{made.json()['id']}/summary"
    body = (await client.get(url, headers=county)).json()
    assert body["title"] == "东村一组控辍保学专项行动总结报告"
    assert body["activity"]["started"] is False
    assert body["activity"]["visits_by_period"] == []
    assert body["next_steps"] == []
    page = (await client.get(url + ".html", headers=county)).text
    assert "各项工作均已完成，暂无待办事项。" in page
    assert "活动尚未开始" in page
    book = load_workbook(io.BytesIO((await client.get(url + ".xlsx", headers=county)).content))
    assert book["下一步工作"]["B4"].value == "各项工作均已完成，暂无待办事项。"
    assert book["分区域覆盖"]._charts == []


async def test_outside_the_callers_scope_or_a_bad_id_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession, sweep: Sweep
) -> None:
    stranger = await sweep.world.headers(
        client, session, UserRole.VILLAGE_CADRE, area_code=w.NEIGHBOUR_VILLAGE
    )
    for suffix in ("summary", "summary.xlsx", "summary.html"):
        elsewhere = await client.get(f"/api/v1/campaigns/{sweep.campaign}/{suffix}",
                                     headers=stranger)  # fmt: skip
        assert elsewhere.status_code == 404, (suffix, elsewhere.text)
        nowhere = await client.get(f"/api/v1/campaigns/{uuid.uuid4()}/{suffix}",
                                   headers=sweep.county)  # fmt: skip
        assert nowhere.status_code == 404, suffix
        bad = await client.get(f"/api/v1/campaigns/not-an-id/{suffix}", headers=sweep.county)
        assert bad.status_code == 422, suffix
        assert bad.json()["errors"][0]["loc"] == ["path", "campaign_id"]


def test_a_long_campaign_is_counted_by_the_week_up_to_today() -> None:
    long = CampaignOut(id=uuid.uuid4(), version=1, name="学年摸排", areas=[w.COUNTY],
                       kind=CampaignKind.SEMESTER_SURVEY, starts_on=date(2026, 3, 1),
                       ends_on=date(2026, 5, 29), phases=[], started_at=None,
                       households_in_scope=0)  # fmt: skip
    step, periods = campaign_summary._periods(long, date(2026, 4, 1))  # 90 days: by the week
    assert step == 7
    assert periods == [(date(2026, 3, d), date(2026, 3, d + 6)) for d in (1, 8, 15, 22)] + [
        (date(2026, 3, 29), date(2026, 4, 1))
    ]
    assert campaign_summary._periods(long, date(2026, 2, 1)) == (7, [])  # not begun


def test_the_report_is_of_the_campaigns_areas_as_far_as_the_caller_reaches() -> None:
    def actor(*areas: str) -> Actor:
        return Actor(user_id=uuid.uuid4(), username="x", role=UserRole.COUNTY_ADMIN,
                     area_codes=areas)  # fmt: skip

    assert campaign_summary.reach([w.COUNTY], actor(w.EAST)) == [w.EAST]
    assert campaign_summary.reach([w.EAST], actor(w.DONG, w.XI)) == [w.DONG]
    assert campaign_summary.reach([w.DONG, w.DONG_GROUP], actor()) == [w.DONG]  # a school's
    assert campaign_summary.enclosing([w.DONG, w.XI]) == w.COUNTY
    assert campaign_summary.enclosing([w.DONG, w.NAN]) == w.EAST
    assert campaign_summary.enclosing([w.DONG, w.NEIGHBOUR_VILLAGE]) is None  # two counties
