"""The school's monthly report (学校控辍保学月报) of last month, as JSON and as the workbook a
school sends, over registrations and cases counted by hand below.

The month M is last month in the county's time zone; T is the term covering it, opening on
day TS. At 东镇中心小学 (grades 1-6), term T (tests/world.py's pupils moved into T):

    R1-R3  dong_a, dong_b, nan_a  grade 3, enrolled, no entry date      start, end
    R4     甲 grade 1, enrolled, entered on TS (the term's roll)          start, end
    R5     乙 grade 1, enrolled, entered on M's 10th                      end, in
    R6     丙 grade 2, transferred out; entered at 西镇小学 on M's 20th    start, out
    R7     丁 grade 2, transferred out, no school on record, marked now   start, end
    R8     戊 grade 2, transferred out, no school on record, marked M 15  start, out
    R9     己 grade 4, suspended                                          none
    R10    庚 grade 5, enrolled, entered the day after M                  none
    R11    dong_a in the term before T                                    none (not T)

So grade 1: start 1, end 2, in 1; grade 2: start 3, end 1, out 2; grade 3: 3 and 3; total
start 7, end 6, in 1, out 2 (7 + 1 − 2 = 6).

Cases of 东镇中心小学 (local times):
    H  丑 no grade, noticed at M's first midnight, entered at once      reported, open, met
    A  dong_a grade 3 (三年级1班), noticed M 5th, entered within the hour, verified M 6th,
       persuading                                                     reported, verified, open, met
    B  dong_b grade 3 (三年级2班), noticed M 12th, entered 30 hours later   reported, open
    C  nan_a grade 3, noticed M 15th, entered at once, dismissed M 16th   reported, met
    D  辛 grade 1, noticed and verified before M, returned M 20th         returned, open
    E  壬 grade 2, noticed before M, closed M 25th                        none
    F  癸 grade 2, noticed before M, dismissed after M                   open
    J  寅 grade 2, noticed before M, verified M 6th, dismissed M 26th    none
    G  子 grade 3, noticed at the next month's first midnight            none
and I, xi_a's at 西镇小学 in M: not this school's.
Total: reported 4 (H A B C), verified 1 (A), returned 1 (D), open 5 (H A B D F), met 3 of 4.
"""

import io
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Case, CaseTransition, Child, Enrolment, Household
from api.models.base import utcnow
from api.models.vocabulary import (
    CaseAction,
    CaseSource,
    CaseStatus,
    DropoutReason,
    EnrolmentStatus,
    SchoolingStatus,
    Sex,
    UserRole,
)
from api.services.core import school_age
from api.services.registry import names
from api.settings import Settings
from tests import world as w
from tests.factories import make_user

REPORT = "/api/v1/stats/monthly-report"
SHEET = "/api/v1/exports/monthly-report.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURES = ("registered_at_start", "registered_at_end", "transferred_in", "transferred_out",
           "reported", "verified", "returned", "open_at_end", "school_deadline_met")  # fmt: skip


def figures(grade: int | None, *values: int) -> dict[str, Any]:
    return {"grade": grade, **dict(zip(FIGURES, values, strict=True))}


#                       start end in out  rep ver ret open met
EXPECTED_GRADES = [
    figures(1,          1,    2,  1,  0,   0,  0,  1,  1,   0),  # R4 R5; D
    figures(2,          3,    1,  0,  2,   0,  0,  0,  1,   0),  # R6 R7 R8; F
    figures(3,          3,    3,  0,  0,   3,  1,  0,  2,   2),  # R1-R3; A B C
    figures(4,          0,    0,  0,  0,   0,  0,  0,  0,   0),
    figures(5,          0,    0,  0,  0,   0,  0,  0,  0,   0),
    figures(6,          0,    0,  0,  0,   0,  0,  0,  0,   0),
    figures(None,       0,    0,  0,  0,   1,  0,  0,  1,   1),  # H
]  # fmt: skip
EXPECTED_TOTAL = figures(None, 7, 6, 1, 2, 4, 1, 1, 5, 3)


class Month:
    def __init__(self, settings: Settings) -> None:
        today = school_age.local_today(settings)
        self.first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        self.last = today.replace(day=1) - timedelta(days=1)
        self.zone = ZoneInfo(settings.timezone)
        self.term = school_age.term_of(self.first, settings)
        self.opening = school_age.term_start(self.term, settings)

    def day(self, n: int) -> date:
        return self.first.replace(day=n)

    def at(self, n: int, hour: int = 10) -> datetime:
        return datetime.combine(self.day(n), time(hour), self.zone)

    @property
    def name(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first, time(), self.zone)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone)


@pytest.fixture
def month(settings: Settings) -> Month:
    return Month(settings)


@pytest.fixture
async def world(session: AsyncSession, settings: Settings, month: Month) -> w.World:
    world = await w.build(session, settings, school_age.local_today(settings))
    await session.exec(update(Enrolment).values(term=month.term))
    admin = await make_user(session, role=UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    east, west = world.schools["east"], world.schools["west"]
    home = Household(area_code=w.DONG, address="东村大院", head_name="陈大山")
    session.add(home)
    await session.flush()
    kids: dict[str, uuid.UUID] = {}
    for name in ("甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸", "寅", "子", "丑"):
        child = Child(household_id=home.id, area_code=w.DONG, name=f"陈{name}",
                      name_pinyin=names.pinyin(f"陈{name}"), name_initials="c",
                      sex=Sex.FEMALE, birth_date=date(2016, 3, 1),
                      schooling_status=SchoolingStatus.ENROLLED_IN_COUNTY)  # fmt: skip
        session.add(child)
        kids[name] = child.id
    await session.flush()
    long_ago = month.starts_at - timedelta(days=40)

    def registration(child: uuid.UUID | None, grade: int, **extra: Any) -> Enrolment:
        values: dict[str, Any] = {"school_id": east, "term": month.term, **extra}
        made = Enrolment(child_id=child, grade=grade, student_number=f"J{uuid.uuid4().hex[:8]}",
                         name="学生", sex=Sex.FEMALE, birth_date=date(2016, 3, 1),
                         **values)  # fmt: skip
        session.add(made)
        return made

    out = EnrolmentStatus.TRANSFERRED_OUT
    registration(kids["甲"], 1, entry_date=month.opening)  # R4
    registration(kids["乙"], 1, entry_date=month.day(10))  # R5
    registration(kids["丙"], 2, status=out, created_at=long_ago, updated_at=month.at(20))  # R6
    registration(kids["丙"], 2, school_id=west, entry_date=month.day(20))  # R6's new school
    registration(kids["丁"], 2, status=out, created_at=long_ago)  # R7: marked now
    registration(None, 2, status=out, created_at=long_ago, updated_at=month.at(15))  # R8
    registration(kids["己"], 4, status=EnrolmentStatus.SUSPENDED)  # R9
    registration(kids["庚"], 5, entry_date=month.last + timedelta(days=1))  # R10
    registration(world.children["dong_a"], 3, term="2000-2001-1")  # R11

    def case(child: uuid.UUID, status: CaseStatus, noticed: datetime, **columns: Any) -> Case:
        values: dict[str, Any] = {
            "school_id": east,
            "reported_at": noticed,
            "school_due_at": noticed + timedelta(hours=24),
            "county_due_at": noticed + timedelta(days=7),
            **columns,
        }
        made = Case(child_id=child, status=status, source=CaseSource.MANUAL,
                    reported_by_id=admin.user_id, noticed_at=noticed, **values)  # fmt: skip
        session.add(made)
        return made

    def dismissed(made: Case, at: datetime) -> None:
        session.add(CaseTransition(case_id=made.id, action=CaseAction.DISMISS,
                                   from_status=CaseStatus.REPORTED,
                                   to_status=CaseStatus.DISMISSED, actor_id=admin.user_id,
                                   at=at))  # fmt: skip

    before = month.starts_at - timedelta(days=3)
    case(kids["丑"], CaseStatus.REPORTED, month.starts_at)  # H
    case(world.children["dong_a"], CaseStatus.PERSUADING, month.at(5), grade=3,
         class_id=world.classes["east-3-1"], reported_at=month.at(5, 11),
         verified_at=month.at(6), reason=DropoutReason.WEARINESS)  # A  # fmt: skip
    case(world.children["dong_b"], CaseStatus.REPORTED, month.at(12), grade=3,
         class_id=world.classes["east-3-2"],
         reported_at=month.at(12) + timedelta(hours=30))  # B  # fmt: skip
    dismissed(case(world.children["nan_a"], CaseStatus.DISMISSED, month.at(15), grade=3),
              month.at(16))  # C  # fmt: skip
    case(kids["辛"], CaseStatus.FOLLOWING_UP, before, grade=1, verified_at=before,
         returned_at=month.at(20))  # D  # fmt: skip
    case(kids["壬"], CaseStatus.CLOSED, before, grade=2, verified_at=before,
         returned_at=before, closed_at=month.at(25))  # E  # fmt: skip
    dismissed(case(kids["癸"], CaseStatus.DISMISSED, before, grade=2), utcnow())  # F
    dismissed(case(kids["寅"], CaseStatus.DISMISSED, before, grade=2, verified_at=month.at(6)),
              month.at(26))  # J  # fmt: skip
    case(kids["子"], CaseStatus.REPORTED, month.ends_at, grade=3)  # G
    case(world.children["xi_a"], CaseStatus.REPORTED, month.at(5), school_id=west, grade=3)  # I
    await session.commit()
    return world


async def test_last_month_by_grade_and_its_cases_counted_by_hand(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, month: Month
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    params = {"school": str(world.schools["east"]), "month": month.name}
    response = await client.get(REPORT, params=params, headers=principal)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["school_name"], body["month"], body["terms"]) == (
        "东镇中心小学", month.name, [month.term])  # fmt: skip
    assert (body["first_day"], body["last_day"]) == (month.first.isoformat(),
                                                     month.last.isoformat())  # fmt: skip
    assert body["grades"] == EXPECTED_GRADES
    assert body["total"] == EXPECTED_TOTAL
    assert body["school_deadline_compliance"] == 3 / 4
    cases = [(c["child_name"], c["grade"], c["class_name"], c["reason"], c["status"],
              c["school_deadline_met"]) for c in body["cases"]]  # fmt: skip
    assert cases == [
        ("陈丑", None, None, "unknown", "reported", True),  # H
        ("张小明", 3, "三年级1班", "weariness", "persuading", True),  # A
        ("李小红", 3, "三年级2班", "unknown", "reported", False),  # B
        ("王小刚", 3, None, "unknown", "dismissed", True),  # C
    ]
    # The county reads the same report, and any school's.
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    assert (await client.get(REPORT, params=params, headers=county)).json() == body
    west = {"school": str(world.schools["west"]), "month": month.name}
    answer = (await client.get(REPORT, params=west, headers=county)).json()
    assert (answer["total"]["reported"], answer["cases"][0]["child_name"]) == (1, "赵小丽")


async def test_the_workbook_a_school_sends(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    month: Month,
    settings: Settings,
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    params = {"school": str(world.schools["east"]), "month": month.name}
    answer = await client.get(SHEET, params=params, headers=principal)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    assert 'filename="monthly-report.xlsx"' in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == f"东镇中心小学 {month.first.year}年{month.first.month}月控辍保学月报"
    assert rows[1][0].startswith(f"统计期间：{month.first:%Y年%m月%d日}至{month.last:%Y年%m月%d日}")
    assert rows[2] == ["年级", "月初在籍", "本月转入", "本月转出", "月末在籍",
                       "本月报告疑似辍学", "本月确认辍学", "本月劝返复学", "月末未销号个案",
                       "不过夜按时报告"]  # fmt: skip
    assert sheet.freeze_panes == "B4"
    assert sheet.column_dimensions["A"].width == 12
    order = ("registered_at_start", "transferred_in", "transferred_out", "registered_at_end",
             "reported", "verified", "returned", "open_at_end", "school_deadline_met")  # fmt: skip
    grades = ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "年级不详", "合计"]
    expected = [*EXPECTED_GRADES, EXPECTED_TOTAL]
    assert rows[3:11] == [
        [label, *(figures_[name] for name in order)]
        for label, figures_ in zip(grades, expected, strict=True)
    ]
    assert rows[11][0] == "本月个案不过夜按时报告率：75%"
    assert rows[13][0] == "本月个案名单"
    assert rows[14][:8] == ["序号", "姓名", "年级", "班级", "辍学原因", "状态", "发现日期",
                            "不过夜"]  # fmt: skip
    listed = [row[:8] for row in rows[15:19]]
    assert listed == [
        [1, "陈丑", None, None, "原因待查", "疑似辍学", datetime.combine(month.first, time()),
         "按时"],
        [2, "张小明", "三年级", "三年级1班", "厌学", "劝返中",
         datetime.combine(month.day(5), time()), "按时"],
        [3, "李小红", "三年级", "三年级2班", "原因待查", "疑似辍学",
         datetime.combine(month.day(12), time()), "超时"],
        [4, "王小刚", "三年级", None, "原因待查", "已排除",
         datetime.combine(month.day(15), time()), "按时"],
    ]  # fmt: skip
    assert sheet.cell(row=16, column=7).is_date
    assert sheet.cell(row=16, column=7).number_format == "yyyy-mm-dd"
    signatures = [value for value in rows[-1] if value]
    assert signatures == ["填报人：", "校长签字：", "填报日期：    年  月  日"]


async def test_each_reads_only_the_schools_it_may(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, month: Month
) -> None:
    east, west = str(world.schools["east"]), str(world.schools["west"])
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    officer = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    for headers in (principal, officer):
        for path in (REPORT, SHEET):
            own = await client.get(path, params={"school": east}, headers=headers)
            assert own.status_code == 200, own.text
            for school in (west, str(world.schools["neighbour"]), str(uuid.uuid4())):
                other = await client.get(path, params={"school": school}, headers=headers)
                assert other.status_code == 404, other.text
    teacher = await world.headers(client, session, UserRole.TEACHER, klass="east-3-1")
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    for headers in (teacher, cadre):
        for path in (REPORT, SHEET):
            refused = await client.get(path, params={"school": east}, headers=headers)
            assert refused.status_code == 403
            assert refused.json()["type"] == "urn:baoxue:problem:forbidden"


async def test_this_month_by_default_and_bad_months_name_the_field(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    month: Month,
    settings: Settings,
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    east = str(world.schools["east"])
    today = school_age.local_today(settings)
    body = (await client.get(REPORT, params={"school": east}, headers=county)).json()
    assert body["month"] == f"{today:%Y-%m}"
    assert body["as_of"] == today.isoformat()
    coming = (today.replace(day=28) + timedelta(days=4)).strftime("%Y-%m")
    for path in (REPORT, SHEET):
        for bad in ("2026-13", "2026-00", "2026-1", "26-01", "0000-01", "十一月", coming):
            response = await client.get(path, params={"school": east, "month": bad},
                                        headers=county)  # fmt: skip
            assert response.status_code == 422, (bad, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert [e["loc"] for e in response.json()["errors"]] == [["query", "month"]], bad
        for params, field in (({"month": month.name}, "school"), ({"school": "东镇"}, "school")):
            response = await client.get(path, params=params, headers=county)
            assert response.status_code == 422
            assert [e["loc"] for e in response.json()["errors"]] == [["query", field]]
