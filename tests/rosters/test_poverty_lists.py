"""The poverty household list (脱贫户/监测户/低保户名单): uploaded by the county for a county or a
township, kept by version, read within one's areas, ID numbers masked unless read in full."""

import asyncio
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.db import create_sessionmaker
from api.models import AuditEvent, PovertyList, PovertyMember
from api.models.vocabulary import AuditAction, PovertyKind, UserRole
from api.services.core import actors
from api.services.registry import id_number
from api.services.rosters import poverty_lists
from api.services.spreadsheets import import_records
from api.settings import Settings
from tests import spreadsheets
from tests import world as w
from tests.factories import bearer, token_for

LISTS = "/api/v1/poverty-lists"
XLSX = import_records.XLSX_TYPE
HEADINGS = {
    "household_number": "户编号",
    "kind": "户类型",
    "area_code": "区划代码",
    "head_name": "户主姓名",
    "name": "成员姓名",
    "id_number": "身份证号码",
    "relation": "与户主关系",
    "birth_date": "出生日期",
}
Row = dict[str, Any]


def number(sequence: int, born: date = date(2014, 5, 6)) -> str:
    return id_number.make(area_code="510821", birth_date=born, sequence=sequence)


HEAD = number(11, date(1980, 1, 2))
CHILD = number(13)


def member(**values: Any) -> Row:
    """A good row: a child of the 刘 household, lifted out of poverty, in 东村."""
    return {
        "household_number": "5108210010010001",
        "kind": "脱贫户",
        "area_code": w.DONG,
        "head_name": "刘建国",
        "name": "刘小宝",
        "id_number": CHILD,
        "relation": "之子",
        "birth_date": "",
        **values,
    }


def family() -> list[Row]:
    """Two households: the 刘 (head, son) and the 陈 on minimum living (mother, daughter)."""
    return [
        member(name="刘建国", id_number=HEAD, relation="户主"),
        member(),
        member(
            household_number="5108210010020007",
            kind="低保",
            area_code=w.NAN,
            head_name="陈秀英",
            name="陈秀英",
            id_number="",
            relation="户主",
            birth_date="1985-07-01",
        ),
        member(
            household_number="5108210010020007",
            kind="低保户",
            area_code="",
            head_name="陈秀英",
            name="陈曦",
            id_number="",
            relation="之女",
        ),
    ]


def write_xlsx(path: Path, rows: list[Row], *, headings: dict[str, str] = HEADINGS) -> bytes:
    """As the office exports it: a title above the header, ID numbers as text."""
    return spreadsheets.xlsx(path, rows, headings=headings, title="某县脱贫户家庭成员信息")


def write_csv(
    path: Path, rows: list[Row], *, encoding: str, headings: dict[str, str] = HEADINGS
) -> bytes:
    content = spreadsheets.csv_bytes(rows, headings=headings, encoding=encoding)
    path.write_bytes(content)
    return content


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    content: bytes,
    area_code: str = w.EAST,
    filename: str = "脱贫户.xlsx",
    **data: str,
) -> httpx.Response:
    kind = XLSX if filename.endswith(".xlsx") else "text/csv"
    return await client.post(
        LISTS,
        files={"file": (filename, content, kind)},
        data={"area_code": area_code, **data},
        headers=headers,
    )


async def count(session: AsyncSession, model: type[Any]) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


async def audited(session: AsyncSession, action: AuditAction) -> list[AuditEvent]:
    return list(
        (
            await session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.action) == action)
                .order_by(col(AuditEvent.occurred_at))
            )
        ).all()
    )


async def login(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, role: UserRole, area: str
) -> dict[str, str]:
    made = await world.login(session, role, area_code=area)
    return bearer((await token_for(client, made))["access_token"])


@pytest.fixture
async def county(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> dict[str, str]:
    return await login(client, session, world, UserRole.COUNTY_ADMIN, w.COUNTY)


@pytest.fixture
async def township(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> dict[str, str]:
    return await login(client, session, world, UserRole.TOWNSHIP_OFFICER, w.EAST)


async def test_a_list_is_stored_member_by_member_with_its_households(
    client: httpx.AsyncClient, session: AsyncSession, county: dict[str, str], tmp_path: Path
) -> None:
    response = await upload(client, county, write_xlsx(tmp_path / "in.xlsx", family()))
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{LISTS}/{body['id']}"
    assert {k: body[k] for k in ("status", "area_code", "current", "replaced_at")} == {
        "status": "stored",
        "area_code": w.EAST,
        "current": True,
        "replaced_at": None,
    }
    assert (body["rows"], body["households"], body["members"], body["rejected"]) == (4, 2, 4, 0)
    assert body["errors"]["total"] == 0
    assert body["ignored_columns"] == []
    found = (
        await session.exec(
            select(PovertyMember)
            .where(col(PovertyMember.list_id) == uuid.UUID(body["id"]))
            .order_by(col(PovertyMember.row))
        )
    ).all()
    assert [(m.row, m.name, m.kind) for m in found] == [
        (3, "刘建国", PovertyKind.LIFTED),  # a title, then the header
        (4, "刘小宝", PovertyKind.LIFTED),
        (5, "陈秀英", PovertyKind.MINIMUM_LIVING),
        (6, "陈曦", PovertyKind.MINIMUM_LIVING),
    ]
    boy = found[1]
    assert (boy.id_number, boy.birth_date) == (CHILD, date(2014, 5, 6))  # from the number
    assert (boy.household_number, boy.head_name, boy.relation) == (
        "5108210010010001",
        "刘建国",
        "之子",
    )
    assert (boy.area_code, boy.name_pinyin) == (w.DONG, "liuxiaobao")
    assert (found[2].birth_date, found[2].id_number) == (date(1985, 7, 1), None)
    assert (found[3].birth_date, found[3].area_code) == (None, None)
    [entry] = await audited(session, AuditAction.CREATE)
    assert (entry.object_type, entry.object_id) == ("poverty_list", body["id"])
    assert entry.changes is not None
    assert entry.changes["members"] == {"before": None, "after": 4}
    assert entry.changes["area_code"] == {"before": None, "after": w.EAST}


@pytest.mark.parametrize("english", [False, True])
async def test_a_gbk_csv_as_chinese_excel_saves_it_is_read(
    client: httpx.AsyncClient,
    session: AsyncSession,
    county: dict[str, str],
    tmp_path: Path,
    english: bool,
) -> None:
    headings = {key: key for key in HEADINGS} if english else HEADINGS
    rows = [
        member(kind="监测户", head_name="王大山", name="王大山", id_number=HEAD),
        member(kind="边缘易致贫户", head_name="王大山", name="王小山", relation="之子"),
    ]
    content = write_csv(tmp_path / "in.csv", rows, encoding="gbk", headings=headings)
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # the file really is GBK
    response = await upload(client, county, content, filename="监测户.csv")
    assert response.status_code == 201, response.text
    assert (response.json()["members"], response.json()["households"]) == (2, 1)
    kinds = (await session.exec(select(PovertyMember.kind, PovertyMember.name))).all()
    assert sorted(kinds) == [(PovertyKind.MONITORED, "王大山"), (PovertyKind.MONITORED, "王小山")]


BAD_NUMBER = CHILD[:-1] + ("0" if CHILD[-1] != "0" else "1")


async def test_bad_rows_are_refused_by_row_and_heading_and_reported_in_a_workbook(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    county: dict[str, str],
    township: dict[str, str],
    tmp_path: Path,
) -> None:
    rows = [
        *family(),  # rows 3 to 6, good
        member(name="刘错号", id_number=BAD_NUMBER),  # 7
        member(name="刘农户", kind="一般农户", id_number=""),  # 8
        member(household_number="9", head_name="赵大", name="赵大", area_code=w.XI),  # 9
        member(name="刘重号", relation="之女"),  # 10: 刘小宝's number again
        member(name="刘错生", id_number=number(15), birth_date="2014-05-07"),  # 11
        member(name="", id_number=""),  # 12
        member(name="刘别类", kind="监测户", id_number=""),  # 13: the household said 脱贫户
    ]
    response = await upload(client, county, write_xlsx(tmp_path / "in.xlsx", rows))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["rows"], body["members"], body["households"], body["rejected"]) == (11, 4, 2, 7)
    faults = {(e["row"], e["field"]): e["message"] for e in body["errors"]["items"]}
    assert "校验位不正确" in faults[7, "身份证号码"]
    assert "户类型须为" in faults[8, "户类型"]
    assert "不在本名单的区域" in faults[9, "区划代码"]
    assert "与第4行的身份证号码重复" in faults[10, "身份证号码"]
    assert "出生日期是2014-05-06" in faults[11, "身份证号码"]
    assert "不能为空" in faults[12, "成员姓名"]
    assert "与本户第3行不一致" in faults[13, "户类型"]
    assert len(faults) == 7
    assert await count(session, PovertyMember) == 4

    url = f"{LISTS}/{body['id']}/report.xlsx"
    assert (await client.get(url, headers=township)).status_code == 403  # masked readers only
    report = await client.get(url, headers=county)
    assert report.status_code == 200
    assert report.headers["content-type"] == XLSX
    (tmp_path / "report.xlsx").write_bytes(report.content)
    sheet = openpyxl.load_workbook(tmp_path / "report.xlsx").active
    assert sheet is not None
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == [*HEADINGS.values(), "错误说明", "原行号"]
    assert [r[-1] for r in table[1:]] == [7, 8, 9, 10, 11, 12, 13]
    assert table[1][5] == BAD_NUMBER  # in full, as in the file
    assert "身份证号码：身份证号码校验位不正确" in str(table[1][-2])
    [read] = await audited(session, AuditAction.READ_PERSONAL)
    assert (read.object_type, read.object_id) == ("poverty_list", body["id"])

    page = await client.get(
        f"{LISTS}/{body['id']}", params={"limit": 2, "offset": 1}, headers=county
    )
    assert page.json()["errors"]["items"] == body["errors"]["items"][1:3]
    assert page.json()["errors"]["total"] == 7


async def _nothing_stored(session: AsyncSession) -> None:
    assert await count(session, PovertyList) == 0
    assert await count(session, PovertyMember) == 0
    assert await audited(session, AuditAction.CREATE) == []


@pytest.mark.parametrize(
    ("content", "filename", "says"),
    [
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "无法读取这个Excel文件"),
        (b"", "empty.csv", "文件是空的"),
        ("户编号,户主姓名,成员姓名\n1,甲,乙\n".encode(), "in.csv", "缺少必填列：户类型"),
        ("随便,什么\n1,2\n".encode(), "in.csv", "没有找到表头"),
        ("户编号,户类型,户主姓名,成员姓名\n".encode(), "in.csv", "表头下没有数据"),
    ],
)
async def test_a_malformed_file_is_a_422_naming_the_file_and_stores_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    county: dict[str, str],
    content: bytes,
    filename: str,
    says: str,
) -> None:
    response = await upload(client, county, content, filename=filename)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "file"]
    assert says in error["msg"]
    await _nothing_stored(session)


async def test_a_corrupt_workbook_saved_by_openpyxl_and_cut_short_is_a_422(
    client: httpx.AsyncClient, session: AsyncSession, county: dict[str, str], tmp_path: Path
) -> None:
    content = write_xlsx(tmp_path / "in.xlsx", family())
    response = await upload(client, county, content[: len(content) // 2])
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "file"]
    await _nothing_stored(session)


@pytest.mark.parametrize(
    ("content", "filename", "status"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", 415),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", 415),
        ("户编号,户类型\n".encode(), "renamed.xlsx", 415),
        (b"x" * (import_records.MAX_UPLOAD_BYTES + 1), "big.csv", 413),
    ],
)
async def test_no_spreadsheet_is_a_415_and_too_large_a_413_storing_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    county: dict[str, str],
    content: bytes,
    filename: str,
    status: int,
) -> None:
    response = await upload(client, county, content, filename=filename)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if status == 415:
        assert response.json()["errors"][0]["loc"] == ["body", "file"]
    await _nothing_stored(session)


async def test_too_many_rows_is_a_413_storing_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    county: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(poverty_lists, "MAX_ROWS", 3)
    response = await upload(client, county, write_xlsx(tmp_path / "in.xlsx", family()))
    assert response.status_code == 413, response.text
    assert response.json()["max_rows"] == 3
    await _nothing_stored(session)


async def test_no_good_row_or_a_bad_one_under_all_or_nothing_is_a_422_storing_nothing(
    client: httpx.AsyncClient, session: AsyncSession, county: dict[str, str], tmp_path: Path
) -> None:
    bad = [member(id_number=BAD_NUMBER), member(name="刘农户", kind="农户", id_number="")]
    response = await upload(client, county, write_xlsx(tmp_path / "bad.xlsx", bad))
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors[0]["loc"] == ["body", "file"]
    assert "未保存任何一行" in errors[0]["msg"]
    assert [e["loc"] for e in errors[1:]] == [
        ["body", "file", 3, "身份证号码"],
        ["body", "file", 4, "户类型"],
    ]
    await _nothing_stored(session)
    mixed = write_xlsx(tmp_path / "mixed.xlsx", [*family(), *bad])
    refused = await upload(client, county, mixed, all_or_nothing="true")
    assert refused.status_code == 422, refused.text
    assert "2 of 6 rows" in refused.json()["detail"]
    await _nothing_stored(session)
    kept = await upload(client, county, mixed)  # without all or nothing, the good rows are kept
    assert (kept.json()["members"], kept.json()["rejected"]) == (4, 2)


@pytest.mark.parametrize(
    ("area_code", "says"),
    [
        ("519901009", "没有这个区划代码"),
        (w.DONG, "县或乡镇"),  # a village
        (w.NEIGHBOUR, "不在你负责的范围内"),
    ],
)
async def test_the_lists_area_is_a_county_or_township_of_the_uploaders(
    client: httpx.AsyncClient,
    session: AsyncSession,
    county: dict[str, str],
    tmp_path: Path,
    area_code: str,
    says: str,
) -> None:
    content = write_xlsx(tmp_path / "in.xlsx", family())
    response = await upload(client, county, content, area_code=area_code)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "area_code"]
    assert says in error["msg"]
    missing = await client.post(LISTS, files={"file": ("in.xlsx", content, XLSX)}, headers=county)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == ["body", "area_code"]
    await _nothing_stored(session)


@pytest.mark.parametrize(
    ("role", "area"),
    [(UserRole.TOWNSHIP_OFFICER, w.EAST), (UserRole.SUPERVISOR, w.COUNTY)],
)
async def test_only_the_county_uploads(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    tmp_path: Path,
    role: UserRole,
    area: str,
) -> None:
    headers = await login(client, session, world, role, area)
    response = await upload(client, headers, write_xlsx(tmp_path / "in.xlsx", family()))
    assert response.status_code == 403
    await _nothing_stored(session)


async def test_a_new_list_replaces_the_areas_current_one_which_stays_readable(
    client: httpx.AsyncClient,
    session: AsyncSession,
    county: dict[str, str],
    township: dict[str, str],
    tmp_path: Path,
) -> None:
    first = (await upload(client, county, write_xlsx(tmp_path / "a.xlsx", family()))).json()
    second = (await upload(client, county, write_xlsx(tmp_path / "b.xlsx", family()[:2]))).json()
    west = (
        await upload(
            client, county, write_xlsx(tmp_path / "w.xlsx", [member(area_code=w.XI)]), w.WEST
        )
    ).json()
    old = (await client.get(f"{LISTS}/{first['id']}", headers=county)).json()
    assert (old["current"], old["members"]) == (False, 4)
    assert old["replaced_at"] is not None
    assert (await client.get(f"{LISTS}/{second['id']}", headers=county)).json()["current"]
    members = await client.get(f"{LISTS}/{first['id']}/members", headers=county)
    assert members.json()["total"] == 4  # the old version's members, still there
    [replaced] = await audited(session, AuditAction.UPDATE)
    assert (replaced.object_type, replaced.object_id) == ("poverty_list", first["id"])
    assert replaced.changes is not None
    assert replaced.changes["replaced_at"]["before"] is None

    async def listed(headers: dict[str, str], **params: Any) -> list[str]:
        page = await client.get(LISTS, params=params, headers=headers)
        assert page.status_code == 200, page.text
        return [item["id"] for item in page.json()["items"]]

    assert await listed(county) == [west["id"], second["id"], first["id"]]  # newest first
    assert await listed(county, current="true") == [west["id"], second["id"]]
    assert await listed(county, current="false") == [first["id"]]
    assert await listed(county, area=w.EAST, current="true") == [second["id"]]
    assert await listed(township) == [second["id"], first["id"]]  # not 西镇's
    item = (await client.get(LISTS, params={"limit": 1}, headers=county)).json()["items"][0]
    assert {k: item[k] for k in ("area_code", "current", "members", "households")} == {
        "area_code": w.WEST,
        "current": True,
        "members": 1,
        "households": 1,
    }


async def test_two_uploads_at_once_leave_one_current_list(
    session: AsyncSession,
    settings: Settings,
    db: AsyncEngine,
    world: w.World,
    tmp_path: Path,
) -> None:
    made = await world.login(session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    actor = await actors.load(session=session, user_id=made.user_id)
    assert actor is not None
    content = write_xlsx(tmp_path / "in.xlsx", family())
    sessions = create_sessionmaker(db, settings=settings)

    async def one_upload(n: int) -> None:
        async with sessions() as own:
            await poverty_lists.upload(
                session=own,
                actor=actor,
                settings=settings,
                data=content,
                filename=f"{n}.xlsx",
                area_code=w.EAST,
                all_or_nothing=False,
            )

    await asyncio.gather(*(one_upload(n) for n in range(3)))
    found = (await session.exec(select(PovertyList.replaced_at))).all()
    assert len(found) == 3
    assert [at for at in found if at is None] == [None]  # one in force
    assert await count(session, PovertyMember) == 3 * 4


async def test_a_township_reads_only_its_own_lists(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    county: dict[str, str],
    township: dict[str, str],
    tmp_path: Path,
) -> None:
    east = (await upload(client, county, write_xlsx(tmp_path / "e.xlsx", family()))).json()
    rows = [member(area_code=w.XI)]
    west = (await upload(client, county, write_xlsx(tmp_path / "w.xlsx", rows), w.WEST)).json()
    whole = (
        await upload(client, county, write_xlsx(tmp_path / "c.xlsx", family()), w.COUNTY)
    ).json()
    assert (await client.get(f"{LISTS}/{east['id']}", headers=township)).status_code == 200
    for other in (west["id"], whole["id"], str(uuid.uuid4())):
        for tail in ("", "/members", "/report.xlsx"):
            response = await client.get(f"{LISTS}/{other}{tail}", headers=township)
            expected = 403 if tail == "/report.xlsx" else 404  # no full reads at all
            assert response.status_code == expected, (tail, response.text)
    listed = (await client.get(LISTS, headers=township)).json()
    assert [item["id"] for item in listed["items"]] == [east["id"]]
    assert listed["total"] == 1
    outside = await client.get(LISTS, params={"area": w.WEST}, headers=township)
    assert outside.json()["total"] == 0
    supervisor = await login(client, session, world, UserRole.SUPERVISOR, w.COUNTY)
    assert (await client.get(LISTS, headers=supervisor)).json()["total"] == 3
    cadre = await login(client, session, world, UserRole.VILLAGE_CADRE, w.DONG)
    assert (await client.get(LISTS, headers=cadre)).status_code == 403
    assert (await client.get(f"{LISTS}/{east['id']}/members", headers=cadre)).status_code == 403


async def test_members_are_masked_unless_read_in_full_and_a_full_read_is_audited(
    client: httpx.AsyncClient,
    session: AsyncSession,
    county: dict[str, str],
    township: dict[str, str],
    tmp_path: Path,
) -> None:
    made = (await upload(client, county, write_xlsx(tmp_path / "in.xlsx", family()))).json()
    url = f"{LISTS}/{made['id']}/members"
    masked = (await client.get(url, headers=township)).json()
    assert masked["masked"] is True
    assert masked["total"] == 4
    boy = masked["items"][1]
    assert boy["id_number"] == CHILD[:6] + "********" + CHILD[-4:]
    assert {k: boy[k] for k in ("row", "name", "kind", "household_number", "birth_date")} == {
        "row": 4,
        "name": "刘小宝",
        "kind": "lifted",
        "household_number": "5108210010010001",
        "birth_date": "2014-05-06",
    }
    assert await audited(session, AuditAction.READ_PERSONAL) == []
    full = (await client.get(url, params={"limit": 2}, headers=county)).json()
    assert full["masked"] is False
    assert [m["id_number"] for m in full["items"]] == [HEAD, CHILD]
    assert (full["total"], full["limit"]) == (4, 2)
    [read] = await audited(session, AuditAction.READ_PERSONAL)
    assert (read.object_type, read.object_id) == ("poverty_list", made["id"])

    async def names(q: str) -> list[str]:
        page = await client.get(url, params={"q": q}, headers=township)
        return [m["name"] for m in page.json()["items"]]

    assert await names("陈") == ["陈秀英", "陈曦"]
    assert await names("liuxiao") == ["刘小宝"]
    assert await names(CHILD[-6:]) == ["刘小宝"]  # some of its digits
    assert await names("5108210010020007") == ["陈秀英", "陈曦"]  # the household's number
    assert await names("nobody") == []


async def test_an_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, session: AsyncSession, county: dict[str, str], tmp_path: Path
) -> None:
    content = write_xlsx(tmp_path / "in.xlsx", family())
    headers = {**county, "Idempotency-Key": "poverty-2026-12"}
    first = await upload(client, headers, content)
    again = await upload(client, headers, content)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert await count(session, PovertyList) == 1
    elsewhere = await upload(client, headers, content, area_code=w.WEST)  # another request
    assert elsewhere.status_code == 422
    assert await count(session, PovertyList) == 1
