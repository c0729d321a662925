"""The dropout ledgers as XLSX, opened back and read cell by cell."""

import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent, Child, User
from api.models.vocabulary import AuditAction, UserRole
from api.schemas.cases import LedgerKind
from api.services.core import school_age
from api.services.reports import dropout_ledger
from api.settings import Settings
from tests import world as w
from tests.cases.test_cases import URL, act, report
from tests.cases.test_return_plans import headers_of, lines

EXPORT = "/api/v1/exports/dropout-ledger.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(answer: httpx.Response) -> tuple[str, list[list[Any]]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book.worksheets[0]
    return sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]


def local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(ZoneInfo("Asia/Shanghai"))


async def test_the_confirmed_ledger_row_by_row_and_cell_by_cell(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    today = school_age.local_today(settings)  # the county's day, as the ledger writes dates
    cadre, teacher = await lines(session, world)
    for login, name, phone in (
        (cadre, "李书记", "13900000001"),
        (teacher, "王老师", "13900000002"),
    ):
        await session.exec(
            update(User).where(col(User.id) == login.user_id).values(display_name=name, phone=phone)
        )
    await session.exec(
        update(Child)
        .where(col(Child.id) == world.children["dong_a"])
        .values(registered_address="=东镇东村一组8号")  # typed by a clerk: text, not a formula
    )
    await session.commit()
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    noticed = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    case = await report(client, principal, world.children["dong_a"], reason="economic_hardship",
                        whereabouts="在家务农", support_given="已发放生活补助",
                        noticed_at=noticed)  # fmt: skip
    await act(client, principal, case, "verify")
    target = (today + timedelta(days=7)).isoformat()
    body = {"methods": ["home_visit"], "target_return_on": target}
    planned = await client.put(f"{URL}/{case['id']}/plan", json=body, headers=principal)
    assert planned.status_code == 200, planned.text
    teacher_headers = await headers_of(client, teacher)
    for n, (outcome, method) in enumerate((("undecided", "home_visit"), ("agreed", "phone")), 1):
        attempt = {"attempted_at": (datetime.now(UTC) - timedelta(days=3 - n)).isoformat(),
                   "persons": "李书记、王老师", "phone": "13900000002", "method": method,
                   "outcome": outcome}  # fmt: skip
        made = await client.post(f"{URL}/{case['id']}/attempts", json=attempt,
                                 headers=teacher_headers)  # fmt: skip
        assert made.status_code == 201, made.text
    suspected = await report(client, principal, world.children["dong_b"])
    dismissed = await report(client, principal, world.children["nan_a"])
    await act(client, principal, dismissed, "dismiss", dismissal_reason="back_at_school")

    title, rows = sheet_rows(await client.get(EXPORT, params={"ledger": "confirmed"},
                                              headers=principal))  # fmt: skip
    assert title == "辍学学生台账"
    assert tuple(rows[0]) == tuple(name for name, _ in dropout_ledger.COLUMNS)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    seen = local(case["noticed_at"])
    due = local(case["deadlines"]["county"]["due_at"])
    assert row == {
        "序号": 1,
        "姓名": "张小明",
        "性别": "男",
        "身份证号码": world.id_numbers["dong_a"],
        "出生日期": row["出生日期"],
        "学校": "东镇中心小学",
        "年级": "三年级",
        "辍学时间": f"{seen:%Y-%m}",
        "监护人": "张大山",
        "监护人电话": world.phones["dong_a"],
        "家庭住址": "张家院子1号",
        "户籍地址": "=东镇东村一组8号",
        "辍学原因": "家庭经济困难",
        "原因说明": None,
        "去向": "在家务农",
        "已落实帮扶": "已发放生活补助",
        "来源": "教师报告",
        "报告人": "测试用户",
        "政府责任人": "李书记",
        "政府责任人电话": "13900000001",
        "学校责任人": "王老师",
        "学校责任人电话": "13900000002",
        "状态": "劝返中",
        "发现时间": f"{seen:%Y-%m-%d %H:%M}",
        "上报县时限": f"{due:%Y-%m-%d %H:%M}",
        "是否超期": "超期",
        "劝返记录": "\n".join([
            f"第1次 {today - timedelta(days=2):%Y-%m-%d} 李书记、王老师（13900000002）"
            " 上门劝返：犹豫，需再劝",
            f"第2次 {today - timedelta(days=1):%Y-%m-%d} 李书记、王老师（13900000002）"
            " 电话劝返：同意返校"]),
    }  # fmt: skip
    child = await session.get(Child, world.children["dong_a"])
    assert child is not None
    assert row["出生日期"].date() == child.birth_date
    book = load_workbook(io.BytesIO((await client.get(EXPORT, params={"ledger": "confirmed"},
                                                      headers=principal)).content))  # fmt: skip
    assert book.worksheets[0]["L2"].data_type == "s"
    # The suspected ledger; every case seen; only those still on a ledger.
    _, only_suspected = sheet_rows(await client.get(EXPORT, params={"ledger": "suspected"},
                                                    headers=principal))  # fmt: skip
    assert [r[1] for r in only_suspected[1:]] == ["李小红"]
    assert only_suspected[1][22] == "疑似辍学"
    listed = await client.get(URL, params={"ledger": "suspected"}, headers=principal)
    assert [c["child_name"] for c in listed.json()["items"]] == ["李小红"]
    confirmed = await client.get(URL, params={"ledger": "confirmed"}, headers=principal)
    assert [c["child_name"] for c in confirmed.json()["items"]] == ["张小明"]
    _, everything = sheet_rows(await client.get(EXPORT, headers=principal))
    assert sorted(r[1] for r in everything[1:]) == ["张小明", "李小红", "王小刚"]
    _, still_open = sheet_rows(await client.get(EXPORT, params={"open": "true"}, headers=principal))
    assert len(still_open) == 3
    assert suspected["id"] != case["id"]
    # The whole identifiers were read, and that is on record.
    reads = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.action) == AuditAction.READ_PERSONAL,
            col(AuditEvent.object_type) == "dropout_ledger",
        )
    )
    assert len(reads.all()) == 5


async def test_a_supervisor_reads_the_ledger_masked_and_others_see_only_theirs(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    for key in ("dong_a", "xi_a"):
        await report(client, county, world.children[key])
    supervisor = await world.headers(client, session, UserRole.SUPERVISOR, area_code=w.COUNTY)
    _, rows = sheet_rows(await client.get(EXPORT, headers=supervisor))
    assert len(rows) == 3
    assert all("*" in r[3] and "*" in r[9] for r in rows[1:])  # ID numbers and phones masked
    reads = await session.exec(
        select(AuditEvent).where(col(AuditEvent.object_type) == "dropout_ledger")
    )
    assert reads.all() == []
    west = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.XI)
    _, theirs = sheet_rows(await client.get(EXPORT, headers=west))
    assert [r[1] for r in theirs[1:]] == ["赵小丽"]
    for params, field in (({"ledger": "all"}, "ledger"), ({"area": "东镇"}, "area"),
                          ({"overdue": "maybe"}, "overdue")):  # fmt: skip
        bad = await client.get(EXPORT, params=params, headers=county)
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["loc"] == ["query", field]


async def test_both_ledgers_at_county_township_village_group_and_school_level(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    """A case each for dong_a (东村一组), dong_b (东村), nan_a (南村), all at 东镇中心小学, and
    xi_a (西村, 西镇小学); dong_b's and xi_a's verified. Each level's ledgers hold its own."""
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    cases = {key: await report(client, county, world.children[key])
             for key in ("dong_a", "dong_b", "nan_a", "xi_a")}  # fmt: skip
    for key in ("dong_b", "xi_a"):
        assert (await act(client, county, cases[key], "verify")).status_code == 200
    east, west = str(world.schools["east"]), str(world.schools["west"])
    for params, everyone, suspected, confirmed in (
        ({"area": w.COUNTY}, 4, ["王小刚", "张小明"], ["李小红", "赵小丽"]),
        ({"area": w.EAST}, 3, ["王小刚", "张小明"], ["李小红"]),
        ({"area": w.WEST}, 1, [], ["赵小丽"]),
        ({"area": w.DONG}, 2, ["张小明"], ["李小红"]),
        ({"area": w.NAN}, 1, ["王小刚"], []),
        ({"area": w.DONG_GROUP}, 1, ["张小明"], []),
        ({"school": east}, 3, ["王小刚", "张小明"], ["李小红"]),
        ({"school": west}, 1, [], ["赵小丽"]),
        ({"school": east, "area": w.DONG}, 2, ["张小明"], ["李小红"]),
    ):
        _, rows = sheet_rows(await client.get(EXPORT, params=params, headers=county))
        assert len(rows) == 1 + everyone, params
        for ledger, names in (("suspected", suspected), ("confirmed", confirmed)):
            if not names:
                continue  # an empty ledger: test_an_empty_ledger_is_a_header_alone
            title, rows = sheet_rows(
                await client.get(EXPORT, params={**params, "ledger": ledger}, headers=county)
            )
            assert title == dropout_ledger.TITLES[LedgerKind(ledger)]
            assert sorted(r[1] for r in rows[1:]) == sorted(names), (params, ledger)
    # Each level's own people see the same as the county asking for their level.
    for role, scope, names in (
        (UserRole.TOWNSHIP_OFFICER, {"area_code": w.EAST}, ["李小红", "王小刚", "张小明"]),
        (UserRole.VILLAGE_CADRE, {"area_code": w.DONG}, ["李小红", "张小明"]),
        (UserRole.PRINCIPAL, {"school": "west"}, ["赵小丽"]),
    ):
        headers = await world.headers(client, session, role, **scope)
        _, rows = sheet_rows(await client.get(EXPORT, headers=headers))
        assert sorted(r[1] for r in rows[1:]) == sorted(names), role


async def test_an_empty_ledger_is_a_header_alone(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    title, rows = sheet_rows(await client.get(EXPORT, params={"ledger": "confirmed"},
                                              headers=county))  # fmt: skip
    assert (title, rows) == ("辍学学生台账", [list(name for name, _ in dropout_ledger.COLUMNS)])
