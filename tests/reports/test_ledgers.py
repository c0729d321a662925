"""The school-age children ledger (适龄儿童台账) at county, township, village, group and school
level, opened back and read cell by cell, over a population counted by hand below.

On top of tests/world.py's county (dong_a in 东村一组, dong_b in 东村, nan_a in 南村, all at
东镇中心小学; xi_a in 西村 at 西镇小学; lin_a next door, never ours):

    东村 household 钱家 (建档立卡, 低保): 钱小一 school-age, never enrolled, both parents away,
        orphan, 肢体残疾二级 placed in a regular class, no ID number, no guardian recorded;
        钱小二 deceased, 钱小三 emigrated, 钱小四 three years old, 钱小五 removed, 钱小六 one
        day too old for compulsory school: none of these five on any ledger
    西村 household 周家: 周小七 suspended (休学), registered at 西镇小学 this term as suspended,
        no class; a grandmother and, primary, a father

So the county's ledger has six rows, ordered by area and name: 李小红, 钱小一 (东村), 张小明
(东村一组), 王小刚 (南村), 赵小丽, 周小七 (西村).
"""

import io
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent, Child, Enrolment, Guardian, Guardianship, Household
from api.models.base import utcnow
from api.models.vocabulary import (
    AuditAction,
    DisabilityPlacement,
    EnrolmentStatus,
    GuardianRelation,
    SchoolingStatus,
    Sex,
    UserRole,
)
from api.services.core import school_age
from api.services.reports import children_ledger
from api.settings import Settings
from tests import people
from tests import world as w

LEDGER = "/api/v1/exports/children-ledger.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (
    "序号", "姓名", "性别", "身份证号码", "出生日期", "乡镇", "村", "组", "家庭住址", "户籍地址",
    "监护人", "监护人电话", "教育状况", "就读学校", "年级", "班级", "留守儿童",
    "建档立卡/脱贫户", "残疾", "安置方式", "备注",
)  # fmt: skip
COUNTY_ROWS = ["李小红", "钱小一", "张小明", "王小刚", "赵小丽", "周小七"]
S = SchoolingStatus


@pytest.fixture
async def population(session: AsyncSession, settings: Settings) -> w.World:
    world = await w.build(session, settings, school_age.local_today(settings))
    year = world.school_year
    born, _ = school_age.birth_dates_for_grade(3, year, settings)
    oldest, _ = school_age.births_of_school_year(year, settings)
    qian = Household(area_code=w.DONG, address="钱家", head_name="钱大山",
                     is_poverty_registered=True, is_minimum_living=True)  # fmt: skip
    zhou = Household(area_code=w.XI, address="周家", head_name="周大山")
    session.add_all([qian, zhou])
    await session.flush()
    await people.child(session, qian, "钱小一", S.NEVER_ENROLLED, born, left_behind=2,
                       is_orphan=True, disability_kind="肢体残疾", disability_grade=2,
                       placement=DisabilityPlacement.REGULAR_CLASS)  # fmt: skip
    await people.child(session, qian, "钱小二", S.DECEASED, born)
    await people.child(session, qian, "钱小三", S.EMIGRATED, born)
    await people.child(session, qian, "钱小四", S.UNKNOWN, date(year - 3, 1, 1))
    await people.child(session, qian, "钱小五", S.NEVER_ENROLLED, born, removed_at=utcnow())
    await people.child(session, qian, "钱小六", S.NEVER_ENROLLED, oldest - timedelta(days=1))
    seventh = await people.child(session, zhou, "周小七", S.SUSPENDED, born)
    grandmother = Guardian(household_id=zhou.id, name="周奶奶", phone="13700000001")
    father = Guardian(household_id=zhou.id, name="周大山", phone="13700000002")
    session.add_all([grandmother, father])
    await session.flush()
    session.add_all(
        [
            Guardianship(child_id=seventh.id, guardian_id=father.id,
                         relation=GuardianRelation.FATHER, is_primary=True),
            Guardianship(child_id=seventh.id, guardian_id=grandmother.id,
                         relation=GuardianRelation.GRANDMOTHER),
            Enrolment(child_id=seventh.id, school_id=world.schools["west"], term=world.term,
                      grade=3, student_number="J7", name="周小七", sex=Sex.FEMALE,
                      birth_date=born, status=EnrolmentStatus.SUSPENDED),
        ]
    )  # fmt: skip
    await session.commit()
    return world


def opened(answer: httpx.Response) -> Worksheet:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    return load_workbook(io.BytesIO(answer.content)).worksheets[0]


def table(sheet: Worksheet) -> list[dict[str, Any]]:
    rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert tuple(rows[0]) == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


async def test_the_county_ledger_row_by_row_and_cell_by_cell(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World, settings: Settings
) -> None:
    county = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    answer = await client.get(LEDGER, headers=county)
    sheet = opened(answer)
    assert "children-ledger.xlsx" in answer.headers["content-disposition"]
    assert sheet["A1"].value == "测试县适龄儿童台账"
    year = population.school_year
    assert sheet["A2"].value.startswith(f"{year}-{year + 1}学年")
    assert "共 6 人" in sheet["A2"].value
    assert sheet.freeze_panes == "C4"
    assert sheet.column_dimensions["D"].width == 22  # 身份证号码
    assert sheet.column_dimensions["I"].width == 26  # 家庭住址
    rows = table(sheet)
    assert [r["姓名"] for r in rows] == COUNTY_ROWS
    assert [r["序号"] for r in rows] == [1, 2, 3, 4, 5, 6]
    dong_a = await session.get(Child, population.children["dong_a"])
    assert dong_a is not None
    assert rows[2] == {
        "序号": 3, "姓名": "张小明", "性别": "男", "身份证号码": population.id_numbers["dong_a"],
        "出生日期": datetime.combine(dong_a.birth_date, datetime.min.time()), "乡镇": "东镇",
        "村": "东村", "组": "东村一组", "家庭住址": "张家院子1号", "户籍地址": None,
        "监护人": "张大山", "监护人电话": population.phones["dong_a"], "教育状况": "县内在校",
        "就读学校": "东镇中心小学", "年级": "三年级", "班级": "三年级1班", "留守儿童": "否",
        "建档立卡/脱贫户": "否", "残疾": None, "安置方式": None, "备注": None,
    }  # fmt: skip
    assert sheet["E6"].is_date
    assert sheet["E6"].number_format == "yyyy-mm-dd"
    qian = rows[1]
    assert {k: qian[k] for k in ("性别", "身份证号码", "乡镇", "村", "组", "家庭住址", "监护人",
                                 "教育状况", "就读学校", "留守儿童", "建档立卡/脱贫户", "残疾",
                                 "安置方式", "备注")} == {
        "性别": "女", "身份证号码": None, "乡镇": "东镇", "村": "东村", "组": None,
        "家庭住址": "钱家", "监护人": None, "教育状况": "未入学", "就读学校": None,
        "留守儿童": "父母双方外出", "建档立卡/脱贫户": "是", "残疾": "肢体残疾 二级",
        "安置方式": "随班就读", "备注": "孤儿、低保户",
    }  # fmt: skip
    zhou = rows[5]
    assert (zhou["乡镇"], zhou["村"], zhou["监护人"], zhou["监护人电话"]) == (
        "西镇", "西村", "周大山", "13700000002")  # the primary guardian  # fmt: skip
    assert (zhou["教育状况"], zhou["就读学校"], zhou["年级"], zhou["班级"], zhou["备注"]) == (
        "休学", "西镇小学", "三年级", None, "学籍休学")  # fmt: skip
    # The whole identifiers were read, and that is on record.
    reads = (
        await session.exec(
            select(AuditEvent).where(
                col(AuditEvent.action) == AuditAction.READ_PERSONAL,
                col(AuditEvent.object_type) == "children_ledger",
            )
        )
    ).all()
    assert [event.detail for event in reads] == ["测试县适龄儿童台账 6 行"]


async def test_each_level_has_its_own_children_and_title(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    county = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    east, west = population.schools["east"], population.schools["west"]
    for params, title, children in (
        ({"area": w.COUNTY}, "测试县", COUNTY_ROWS),
        ({"area": w.EAST}, "东镇", ["李小红", "钱小一", "张小明", "王小刚"]),
        ({"area": w.WEST}, "西镇", ["赵小丽", "周小七"]),
        ({"area": w.DONG}, "东村", ["李小红", "钱小一", "张小明"]),
        ({"area": w.DONG_GROUP}, "东村一组", ["张小明"]),
        ({"school": str(east)}, "东镇中心小学", ["李小红", "张小明", "王小刚"]),
        ({"school": str(west)}, "西镇小学", ["赵小丽", "周小七"]),  # suspended: still theirs
        ({"school": str(east), "area": w.DONG}, "东镇中心小学（东村）", ["李小红", "张小明"]),
        ({"school": str(west), "area": w.EAST}, "西镇小学（东镇）", []),
    ):
        sheet = opened(await client.get(LEDGER, params=params, headers=county))
        assert sheet["A1"].value == f"{title}适龄儿童台账", params
        assert [r["姓名"] for r in table(sheet)] == children, params


async def test_a_township_officer_and_a_principal_see_only_theirs_masked_where_due(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    officer = await population.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    sheet = opened(await client.get(LEDGER, headers=officer))
    assert sheet["A1"].value == "东镇适龄儿童台账"
    assert [r["姓名"] for r in table(sheet)] == ["李小红", "钱小一", "张小明", "王小刚"]
    for outside in (w.WEST, w.XI, w.COUNTY, w.NEIGHBOUR, w.NEIGHBOUR_VILLAGE, "519909"):
        response = await client.get(LEDGER, params={"area": outside}, headers=officer)
        assert response.status_code == 404, (outside, response.text)
    principal = await population.headers(client, session, UserRole.PRINCIPAL, school="east")
    sheet = opened(await client.get(LEDGER, headers=principal))
    assert sheet["A1"].value == "东镇中心小学适龄儿童台账"
    assert [r["姓名"] for r in table(sheet)] == ["李小红", "张小明", "王小刚"]
    for school in (population.schools["west"], population.schools["neighbour"], uuid.uuid4()):
        response = await client.get(LEDGER, params={"school": str(school)}, headers=principal)
        assert response.status_code == 404, response.text
    # A supervisor reads every child of the county, ID numbers and phones masked, unaudited.
    supervisor = await population.headers(client, session, UserRole.SUPERVISOR, area_code=w.COUNTY)
    sheet = opened(await client.get(LEDGER, headers=supervisor))
    rows = table(sheet)
    assert [r["姓名"] for r in rows] == COUNTY_ROWS
    assert rows[2]["身份证号码"] == population.id_numbers["dong_a"][:6] + "********" + (
        population.id_numbers["dong_a"][-4:])  # fmt: skip
    assert rows[5]["监护人电话"] == "137****0002"
    assert "隐去" in sheet["A2"].value
    reads = await session.exec(
        select(AuditEvent).where(col(AuditEvent.object_type) == "children_ledger")
    )
    assert len(reads.all()) == 2  # the officer's and the principal's, not the supervisor's


async def test_bad_inputs_name_the_field(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    county = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    for params, field in (({"area": "5199"}, "area"), ({"area": "51990100x"}, "area"),
                          ({"school": "东镇中心小学"}, "school")):  # fmt: skip
        response = await client.get(LEDGER, params=params, headers=county)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["loc"] for e in response.json()["errors"]] == [["query", field]]
    for params in ({"area": w.NEIGHBOUR}, {"area": "519909"}, {"school": str(uuid.uuid4())}):
        response = await client.get(LEDGER, params=params, headers=county)
        assert response.status_code == 404, params


async def test_the_statements_do_not_grow_with_the_children(
    client: httpx.AsyncClient,
    session: AsyncSession,
    population: w.World,
    settings: Settings,
    statements: list[str],
) -> None:
    county = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    statements.clear()
    assert len(table(opened(await client.get(LEDGER, headers=county)))) == 6
    few = len(statements)
    born, _ = school_age.birth_dates_for_grade(5, population.school_year, settings)
    more = Household(area_code=w.NAN, address="南村大院", head_name="吴大山")
    session.add(more)
    await session.flush()
    for n in range(40):
        await people.child(session, more, f"吴小{n}", S.ENROLLED_IN_COUNTY, born)
    await session.commit()
    statements.clear()
    assert len(table(opened(await client.get(LEDGER, headers=county)))) == 46
    assert 0 < len(statements) == few <= 12, statements


def test_the_columns_are_the_clerks() -> None:
    assert tuple(name for name, _ in children_ledger.COLUMNS) == HEADERS
