"""Assigning many at once from the table a county bureau hands out (分工表), XLSX or CSV."""

import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Assignment, User
from api.models.vocabulary import AssignmentKind, UserRole
from api.services.core import school_age
from api.services.spreadsheets import import_records
from api.settings import Settings
from tests import world as w
from tests.factories import Login

IMPORT = "/api/v1/assignments/import"
IMPORTS = "/api/v1/assignments/imports"
HEADER = ["分工类型", "负责人账号", "负责人手机", "负责人姓名", "区划代码", "学校标识码", "年级",
          "班级", "身份证号码", "开始日期"]  # fmt: skip
EAST_CODE, WEST_CODE, NEIGHBOUR_CODE = "2151990101", "2151990201", "2151990301"


def row(kind: str, **cells: Any) -> list[Any]:
    keys = ["username", "phone", "name", "area", "school", "grade", "klass", "id", "since"]
    return [kind, *(cells.get(key, "") for key in keys)]


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> dict[str, Any]:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["东镇控辍保学包保分工表"])  # a title above the header, as clerks write
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return {"file": ("分工表.xlsx", buffer.getvalue(), import_records.XLSX_TYPE)}


def csv(rows: list[list[Any]], header: list[str] = HEADER) -> dict[str, Any]:
    lines = [",".join(header), *(",".join(str(c) for c in cells) for cells in rows)]
    return {"file": ("分工表.csv", "\n".join(lines).encode(), "text/csv")}


async def with_phone(session: AsyncSession, login: Login, phone: str, name: str) -> None:
    user = await session.get(User, login.user_id)
    assert user is not None
    user.phone, user.display_name = phone, name
    session.add(user)
    await session.commit()


async def current(session: AsyncSession) -> dict[tuple[str, str], uuid.UUID]:
    """(kind, target) → who holds it now."""
    found = await session.exec(select(Assignment).where(col(Assignment.valid_to).is_(None)))
    return {
        (a.kind.value, str(a.area_code or a.school_id or a.class_id or a.child_id)): a.user_id
        for a in found.all()
    }


async def count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Assignment))).one()


class Staff:
    """The county's people for the table: one of each role the kinds go to."""

    def __init__(self, **logins: Login) -> None:
        self.__dict__.update(logins)

    township: Login
    cadre: Login
    principal: Login
    teacher: Login
    other_teacher: Login


@pytest.fixture
async def staff(session: AsyncSession, world: w.World) -> Staff:
    made = Staff(
        township=await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST),
        cadre=await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG),
        principal=await world.login(session, UserRole.PRINCIPAL, school="east"),
        teacher=await world.login(session, UserRole.TEACHER, klass="east-3-1"),
        other_teacher=await world.login(session, UserRole.TEACHER, school="east"),
    )
    await with_phone(session, made.principal, "13900002222", "钱校长")
    return made


def full_table(world: w.World, staff: Staff) -> list[list[Any]]:
    """Each kind once: the principal by mobile number, the rest by account."""
    return [
        row("包村", username=staff.township.username, area=w.DONG),
        row("包组", username=staff.cadre.username, area=w.DONG_GROUP),
        row("包校", phone="139 0000 2222", name="钱校长", school=EAST_CODE),
        row("班主任", username=staff.teacher.username, school=EAST_CODE, klass="三年级1班"),
        row(
            "班主任",
            username=staff.other_teacher.username,
            school=EAST_CODE,
            grade="三年级",
            klass="2班",
        ),
        row("包保学生", username=staff.teacher.username, id=world.id_numbers["dong_a"]),
    ]


async def test_a_table_assigns_every_kind_and_the_same_table_again_adds_nothing(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, staff: Staff
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    table = xlsx(full_table(world, staff))
    made = await client.post(IMPORT, files=table, headers=county)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["status"], body["rows"], body["rejected"]) == ("stored", 6, 0), body["errors"]
    assert (body["created"], body["replaced"], body["unchanged"]) == (6, 0, 0)
    assert made.headers["Location"].endswith(f"{IMPORTS}/{body['id']}")
    holders = await current(session)
    assert holders == {
        ("village", w.DONG): staff.township.user_id,
        ("group", w.DONG_GROUP): staff.cadre.user_id,
        ("school", str(world.schools["east"])): staff.principal.user_id,
        ("class", str(world.classes["east-3-1"])): staff.teacher.user_id,
        ("class", str(world.classes["east-3-2"])): staff.other_teacher.user_id,
        ("child", str(world.children["dong_a"])): staff.teacher.user_id,
    }
    # The chain reads them: the child's government and school lines are full.
    chain = await client.get(f"/api/v1/children/{world.children['dong_a']}/responsibility",
                             headers=county)  # fmt: skip
    assert chain.status_code == 200
    lines = chain.json()
    people = {s["step"]: (s["person"] or {}).get("user_id") for s in lines["school"]}
    assert people["principal"] == str(staff.principal.user_id)
    assert people["teacher"] == str(staff.teacher.user_id)
    cadres = {s["step"]: (s["person"] or {}).get("user_id") for s in lines["government"]}
    assert cadres["village_lead"] == str(staff.township.user_id)
    assert cadres["group_cadre"] == str(staff.cadre.user_id)

    assignments_before = await count(session)
    again = await client.post(IMPORT, files=table, headers=county)
    assert again.status_code == 201
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 6)
    assert await count(session) == assignments_before
    assert await current(session) == holders


async def test_a_new_table_reassigns_and_keeps_the_history(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    world: w.World,
    staff: Staff,
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    today = school_age.local_today(settings)
    since = (today - timedelta(days=60)).isoformat()
    first = [row("班主任", username=staff.teacher.username, school=EAST_CODE,
                 klass="三年级1班", since=since)]  # fmt: skip
    assert (await client.post(IMPORT, files=csv(first), headers=county)).status_code == 201
    moved_on = today - timedelta(days=1)
    second = [row("班主任", username=staff.other_teacher.username, school=EAST_CODE, grade=3,
                  klass="1", since=moved_on.isoformat())]  # fmt: skip
    made = await client.post(IMPORT, files=csv(second), headers=county)
    assert (made.json()["created"], made.json()["replaced"]) == (1, 1), made.json()["errors"]
    history = await client.get(
        "/api/v1/assignments",
        params={"klass": str(world.classes["east-3-1"]), "include_ended": "true"},
        headers=county,
    )
    spans = [(a["person"]["id"], a["valid_from"], a["valid_to"]) for a in history.json()["items"]]
    assert spans == [
        (str(staff.other_teacher.user_id), moved_on.isoformat(), None),
        (str(staff.teacher.user_id), since, moved_on.isoformat()),
    ]


async def test_each_bad_row_is_named_with_its_column_and_the_good_rows_kept(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    world: w.World,
    staff: Staff,
) -> None:
    township = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    dong_cadre = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    twin_a = await world.login(session, UserRole.TEACHER, school="east")
    twin_b = await world.login(session, UserRole.TEACHER, school="east")
    await with_phone(session, twin_a, "13900003333", "甲老师")
    await with_phone(session, twin_b, "13900003333", "乙老师")
    today = school_age.local_today(settings)
    tomorrow = (today + timedelta(days=1)).isoformat()
    bad_id = world.id_numbers["dong_b"][:-1] + ("0" if world.id_numbers["dong_b"][-1] != "0"
                                               else "1")  # fmt: skip
    rows = [
        row("包组", username=staff.cadre.username, area=w.DONG_GROUP),  # 3: good
        row("包干", username=staff.cadre.username, area=w.DONG_GROUP),  # 4: no such kind
        row("包村", username="nobody.here", area=w.NAN),  # 5: no such account
        row("包保学生", phone="13900003333", id=world.id_numbers["nan_a"]),  # 6: shared phone
        row("包村", username=staff.township.username, name="王五", area=w.NAN),  # 7: not his name
        row("包校", username=staff.cadre.username, school=EAST_CODE),  # 8: a cadre, not a principal
        row("包村", username=staff.township.username, area=w.EAST),  # 9: a township, not a village
        row("包村", username=staff.township.username, area=w.XI),  # 10: not the uploader's
        row("包校", username=staff.principal.username, school=NEIGHBOUR_CODE),  # 11: not his
        row("班主任", username=staff.teacher.username, school=EAST_CODE, klass="九年级9班"),  # 12
        row("包保学生", username=staff.teacher.username, id=bad_id),  # 13: check digit wrong
        row("包保学生", username=staff.teacher.username, id=world.id_numbers["xi_a"]),  # 14: west
        row("包组", username=dong_cadre.username, area=w.DONG_GROUP),  # 15: the same group again
        row("班主任", username=staff.teacher.username, school=EAST_CODE, klass="三年级2班"),  # 16
        row("包村", username=staff.township.username, area=w.NAN, since=tomorrow),  # 17: future
        row("班主任", username=staff.teacher.username, school=EAST_CODE, klass="3"),  # 18: grade?
        row("包组"),  # 19: nobody named
    ]  # fmt: skip
    made = await client.post(IMPORT, files=xlsx(rows), headers=township)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["rows"], body["created"], body["rejected"]) == (17, 1, 16)
    assert body["errors"]["total"] == 17  # row 19 has two
    faults = {(e["row"], e["field"]) for e in body["errors"]["items"]}
    assert faults == {
        (4, "分工类型"),
        (5, "负责人账号"),
        (6, "负责人手机"),
        (7, "负责人姓名"),
        (8, "负责人账号"),
        (9, "区划代码"),
        (10, "区划代码"),
        (11, "学校标识码"),
        (12, "班级"),
        (13, "身份证号码"),
        (14, "身份证号码"),
        (15, "区划代码"),
        (16, "负责人账号"),  # a teacher of 3-1 does not see 3-2
        (17, "开始日期"),
        (18, "年级"),
        (19, "负责人账号"),
        (19, "区划代码"),
    }
    by_row = {e["row"]: e["message"] for e in body["errors"]["items"]}
    assert "第3行" in by_row[15]
    assert "多个账号" in by_row[6]
    assert (await current(session)) == {("group", w.DONG_GROUP): staff.cadre.user_id}

    # Fixed in the report and imported again, the report is read as it is.
    report = await client.get(f"{IMPORTS}/{body['id']}/report.xlsx", headers=township)
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][-2:] == ("错误说明", "原行号")
    assert [line[-1] for line in lines[1:]] == list(range(4, 20))
    paged = await client.get(f"{IMPORTS}/{body['id']}", params={"limit": 5, "offset": 15},
                             headers=township)  # fmt: skip
    assert (paged.json()["errors"]["total"], len(paged.json()["errors"]["items"])) == (17, 2)


async def test_a_start_before_the_current_holders_is_refused(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    world: w.World,
    staff: Staff,
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    since = school_age.local_today(settings) - timedelta(days=30)
    first = [row("包组", username=staff.cadre.username, area=w.DONG_GROUP, since=since)]
    assert (await client.post(IMPORT, files=csv(first), headers=county)).status_code == 201
    other = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    before = since - timedelta(days=1)
    earlier = [row("包组", username=other.username, area=w.DONG_GROUP, since=before)]
    made = await client.post(IMPORT, files=csv(earlier), headers=county)
    faults = [
        (e["field"], since.isoformat() in e["message"]) for e in made.json()["errors"]["items"]
    ]
    assert faults == [("开始日期", True)]
    assert (await current(session))[("group", w.DONG_GROUP)] == staff.cadre.user_id


async def test_all_or_nothing_stores_none_when_a_row_is_bad(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, staff: Staff
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    rows = [*full_table(world, staff), row("包村", username="nobody.here", area=w.NAN)]
    made = await client.post(IMPORT, files=xlsx(rows), data={"all_or_nothing": "true"},
                             headers=county)  # fmt: skip
    assert made.status_code == 201
    body = made.json()
    assert (body["status"], body["created"], body["rejected"]) == ("refused", 0, 1)
    assert await count(session) == 0
    kept = await client.get(f"{IMPORTS}/{body['id']}", headers=county)
    assert kept.json()["status"] == "refused"


async def test_files_that_cannot_be_read_are_refused_whole(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, staff: Staff
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    nobody = csv([["包组", w.DONG_GROUP]], header=["分工类型", "区划代码"])
    missing = await client.post(IMPORT, files=nobody, headers=county)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"][-1] == "file"
    assert "负责人账号" in missing.json()["errors"][0]["msg"]
    picture = {"file": ("分工表.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")}
    assert (await client.post(IMPORT, files=picture, headers=county)).status_code == 415
    empty = {"file": ("分工表.csv", b"", "text/csv")}
    assert (await client.post(IMPORT, files=empty, headers=county)).status_code == 422
    no_kind = csv([[staff.cadre.username, w.DONG_GROUP]], header=["负责人账号", "区划代码"])
    refused = await client.post(IMPORT, files=no_kind, headers=county)
    assert refused.status_code == 422
    assert "分工类型" in refused.json()["errors"][0]["msg"]
    assert await count(session) == 0


async def test_only_the_uploader_and_those_covering_them_read_an_import(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, staff: Staff
) -> None:
    township = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    table = csv([row("包组", username=staff.cadre.username, area=w.DONG_GROUP)])
    made = (await client.post(IMPORT, files=table, headers=township)).json()
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    west = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST)
    assert (await client.get(f"{IMPORTS}/{made['id']}", headers=county)).status_code == 200
    assert (await client.get(f"{IMPORTS}/{made['id']}", headers=west)).status_code == 404


def test_kinds_and_grades_are_read_as_clerks_write_them() -> None:
    from api.services.responsibility import assignment_rows

    assert assignment_rows.kind("班主任") is AssignmentKind.CLASS
    assert assignment_rows.kind("Village") is AssignmentKind.VILLAGE
    assert assignment_rows.grade("初二") == 8
    assert assignment_rows.grade("三年级") == 3
    assert assignment_rows.grade(4.0) == 4
    assert assignment_rows.class_number("(2)班") == 2
    assert assignment_rows.class_number("三年级2班") is None
    with pytest.raises(ValueError, match="年级"):
        assignment_rows.grade("十年级")
