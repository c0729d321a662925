"""Importing households and children from the spreadsheets counties keep (XLSX and CSV)."""

import csv
import io
import uuid
from collections.abc import Collection
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent, Child, Guardian, Guardianship, Household, HouseholdImport
from api.models.vocabulary import AuditAction, DisabilityPlacement, GuardianRelation, UserRole
from api.services.registry import household_import, id_number
from api.services.spreadsheets import import_records
from tests import world as w
from tests.factories import bearer, token_for

IMPORT = "/api/v1/households/import"
IMPORTS = "/api/v1/households/imports"
XLSX = import_records.XLSX_TYPE
BORN = date(2017, 3, 1)
HEADINGS = {
    "area_code": "区划代码",
    "address": "家庭住址",
    "head_name": "户主姓名",
    "phone": "联系电话",
    "is_poverty_registered": "是否建档立卡户",
    "is_minimum_living": "是否低保户",
    "name": "儿童姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号码",
    "registered_address": "户籍地址",
    "left_behind": "留守情况",
    "disability_kind": "残疾类别",
    "disability_grade": "残疾等级",
    "placement": "安置方式",
    "is_orphan": "孤儿",
    "is_unattended": "事实无人抚养",
    "is_in_hardship": "困境儿童",
    "is_migrant": "随迁子女",
    "guardian_name": "监护人姓名",
    "guardian_relation": "与儿童关系",
    "guardian_phone": "监护人电话",
}
FIELDS = list(HEADINGS)
Row = dict[str, Any]


def number(sequence: int, born: date = BORN) -> str:
    """A valid ID number; an odd sequence is a boy's."""
    return id_number.make(area_code="510821", birth_date=born, sequence=sequence)


def ending_in_x(born: date) -> str:
    """A girl's number whose check character is X."""
    return next(n for s in range(0, 999, 2) if (n := number(s, born)).endswith("X"))


def child_row(**values: Any) -> Row:
    """A good row: a boy of the 刘 household in 东村一组, cared for by his grandmother."""
    return {
        "area_code": w.DONG_GROUP,
        "address": "东村一组8号",
        "head_name": "刘建国",
        "phone": "13900001111",
        "is_poverty_registered": "是",
        "is_minimum_living": "否",
        "name": "刘小宝",
        "sex": "男",
        "birth_date": BORN,
        "id_number": number(101),
        "registered_address": "东村一组8号",
        "left_behind": 2,
        "disability_kind": "",
        "disability_grade": "",
        "placement": "",
        "is_orphan": "否",
        "is_unattended": "N",
        "is_in_hardship": 0,
        "is_migrant": "",
        "guardian_name": "王秀英",
        "guardian_relation": "奶奶",
        "guardian_phone": "13700002222",
        **values,
    }


def sibling(**values: Any) -> Row:
    return child_row(**{"name": "刘小妹", "sex": "女", "id_number": number(102), **values})


def write_xlsx(
    path: Path,
    rows: list[Row],
    *,
    headings: dict[str, str] = HEADINGS,
    title: str | None = "保学示范县适龄儿童信息表",
    blank_before: Collection[int] = (),
) -> bytes:
    """As a county office saves it: a title above the header, the cells as typed."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.append([title])
    sheet.append(list(headings.values()))
    for index, row in enumerate(rows):
        if index in blank_before:
            sheet.append([])
        sheet.append([row.get(field, "") for field in headings])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed text that looks like a formula, as a clerk may
    workbook.save(path)
    return path.read_bytes()


def write_csv(
    path: Path, rows: list[Row], *, encoding: str = "utf-8", headings: dict[str, str] = HEADINGS
) -> bytes:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings.values())
        for row in rows:
            writer.writerow(
                [v.isoformat() if isinstance(v, date) else v for v in map(row.get, headings)]
            )
    return path.read_bytes()


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    content: bytes,
    filename: str = "儿童信息.xlsx",
    **params: Any,
) -> httpx.Response:
    kind = XLSX if filename.endswith(".xlsx") else "text/csv"
    return await client.post(
        IMPORT, files={"file": (filename, content, kind)}, params=params, headers=headers
    )


async def count(session: AsyncSession, model: type[Any]) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


async def login(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, role: UserRole, **scope: Any
) -> dict[str, str]:
    return bearer(
        (await token_for(client, await world.login(session, role, **scope)))["access_token"]
    )


@pytest.fixture
async def world(session: AsyncSession, settings: Any) -> w.World:
    return await w.build(session, settings)


@pytest.fixture
async def cadre(client: httpx.AsyncClient, session: AsyncSession, world: w.World) -> dict[str, str]:
    return await login(client, session, world, UserRole.VILLAGE_CADRE, area_code=w.DONG)


async def test_a_county_sheet_is_imported_household_by_household(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
) -> None:
    rows = [
        child_row(),
        sibling(birth_date=date(2015, 9, 1), id_number=number(102, date(2015, 9, 1))),
        child_row(
            area_code=w.DONG,
            address="东村3号",
            head_name="陈大志",
            phone="13811112222",
            is_poverty_registered="N",
            is_minimum_living="Y",
            name="陈曦",
            sex="女",
            birth_date="2016/9/30",
            id_number=ending_in_x(date(2016, 9, 30)).lower(),  # a typed x is an X
            left_behind=0,
            disability_kind="肢体",
            disability_grade="二级",
            placement="随班就读",
            is_in_hardship="是",
            guardian_name="陈大志",
            guardian_relation="父亲",
            guardian_phone=13811112222,  # typed as a number
        ),
    ]
    response = await upload(client, cadre, write_xlsx(tmp_path / "in.xlsx", rows))
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{IMPORTS}/{body['id']}"
    assert body["status"] == "stored"
    assert {k: body[k] for k in ("rows", "households_created", "households_matched")} == {
        "rows": 3,
        "households_created": 2,
        "households_matched": 0,
    }
    assert (body["children_created"], body["children_unchanged"], body["rejected"]) == (3, 0, 0)
    assert body["guardians_created"] == 2  # the grandmother of both, and the father
    assert body["errors"] == {"items": [], "total": 0, "limit": 100, "offset": 0}
    assert body["ignored_columns"] == []

    liu = (await session.exec(select(Household).where(col(Household.head_name) == "刘建国"))).one()
    assert (liu.area_code, liu.address, liu.phone) == (w.DONG_GROUP, "东村一组8号", "13900001111")
    assert liu.is_poverty_registered
    assert not liu.is_minimum_living
    kids = (
        await session.exec(
            select(Child).where(col(Child.household_id) == liu.id).order_by(col(Child.birth_date))
        )
    ).all()
    assert [(c.name, c.sex.value, c.birth_date) for c in kids] == [
        ("刘小妹", "female", date(2015, 9, 1)),
        ("刘小宝", "male", BORN),
    ]
    boy = kids[1]
    assert (boy.area_code, boy.name_pinyin, boy.name_initials) == (
        w.DONG_GROUP,
        "liuxiaobao",
        "lxb",
    )
    assert (boy.left_behind, boy.registered_address, boy.is_unattended) == (2, "东村一组8号", False)
    grandmother = (await session.exec(select(Guardian).where(col(Guardian.name) == "王秀英"))).one()
    assert (grandmother.household_id, grandmother.phone) == (liu.id, "13700002222")
    links = (
        await session.exec(
            select(Guardianship).where(col(Guardianship.guardian_id) == grandmother.id)
        )
    ).all()
    assert {link.child_id for link in links} == {c.id for c in kids}
    assert {(link.relation, link.is_primary) for link in links} == {
        (GuardianRelation.GRANDMOTHER, True)
    }
    chen = (await session.exec(select(Child).where(col(Child.name) == "陈曦"))).one()
    assert chen.id_number == ending_in_x(date(2016, 9, 30))
    assert (chen.disability_kind, chen.disability_grade) == ("肢体", 2)
    assert (chen.placement, chen.is_in_hardship, chen.area_code) == (
        DisabilityPlacement.REGULAR_CLASS,
        True,
        w.DONG,
    )
    [entry] = (
        await session.exec(
            select(AuditEvent).where(col(AuditEvent.object_type) == "household_import")
        )
    ).all()
    assert (entry.action, entry.object_id) == (AuditAction.CREATE, body["id"])
    assert entry.changes is not None
    assert entry.changes["children_created"] == {"before": None, "after": 3}
    assert entry.changes["file_name"]["after"] == "儿童信息.xlsx"


@pytest.mark.parametrize(
    "written",
    [
        BORN,
        datetime(2017, 3, 1),
        "2017-03-01",
        "2017/3/1",
        "2017.03.01",
        "2017年3月1日",
        "20170301",
        20170301,
        42795,  # the day as Excel counts, in a cell not formatted as a date
        "2017-03-01 00:00:00",
    ],
)
async def test_a_birth_date_is_read_however_excel_or_the_clerk_wrote_it(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
    written: object,
) -> None:
    content = write_xlsx(tmp_path / "in.xlsx", [child_row(birth_date=written)])
    response = await upload(client, cadre, content)
    assert response.json()["children_created"] == 1, response.text
    boy = (await session.exec(select(Child).where(col(Child.name) == "刘小宝"))).one()
    assert boy.birth_date == BORN


@pytest.mark.parametrize(
    ("encoding", "english"),
    [("utf-8", False), ("utf-8-sig", False), ("gb18030", False), ("utf-8", True)],
)
async def test_csv_in_utf8_with_or_without_bom_or_gb18030_and_english_headings(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
    encoding: str,
    english: bool,
) -> None:
    headings = {field: field for field in FIELDS} if english else HEADINGS
    rows = [child_row(), sibling(), child_row(name="刘小三", id_number="123")]
    content = write_csv(tmp_path / "in.csv", rows, encoding=encoding, headings=headings)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")  # the test file really is in GB18030
    response = await upload(client, cadre, content, filename="儿童.csv")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["rows"], body["children_created"], body["rejected"]) == (3, 2, 1)
    [error] = body["errors"]["items"]
    assert error["row"] == 4  # the header is line 1
    assert error["field"] == ("id_number" if english else "身份证号码")
    assert error["message"].startswith("身份证号码应为18位")
    names = (await session.exec(select(Child.name).where(col(Child.name).like("刘%")))).all()
    assert sorted(names) == ["刘小妹", "刘小宝"]


BAD_NUMBER = number(101)[:-1] + ("0" if number(101)[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("values", "heading", "says"),
    [
        ({"id_number": BAD_NUMBER}, "身份证号码", "校验位不正确"),
        ({"birth_date": "2017-03-02"}, "身份证号码", "出生日期是2017-03-01"),
        ({"sex": "女"}, "身份证号码", "性别为男"),
        ({"id_number": 510821201703011010}, "身份证号码", "存成了数字"),
        ({"birth_date": date.today() + timedelta(days=3), "id_number": ""}, "出生日期", "晚于今天"),
        ({"birth_date": "2001-01-01", "id_number": ""}, "出生日期", "已满18周岁"),
        ({"birth_date": "2017-02-30"}, "出生日期", "不是有效日期"),
        ({"birth_date": ""}, "出生日期", "不能为空"),
        ({"name": ""}, "儿童姓名", "不能为空"),
        ({"name": "刘" * 51}, "儿童姓名", "不能超过50个字"),
        ({"sex": "未知"}, "性别", "须填“男”或“女”"),
        ({"area_code": "519901001009"}, "区划代码", "没有这个区划代码"),
        ({"area_code": w.EAST}, "区划代码", "户应登记在村或村民小组"),
        ({"area_code": w.XI}, "区划代码", "不在你负责的范围内"),  # the cadre's is 东村
        ({"area_code": "东村"}, "区划代码", "须为数字"),
        ({"address": ""}, "家庭住址", "不能为空"),
        ({"head_name": ""}, "户主姓名", "不能为空"),
        ({"phone": "1390000111"}, "联系电话", "11位"),
        ({"is_poverty_registered": "也许"}, "是否建档立卡户", "须填“是”或“否”"),
        ({"left_behind": 3}, "留守情况", "须为0、1或2"),
        ({"disability_grade": 2}, "残疾等级", "未填残疾类别时不能填残疾等级"),
        ({"placement": "送教上门"}, "安置方式", "未填残疾类别时不能填安置方式"),
        ({"disability_kind": "视力", "disability_grade": 7}, "残疾等级", "1至4级"),
        ({"disability_kind": "视力", "placement": "在家"}, "安置方式", "安置方式须为"),
        ({"guardian_relation": ""}, "与儿童关系", "须填写与儿童关系"),
        ({"guardian_relation": "邻居"}, "与儿童关系", "与儿童关系须为"),
        ({"guardian_name": ""}, "监护人姓名", "须填写监护人姓名"),
        ({"guardian_phone": "12345"}, "监护人电话", "11位"),
    ],
)
async def test_each_rule_refuses_the_row_naming_its_column_and_keeps_the_good_rows(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
    values: Row,
    heading: str,
    says: str,
) -> None:
    other = {"address": "东村一组9号", "head_name": "刘建军"}  # a household of its own
    rows = [sibling(), child_row(**{**other, **values})]
    response = await upload(client, cadre, write_xlsx(tmp_path / "in.xlsx", rows))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["children_created"], body["rejected"], body["households_created"]) == (1, 1, 1)
    errors = body["errors"]["items"]
    assert {e["row"] for e in errors} == {4}  # title 1, header 2, good row 3
    assert any(e["field"] == heading and says in e["message"] for e in errors), errors
    assert all("(" in e["message"] for e in errors)  # Chinese, then English in brackets
    assert (await session.exec(select(Child.name).where(col(Child.name) == "刘小妹"))).one()
    assert await count(session, Household) == 5 + 1  # the world's five, and the good row's


async def test_an_id_number_twice_in_the_file_refuses_the_later_row(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str], tmp_path: Path
) -> None:
    rows = [child_row(), child_row(address="东村一组9号", head_name="刘建军")]
    body = (await upload(client, cadre, write_xlsx(tmp_path / "in.xlsx", rows))).json()
    assert body["children_created"] == 1
    [error] = body["errors"]["items"]
    assert (error["row"], error["field"]) == (4, "身份证号码")
    assert "与第3行的身份证号码重复" in error["message"]


async def test_a_child_already_registered_is_unchanged_or_a_conflict(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Any,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
) -> None:
    registered = await session.get(Child, world.children["dong_a"])
    assert registered is not None
    household = await session.get(Household, world.households["dong_a"])
    assert household is not None
    as_registered = {
        "area_code": household.area_code,
        "address": household.address,
        "head_name": household.head_name,
        "name": registered.name,
        "birth_date": registered.birth_date,
        "guardian_name": "",
        "guardian_relation": "",
        "guardian_phone": "",
    }
    taken = registered.id_number
    rows = [
        child_row(**as_registered, id_number=taken),  # the same child: unchanged
        child_row(**as_registered, id_number=""),  # the same, matched by household and name
        child_row(name="刘冒名", birth_date=registered.birth_date, id_number=taken),
        child_row(**{**as_registered, "name": "张小亮"}, id_number=world.id_numbers["xi_a"]),
    ]
    body = (await upload(client, cadre, write_xlsx(tmp_path / "in.xlsx", rows))).json()
    assert (body["children_unchanged"], body["children_created"]) == (1, 0)
    assert (body["households_matched"], body["households_created"]) == (1, 0)
    by_row = {e["row"]: e for e in body["errors"]["items"]}
    assert "与第3行是同一名儿童" in by_row[4]["message"]  # the same child twice in the file
    assert "与第3行的身份证号码重复" in by_row[5]["message"]
    assert "已有儿童登记了这个身份证号码" in by_row[6]["message"]  # 赵小丽's, of 西村
    assert by_row[6]["field"] == "身份证号码"
    assert await count(session, Child) == 5


async def test_a_row_without_id_number_matches_a_registered_child_of_the_household(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, cadre: dict[str, str],
    tmp_path: Path,
) -> None:  # fmt: skip
    registered = await session.get(Child, world.children["dong_b"])
    household = await session.get(Household, world.households["dong_b"])
    assert registered is not None
    assert household is not None
    same = {
        "area_code": household.area_code,
        "address": household.address,
        "head_name": household.head_name,
        "name": registered.name,
        "sex": "男",
        "birth_date": registered.birth_date,
        "id_number": "",
        "guardian_name": "",
        "guardian_relation": "",
        "guardian_phone": "",
    }
    other_number = number(301, registered.birth_date)
    father = {"guardian_name": "李大山", "guardian_relation": "父亲", "guardian_phone": ""}
    rows = [
        child_row(**same),
        child_row(**{**same, "name": "李小白", **father}),  # new, of the registered household
    ]
    body = (await upload(client, cadre, write_xlsx(tmp_path / "a.xlsx", rows))).json()
    assert (body["children_unchanged"], body["children_created"], body["rejected"]) == (1, 1, 0)
    assert (body["households_matched"], body["households_created"]) == (1, 0)
    assert body["guardians_created"] == 0  # 李大山 is the household's guardian already
    new = (await session.exec(select(Child).where(col(Child.name) == "李小白"))).one()
    assert (new.household_id, new.area_code) == (household.id, household.area_code)
    link = (
        await session.exec(select(Guardianship).where(col(Guardianship.child_id) == new.id))
    ).one()
    carer = await session.get(Guardian, link.guardian_id)
    assert carer is not None
    assert (carer.name, carer.household_id, link.relation) == (
        "李大山",
        household.id,
        GuardianRelation.FATHER,
    )
    # The registered child with some other number is a question for the clerk, not a new child.
    clash = [child_row(**{**same, "id_number": other_number})]
    body = (await upload(client, cadre, write_xlsx(tmp_path / "b.xlsx", clash))).json()
    assert body["rejected"] == 1
    assert "这一户已登记同名、同出生日期的儿童" in body["errors"]["items"][0]["message"]


async def test_importing_the_same_file_twice_adds_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
) -> None:
    rows = [
        child_row(),
        sibling(),
        child_row(address="东村一组9号", head_name="刘建军", name="刘无证", id_number=""),
        child_row(address="东村一组9号", head_name="刘建军", name="刘错误", id_number="1"),
    ]
    content = write_xlsx(tmp_path / "in.xlsx", rows)
    first = (await upload(client, cadre, content)).json()
    assert (first["households_created"], first["children_created"]) == (2, 3)
    assert first["guardians_created"] == 2
    before = {m: await count(session, m) for m in (Household, Child, Guardian, Guardianship)}
    again = (await upload(client, cadre, content)).json()
    assert again["id"] != first["id"]
    assert again["sha256"] == first["sha256"]
    assert (again["households_created"], again["households_matched"]) == (0, 2)
    assert (again["children_created"], again["children_unchanged"]) == (0, 3)
    assert (again["guardians_created"], again["rejected"]) == (0, 1)
    assert {m: await count(session, m) for m in before} == before
    assert await count(session, HouseholdImport) == 2


@pytest.mark.parametrize("as_form", [False, True])
async def test_all_or_nothing_stores_nothing_when_a_row_is_bad(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
    as_form: bool,
) -> None:
    rows = [child_row(), sibling(sex="男")]
    content = write_xlsx(tmp_path / "in.xlsx", rows)
    before = {m: await count(session, m) for m in (Household, Child, Guardian, Guardianship)}
    files = {"file": ("in.xlsx", content, XLSX)}
    if as_form:
        response = await client.post(
            IMPORT, files=files, data={"all_or_nothing": "true"}, headers=cadre
        )
    else:
        response = await client.post(
            IMPORT, files=files, params={"all_or_nothing": "true"}, headers=cadre
        )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["all_or_nothing"], body["rejected"]) == ("refused", True, 1)
    assert (body["households_created"], body["children_created"]) == (0, 0)
    assert {m: await count(session, m) for m in before} == before
    report = await client.get(f"{IMPORTS}/{body['id']}/report.xlsx", headers=cadre)
    assert report.status_code == 200
    good = await upload(
        client, cadre, write_xlsx(tmp_path / "ok.xlsx", rows[:1]), all_or_nothing=True
    )
    assert (good.json()["status"], good.json()["children_created"]) == ("stored", 1)


async def test_a_household_keeps_its_good_rows_and_is_told_one_way(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
) -> None:
    rows = [
        child_row(phone="", is_poverty_registered=""),  # the household's phone comes later
        sibling(id_number="bad"),  # refused; its household stays
        child_row(name="刘小三", id_number=number(105), phone="13900001111"),
        child_row(name="刘小四", id_number=number(107), phone="13900009999"),  # which phone?
        child_row(name="刘小五", id_number=number(109), guardian_phone="13700003333"),
        child_row(address="东村一组10号", head_name="刘某", id_number=number(111), name="刘空"),
    ]
    body = (await upload(client, cadre, write_xlsx(tmp_path / "in.xlsx", rows))).json()
    assert (body["children_created"], body["rejected"]) == (3, 3)
    by_row = {e["row"]: e for e in body["errors"]["items"]}
    assert set(by_row) == {4, 6, 7}
    assert (by_row[6]["field"], by_row[6]["message"]) == (
        "联系电话",
        "与本户第5行不一致 (differs from row 5)",
    )
    assert (by_row[7]["field"], "与第3行同一监护人的电话不同" in by_row[7]["message"]) == (
        "监护人电话",
        True,
    )
    liu = (await session.exec(select(Household).where(col(Household.head_name) == "刘建国"))).one()
    assert (liu.phone, liu.is_poverty_registered) == ("13900001111", True)
    assert await count(session, Household) == 5 + 2


async def test_the_report_is_a_workbook_of_the_refused_rows_that_imports_again_once_fixed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
) -> None:
    rows = [
        child_row(),
        sibling(id_number=BAD_NUMBER),
        child_row(area_code=w.XI, name='=HYPERLINK("http://evil")', id_number=""),
    ]
    body = (
        await upload(client, cadre, write_xlsx(tmp_path / "in.xlsx", rows, blank_before={2}))
    ).json()
    assert body["rejected"] == 2
    assert [e["row"] for e in body["errors"]["items"]] == [4, 6]  # row 5 is blank in the sheet
    response = await client.get(f"{IMPORTS}/{body['id']}/report.xlsx", headers=cadre)
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    report = tmp_path / "report.xlsx"
    report.write_bytes(response.content)
    sheet = openpyxl.load_workbook(report).active
    assert sheet is not None
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == [*HEADINGS.values(), "错误说明", "原行号"]
    assert [r[-1] for r in table[1:]] == [4, 6]
    refused = dict(zip(table[0], table[1], strict=True))
    assert refused["身份证号码"] == BAD_NUMBER  # text, as in the file
    assert refused["出生日期"] == "2017-03-01"
    assert "身份证号码：身份证号码校验位不正确" in str(refused["错误说明"])
    assert "不在你负责的范围内" in str(table[2][-2])
    assert table[2][FIELDS.index("name")] == '=HYPERLINK("http://evil")'  # text, not a formula
    cell = sheet.cell(row=3, column=FIELDS.index("name") + 1)
    assert cell.data_type == "s"
    entries = (
        await session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == AuditAction.READ_PERSONAL)
        )
    ).all()
    assert [(e.object_type, e.object_id) for e in entries] == [("household_import", body["id"])]
    # The clerk corrects the number in the report and imports the report itself.
    workbook = openpyxl.load_workbook(report)
    fixed_sheet = workbook.active
    assert fixed_sheet is not None
    fixed_sheet.cell(row=2, column=FIELDS.index("id_number") + 1, value=number(102))
    fixed_sheet.delete_rows(3)
    workbook.save(tmp_path / "fixed.xlsx")
    again = await upload(client, cadre, (tmp_path / "fixed.xlsx").read_bytes())
    assert (again.json()["children_created"], again.json()["rejected"]) == (1, 0)
    assert again.json()["ignored_columns"] == []


async def test_the_import_is_read_back_with_its_errors_a_page_at_a_time(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
) -> None:
    rows = [child_row(), sibling(sex="未知", left_behind=9), child_row(name="", id_number="")]
    headings = {**HEADINGS, "note": "备注"}
    content = write_xlsx(tmp_path / "in.xlsx", rows, headings=headings, title=None)
    created = (await upload(client, cadre, content)).json()
    assert created["ignored_columns"] == ["备注"]
    url = f"{IMPORTS}/{created['id']}"
    whole = (await client.get(url, headers=cadre)).json()
    assert whole["errors"]["total"] == 3
    assert whole["rows"] == 3
    assert {k: whole[k] for k in ("children_created", "rejected")} == {
        "children_created": 1,
        "rejected": 2,
    }
    page = (await client.get(url, params={"limit": 1, "offset": 1}, headers=cadre)).json()
    assert page["errors"]["items"] == whole["errors"]["items"][1:2]
    assert (page["errors"]["limit"], page["errors"]["offset"]) == (1, 1)
    # Whoever covers what the uploader covered reads it; a cadre of another village does not.
    county = await login(client, session, world, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    assert (await client.get(url, headers=county)).status_code == 200
    other = await login(client, session, world, UserRole.VILLAGE_CADRE, area_code=w.XI)
    assert (await client.get(url, headers=other)).status_code == 404
    assert (await client.get(f"{url}/report.xlsx", headers=other)).status_code == 404
    assert (await client.get(f"{IMPORTS}/{uuid.uuid4()}", headers=cadre)).status_code == 404


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (UserRole.TEACHER, {"klass": "east-3-1"}),  # reads households, changes none
        (UserRole.SUPERVISOR, {"area_code": w.COUNTY}),
    ],
)
async def test_who_may_not_write_households_gets_a_403_and_nothing_is_stored(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    tmp_path: Path,
    role: UserRole,
    scope: dict[str, str],
) -> None:
    headers = await login(client, session, world, role, **scope)
    response = await upload(client, headers, write_xlsx(tmp_path / "in.xlsx", [child_row()]))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert await count(session, HouseholdImport) == 0
    assert await count(session, Child) == 5


async def test_a_principal_imports_nothing_outside_areas_of_their_own(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, tmp_path: Path
) -> None:
    headers = await login(client, session, world, UserRole.PRINCIPAL, school="east")
    body = (await upload(client, headers, write_xlsx(tmp_path / "in.xlsx", [child_row()]))).json()
    assert (body["rejected"], body["children_created"]) == (1, 0)
    assert "不在你负责的范围内" in body["errors"]["items"][0]["message"]


async def test_too_large_a_file_is_a_413(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str], tmp_path: Path
) -> None:
    content = write_csv(tmp_path / "in.csv", [child_row()])
    padding = b"\n" * (import_records.MAX_UPLOAD_BYTES + 1 - len(content))
    response = await upload(client, cadre, content + padding, filename="big.csv")
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["max_bytes"] == import_records.MAX_UPLOAD_BYTES


async def test_too_many_rows_is_a_413(
    client: httpx.AsyncClient,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(household_import, "MAX_ROWS", 2)
    rows = [child_row(), sibling(), child_row(name="刘小三", id_number=number(105))]
    for content, filename in (
        (write_xlsx(tmp_path / "in.xlsx", rows), "in.xlsx"),
        (write_csv(tmp_path / "in.csv", rows), "in.csv"),
    ):
        response = await upload(client, cadre, content, filename=filename)
        assert response.status_code == 413, response.text
        assert response.json()["max_rows"] == 2


@pytest.mark.parametrize(
    ("content", "filename", "says"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", "只能导入 .xlsx 或 CSV"),
        (b"%PDF-1.7\n", "scan.pdf", "只能导入 .xlsx 或 CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", "另存为 .xlsx"),
        ("区划代码,家庭住址\n".encode(), "renamed.xlsx", "内容却不是Excel工作簿"),
    ],
)
async def test_a_file_that_is_no_spreadsheet_is_a_415_naming_the_file(
    client: httpx.AsyncClient,
    world: w.World,
    cadre: dict[str, str],
    content: bytes,
    filename: str,
    says: str,
) -> None:
    response = await client.post(
        IMPORT, files={"file": (filename, content, "application/octet-stream")}, headers=cadre
    )
    assert response.status_code == 415
    problem = response.json()
    assert problem["type"] == "urn:baoxue:problem:unsupported-media-type"
    assert problem["errors"][0]["loc"] == ["body", "file"]
    assert says in problem["errors"][0]["msg"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "文件是空的"),
        ("区划代码,家庭住址,户主姓名,儿童姓名,性别\n".encode(), "缺少必填列：出生日期"),
        ("随便,什么\n1,2\n".encode(), "没有找到表头"),
        ("区划代码,家庭住址,户主姓名,儿童姓名,性别,出生日期\n".encode(), "表头下没有数据"),
        ("区划代码,家庭住址,户主姓名,姓名,儿童姓名,性别,出生日期\n".encode(), "列重复"),
        (b"PK\x03\x04 not really a zip", "无法读取这个Excel文件"),
    ],
)
async def test_a_file_without_the_needed_columns_is_a_422_naming_the_file(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str], content: bytes, says: str
) -> None:
    response = await upload(client, cadre, content, filename="in.csv")
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "file"]
    assert says in error["msg"]


async def test_an_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
) -> None:
    content = write_xlsx(tmp_path / "in.xlsx", [child_row()])
    headers = {**cadre, "Idempotency-Key": "import-2026-11-23"}
    first = await upload(client, headers, content)
    again = await upload(client, headers, content)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await count(session, HouseholdImport) == 1
    other = await upload(client, headers, write_xlsx(tmp_path / "b.xlsx", [sibling()]))
    assert other.status_code == 422


async def test_a_removed_childs_number_is_refused(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str], tmp_path: Path
) -> None:
    url = f"/api/v1/children/{world.children['dong_a']}"
    removed = await client.delete(url, params={"reason": "登记错误"}, headers=cadre)
    assert removed.status_code == 204
    facts = id_number.parse(world.id_numbers["dong_a"])
    row = child_row(id_number=facts.number, birth_date=facts.birth_date, name="张小明")
    body = (await upload(client, cadre, write_xlsx(tmp_path / "in.xlsx", [row]))).json()
    assert "已移除" in body["errors"]["items"][0]["message"]


async def test_a_child_registered_by_someone_else_meanwhile_is_a_409_storing_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up = household_import.load_known

    async def before_the_other_clerk(**kwargs: Any) -> Any:
        known = await looked_up(**kwargs)
        known.by_number.clear()  # as if read a moment before the other registration
        return known

    monkeypatch.setattr(household_import, "load_known", before_the_other_clerk)
    facts = id_number.parse(world.id_numbers["dong_b"])
    rows = [sibling(), child_row(id_number=facts.number, birth_date=facts.birth_date)]
    response = await upload(client, cadre, write_xlsx(tmp_path / "in.xlsx", rows))
    assert response.status_code == 409, response.text
    assert "刚被他人登记" in response.json()["detail"]
    assert await count(session, Child) == 5
    assert await count(session, Household) == 5
    assert await count(session, HouseholdImport) == 0


async def test_the_sheet_with_the_header_is_read_whatever_comes_before_it(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    tmp_path: Path,
) -> None:
    workbook = openpyxl.Workbook()
    note = workbook.active
    assert note is not None
    note.title = "填表说明"
    note.append(["性别填男或女，出生日期填2017-03-01"])
    data = workbook.create_sheet("儿童")
    data.append(list(HEADINGS.values()))
    data.append([child_row().get(field, "") for field in HEADINGS])
    workbook.create_sheet("隐藏").sheet_state = "hidden"
    workbook.save(tmp_path / "in.xlsx")
    body = (await upload(client, cadre, (tmp_path / "in.xlsx").read_bytes())).json()
    assert (body["children_created"], body["rejected"]) == (1, 0)


def test_headings_with_marks_and_hints_are_understood() -> None:
    from api.services.spreadsheets import import_rows

    assert import_rows.HOUSEHOLDS.column_of("*儿童姓名") == "name"
    assert import_rows.HOUSEHOLDS.column_of("性别（男/女）") == "sex"
    assert import_rows.HOUSEHOLDS.column_of(" 出生日期(yyyy-mm-dd) ") == "birth_date"
    assert import_rows.HOUSEHOLDS.column_of("Birth_Date") == "birth_date"
    assert import_rows.HOUSEHOLDS.column_of("备注") is None
    sheet = import_rows.read(
        io.BytesIO(
            "儿童姓名;性别;出生日期;区划代码;家庭住址;户主姓名\n甲;男;20170301;1;2;3\n".encode()
        ).read(),
        filename="x.csv",
        max_rows=10,
        layout=import_rows.HOUSEHOLDS,
    )
    assert sheet.rows == [(2, ["甲", "男", "20170301", "1", "2", "3"])]
