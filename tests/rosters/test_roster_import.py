"""A school's roster (学籍名单) uploaded for a term: XLSX, CSV (GBK too) or JSON; per-row
faults and their report; a new upload replacing the term's roster; who may do it."""

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent, Enrolment, Roster, RosterEntry, SchoolClass
from api.models.vocabulary import (
    AuditAction,
    EnrolmentStatus,
    IdDocumentType,
    ImportStatus,
    Sex,
    UserRole,
)
from api.services.registry import id_number
from api.services.rosters import roster_import, roster_rows
from api.services.spreadsheets import import_records
from tests import spreadsheets
from tests import world as w
from tests.factories import bearer, token_for

XLSX = import_records.XLSX_TYPE
HEADINGS = spreadsheets.ROSTER_HEADINGS
NAMES = {"dong_a": "张小明", "dong_b": "李小红", "nan_a": "王小刚"}
CLASSES = {"dong_a": "三年级1班", "dong_b": "三年级2班", "nan_a": "三年级1班"}
Row = dict[str, Any]


def number(sequence: int, born: date) -> str:
    return id_number.make(area_code="510821", birth_date=born, sequence=sequence)


def pupil(world: w.World, key: str, **values: Any) -> Row:
    """A row of the world's pupil at 东镇中心小学, as the student-status system exports it."""
    facts = id_number.parse(world.id_numbers[key])
    return {
        "student_number": "G" + facts.number,
        "name": NAMES[key],
        "sex": "男",
        "birth_date": facts.birth_date,
        "id_number": facts.number,
        "grade": "三年级",
        "class_name": CLASSES[key],
        "entry_date": f"{world.school_year - 2}-09",
        "status": "在籍",
        "guardian_name": f"{NAMES[key][0]}大山",
        **values,
    }


def newcomer(world: w.World, **values: Any) -> Row:
    """A pupil the population side does not know, with no ID number: a J student number."""
    return {
        "student_number": "J5108210001",
        "name": "周小新",
        "sex": "女",
        "birth_date": date(world.school_year - 8, 5, 6),
        "id_number": "",
        "grade": 3,
        "class_name": "3班",
        "entry_date": "",
        "status": "",
        "guardian_name": "",
        **values,
    }


def write_xlsx(path: Path, rows: list[Row], *, headings: dict[str, str] = HEADINGS) -> bytes:
    """As the school saves the system's export: a title above the header."""
    return spreadsheets.xlsx(path, rows, headings=headings, title="东镇中心小学学生名册")


def write_csv(
    rows: list[Row], *, encoding: str = "utf-8", headings: dict[str, str] = HEADINGS
) -> bytes:
    return spreadsheets.csv_bytes(rows, headings=headings, encoding=encoding)


def as_json(row: Row) -> Row:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}


def url(world: w.World, school: str = "east") -> str:
    return f"/api/v1/schools/{world.schools[school]}/roster"


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    target: str,
    content: bytes,
    filename: str = "学生名册.xlsx",
    **params: Any,
) -> httpx.Response:
    kind = XLSX if filename.endswith(".xlsx") else "text/csv"
    return await client.post(
        target, files={"file": (filename, content, kind)}, params=params, headers=headers
    )


async def count(session: AsyncSession, model: type[Any], *where: Any) -> int:
    return (await session.exec(select(func.count()).select_from(model).where(*where))).one()


async def registrations(
    session: AsyncSession, world: w.World, school: str = "east"
) -> list[Enrolment]:
    session.expire_all()
    return list(
        (
            await session.exec(
                select(Enrolment)
                .where(col(Enrolment.school_id) == world.schools[school])
                .order_by(col(Enrolment.student_number))
            )
        ).all()
    )


async def login(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, role: UserRole, **scope: Any
) -> dict[str, str]:
    made = await world.login(session, role, **scope)
    return bearer((await token_for(client, made))["access_token"])


@pytest.fixture
async def principal(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> dict[str, str]:
    return await login(client, session, world, UserRole.PRINCIPAL, school="east")


async def test_an_xlsx_export_becomes_the_schools_registrations_of_the_term(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    rows = [
        pupil(world, "dong_a"),
        pupil(world, "dong_b"),
        pupil(world, "nan_a", grade=3),
        newcomer(world),
    ]
    response = await upload(client, principal, url(world), write_xlsx(tmp_path / "in.xlsx", rows))
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/rosters/{body['id']}"
    assert "etag" not in response.headers
    assert {k: body[k] for k in ("status", "term", "version", "current", "replaced_at")} == {
        "status": "stored",
        "term": world.term,
        "version": 1,
        "current": True,
        "replaced_at": None,
    }
    assert {k: body[k] for k in ("rows", "entries", "rejected", "matched")} == {
        "rows": 4,
        "entries": 4,
        "rejected": 0,
        "matched": 3,  # the three the households know, by ID number; not the newcomer
    }
    assert body["errors"]["total"] == 0
    assert body["ignored_columns"] == []

    held = await registrations(session, world)
    assert [e.name for e in held] == ["张小明", "李小红", "王小刚", "周小新"]
    assert {e.roster_id for e in held} == {uuid.UUID(body["id"])}
    assert {e.term for e in held} == {world.term}
    by_name = {e.name: e for e in held}
    assert by_name["张小明"].child_id == world.children["dong_a"]
    assert by_name["张小明"].class_id == world.classes["east-3-1"]
    assert by_name["李小红"].class_id == world.classes["east-3-2"]
    assert by_name["张小明"].entry_date == date(world.school_year - 2, 9, 1)
    assert (by_name["张小明"].guardian_name, by_name["张小明"].name_pinyin) == (
        "张大山",
        "zhangxiaoming",
    )
    assert (by_name["张小明"].match_score, by_name["张小明"].match_reason) == (1.0, "id_number")
    newcomer_row = by_name["周小新"]
    assert (newcomer_row.child_id, newcomer_row.id_number, newcomer_row.sex) == (
        None,
        None,
        Sex.FEMALE,
    )
    assert newcomer_row.status is EnrolmentStatus.ENROLLED
    # The school had no class 3 in grade 3: it is opened, named as the school names its classes.
    opened = await session.get(SchoolClass, newcomer_row.class_id)
    assert opened is not None
    assert (opened.school_year, opened.grade, opened.number, opened.name) == (
        world.school_year,
        3,
        3,
        "三年级3班",
    )
    # Another school's registrations are not touched.
    assert [e.name for e in await registrations(session, world, "west")] == ["赵小丽"]
    assert await count(session, RosterEntry) == 4
    [event] = (
        await session.exec(select(AuditEvent).where(col(AuditEvent.object_type) == "roster"))
    ).all()
    assert event.action is AuditAction.CREATE
    assert event.changes is not None
    assert event.changes["entries"]["after"] == 4
    assert event.changes["version"]["after"] == 1
    assert "errors" not in event.changes


async def test_a_csv_in_gbk_as_chinese_excel_saves_it_is_read_correctly(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, principal: dict[str, str]
) -> None:
    content = write_csv([pupil(world, "dong_a"), newcomer(world, grade="三年级")], encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    response = await upload(client, principal, url(world), content, filename="名册.csv")
    assert response.status_code == 201, response.text
    assert (response.json()["entries"], response.json()["rejected"]) == (2, 0)
    assert [e.name for e in await registrations(session, world)] == ["张小明", "周小新"]


async def test_a_roster_sent_as_json_is_checked_row_by_row(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, principal: dict[str, str]
) -> None:
    rows = [
        as_json(pupil(world, "dong_a", sex="male", grade=3, status="enrolled")),
        as_json(newcomer(world, sex="女", grade="三年级", status="休学", note="转来")),
        as_json(pupil(world, "nan_a", grade=8)),  # not taught at a primary school
        {"name": "无学籍号"},
    ]
    response = await client.post(
        url(world), json={"term": world.term, "rows": rows}, headers=principal
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["rows"], body["entries"], body["rejected"]) == (4, 2, 2)
    assert body["file_name"] == roster_import.JSON_FILE_NAME
    assert body["ignored_columns"] == ["note"]
    faults = {(e["row"], e["field"]) for e in body["errors"]["items"]}
    assert (2, "grade") in faults
    assert {(3, "student_number"), (3, "sex"), (3, "birth_date"), (3, "grade")} <= faults
    assert (3, "name") not in faults
    held = {e.name: e for e in await registrations(session, world)}
    assert set(held) == {"张小明", "周小新"}
    assert held["周小新"].status is EnrolmentStatus.SUSPENDED
    entries = (await client.get(f"/api/v1/rosters/{body['id']}/entries", headers=principal)).json()
    assert [e["row"] for e in entries["items"]] == [0, 1]  # the index in `rows`


async def test_each_rule_refuses_its_row_naming_the_column_and_the_good_rows_are_kept(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    born = date(world.school_year - 8, 3, 1)
    good = pupil(world, "dong_a")
    tomorrow = date.today() + timedelta(days=2)
    right = number(2, born)
    wrong_check = right[:-1] + ("1" if right[-1] != "1" else "2")
    rows = [
        good,  # row 3
        newcomer(world, student_number="X123"),  # 4: no G, L or J
        newcomer(world, student_number="L1", id_number=wrong_check),  # 5: check digit
        newcomer(
            world,
            student_number="L2",
            id_number=number(2, born),
            birth_date=born + timedelta(days=1),
        ),  # 6: the birth date differs from the ID number's
        newcomer(world, student_number="L3", grade=7),  # 7: grade the school does not teach
        newcomer(world, student_number=good["student_number"]),  # 8: the same student number
        newcomer(
            world,
            student_number="L4",
            id_number=good["id_number"],
            sex="男",
            name="张小明",
            birth_date=good["birth_date"],
        ),  # 9: the same ID number
        newcomer(world, student_number="L5", sex="未知"),  # 10: no such sex
        newcomer(world, student_number="L6", status="借读"),  # 11: no such status
        newcomer(world, student_number="L7", birth_date=tomorrow),  # 12: born in the future
        newcomer(world, student_number="L8", entry_date=tomorrow.isoformat()),  # 13: future entry
        newcomer(world, student_number="G" + number(3, born), birth_date=born),  # 14: G differs
        newcomer(world, student_number="L9"),  # 15: good
    ]
    response = await upload(client, principal, url(world), write_xlsx(tmp_path / "in.xlsx", rows))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["rows"], body["entries"], body["rejected"]) == (13, 2, 11)
    said: dict[tuple[int, str], str] = {}
    for error in body["errors"]["items"]:
        key = (error["row"], error["field"])
        said[key] = said.get(key, "") + error["message"]
    assert "应以G、L或J开头" in said[4, "全国学籍号"]
    assert "校验位不正确" in said[5, "身份证件号"]
    assert "出生日期" in said[6, "身份证件号"]
    assert "本校只设1至6年级" in said[7, "年级"]
    assert "与第3行的学籍号重复" in said[8, "全国学籍号"]
    assert "与第3行的身份证号码重复" in said[9, "身份证件号"]
    assert "男" in said[10, "性别"]
    assert "在籍" in said[11, "学籍状态"]
    assert "晚于今天" in said[12, "出生日期"]
    assert "晚于今天" in said[13, "入学年月"]
    assert "性别" in said[14, "全国学籍号"] or "出生日期" in said[14, "全国学籍号"]
    assert sorted({row for row, _ in said}) == list(range(4, 15))
    assert [e.student_number for e in await registrations(session, world)] == [
        good["student_number"],
        "L9",
    ]


async def test_the_report_holds_the_refused_rows_with_their_faults_and_is_audited(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    rows = [pupil(world, "dong_a"), newcomer(world, student_number="X1"), newcomer(world, sex="?")]
    body = (
        await upload(client, principal, url(world), write_xlsx(tmp_path / "in.xlsx", rows))
    ).json()
    assert body["rejected"] == 2
    response = await client.get(f"/api/v1/rosters/{body['id']}/report.xlsx", headers=principal)
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    (tmp_path / "report.xlsx").write_bytes(response.content)
    sheet = openpyxl.load_workbook(tmp_path / "report.xlsx").active
    assert sheet is not None
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == [*HEADINGS.values(), "错误说明", "原行号"]
    assert [r[-1] for r in table[1:]] == [4, 5]
    assert table[1][0] == "X1"
    assert "全国学籍号：" in str(table[1][-2])
    assert "性别：" in str(table[2][-2])
    reads = (
        await session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == AuditAction.READ_PERSONAL)
        )
    ).all()
    assert [(e.object_type, e.object_id) for e in reads] == [("roster", body["id"])]
    # The errors, a page at a time.
    page = await client.get(
        f"/api/v1/rosters/{body['id']}", params={"limit": 1, "offset": 1}, headers=principal
    )
    assert page.json()["errors"]["items"][0]["row"] == 5
    assert (page.json()["errors"]["total"], page.json()["errors"]["offset"]) == (2, 1)


async def test_a_new_upload_replaces_the_terms_roster_and_the_old_one_stays_readable(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    first_rows = [pupil(world, "dong_a"), pupil(world, "dong_b"), newcomer(world)]
    first = (
        await upload(client, principal, url(world), write_xlsx(tmp_path / "a.xlsx", first_rows))
    ).json()
    # 李小红 has left; 王小刚 is on the roster now, in class 2.
    second_rows = [pupil(world, "dong_a"), pupil(world, "nan_a", class_name="三年级2班")]
    response = await upload(
        client,
        principal,
        url(world),
        write_xlsx(tmp_path / "b.xlsx", second_rows),
        confirm_shrink="true",  # it drops two of three
    )
    assert response.status_code == 201, response.text
    second = response.json()
    assert (second["version"], second["current"], second["entries"]) == (2, True, 2)
    held = await registrations(session, world)
    assert [(e.name, e.roster_id) for e in held] == [
        ("张小明", uuid.UUID(second["id"])),
        ("王小刚", uuid.UUID(second["id"])),
    ]
    assert held[1].class_id == world.classes["east-3-2"]
    assert held[1].child_id == world.children["nan_a"]

    old = (await client.get(f"/api/v1/rosters/{first['id']}", headers=principal)).json()
    assert (old["version"], old["current"], old["entries"]) == (1, False, 3)
    assert old["replaced_at"] is not None
    entries = (await client.get(f"/api/v1/rosters/{first['id']}/entries", headers=principal)).json()
    assert [e["name"] for e in entries["items"]] == ["张小明", "李小红", "周小新"]
    assert entries["total"] == 3
    listed = await client.get(f"/api/v1/schools/{world.schools['east']}/rosters", headers=principal)
    assert listed.status_code == 200
    assert [(r["version"], r["current"]) for r in listed.json()["items"]] == [(2, True), (1, False)]
    other_term = await client.get(
        f"/api/v1/schools/{world.schools['east']}/rosters",
        params={"term": "2030-2031-1"},
        headers=principal,
    )
    assert other_term.json()["total"] == 0
    # Another term's roster is its own: it replaces nothing of this one.
    later = await upload(
        client,
        principal,
        url(world),
        write_xlsx(tmp_path / "c.xlsx", [newcomer(world)]),
        term="2030-2031-1",
    )
    assert (later.json()["version"], later.json()["term"]) == (1, "2030-2031-1")
    assert len([e for e in await registrations(session, world) if e.term == world.term]) == 2


async def test_an_upload_dropping_too_many_registrations_is_a_409_until_confirmed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    ten = [
        newcomer(world, student_number=f"J51082100{n:02d}", name=f"周小{'一二三四五六七八九十'[n]}")
        for n in range(10)
    ]
    first = await upload(client, principal, url(world), write_xlsx(tmp_path / "a.xlsx", ten))
    assert first.status_code == 201, first.text
    # Two rows over ten: eight registrations would go. Nothing is stored, the counts say why.
    two = write_xlsx(tmp_path / "b.xlsx", ten[:2])
    response = await upload(client, principal, url(world), two)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert {k: problem[k] for k in ("current", "kept", "removed", "limit")} == {
        "current": 10,
        "kept": 2,
        "removed": 8,
        "limit": 0.2,
    }
    assert [e["loc"] for e in problem["errors"]] == [["query", "confirm_shrink"]]
    assert len(await registrations(session, world)) == 10
    assert await count(session, Roster, col(Roster.school_id) == world.schools["east"]) == 1
    # As JSON, likewise, the field named in the body.
    as_rows = {"rows": [as_json(row) for row in ten[:2]]}
    refused = await client.post(url(world), json=as_rows, headers=principal)
    assert refused.status_code == 409, refused.text
    assert [e["loc"] for e in refused.json()["errors"]] == [["body", "confirm_shrink"]]
    # Two of ten dropped is within the fifth: no question asked.
    within = await upload(client, principal, url(world), write_xlsx(tmp_path / "c.xlsx", ten[:8]))
    assert within.status_code == 201, within.text
    # Confirmed (as a form field here), it goes through.
    confirmed = await client.post(
        url(world),
        files={"file": ("b.xlsx", two, XLSX)},
        data={"confirm_shrink": "true"},
        headers=principal,
    )
    assert confirmed.status_code == 201, confirmed.text
    assert (confirmed.json()["version"], confirmed.json()["entries"]) == (3, 2)
    assert [e.student_number for e in await registrations(session, world)] == [
        "J5108210000",
        "J5108210001",
    ]


async def test_a_passport_or_a_pass_is_kept_as_given_and_not_checked_as_an_id_number(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    headings = {**HEADINGS, "id_document_type": "身份证件类型"}
    rows = [
        pupil(world, "dong_a", id_document_type="居民身份证"),
        # 李小红 holds a 港澳 pass: found by her name, birth date and guardian, as without one.
        pupil(
            world,
            "dong_b",
            student_number="L5108210002",
            id_document_type="港澳居民来往内地通行证",
            id_number="H01234567",
        ),
        newcomer(world, id_document_type="护照", id_number="E12345678"),
        newcomer(world, student_number="J5108210009", id_document_type="驾照", id_number="123"),
    ]
    content = write_xlsx(tmp_path / "in.xlsx", rows, headings=headings)
    response = await upload(client, principal, url(world), content)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["entries"], body["rejected"], body["matched"]) == (3, 1, 2)
    # An unknown document type is refused by its heading (its number then read as an ID
    # number, and refused too).
    faults = [(e["row"], e["field"]) for e in body["errors"]["items"]]
    assert faults[:1] == [(6, "身份证件类型")]
    assert body["ignored_columns"] == []
    held = {e.name: e for e in await registrations(session, world)}
    passport = held["周小新"]
    assert (passport.id_number, passport.id_document_type, passport.id_document_number) == (
        None,
        IdDocumentType.PASSPORT,
        "E12345678",
    )
    assert passport.child_id is None
    assert (held["李小红"].id_number, held["李小红"].id_document_number) == (None, "H01234567")
    assert held["李小红"].child_id == world.children["dong_b"]
    assert held["李小红"].match_reason != "id_number"
    assert held["张小明"].id_number == world.id_numbers["dong_a"]
    assert held["张小明"].id_document_type is IdDocumentType.RESIDENT_ID
    entries = await client.get(f"/api/v1/rosters/{body['id']}/entries", headers=principal)
    by_row = {e["row"]: e for e in entries.json()["items"]}
    assert (by_row[5]["id_document_type"], by_row[5]["id_document_number"]) == (
        "passport",
        "E12345678",
    )


async def test_all_or_nothing_keeps_the_upload_refused_and_changes_no_registration(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    first = await upload(
        client, principal, url(world), write_xlsx(tmp_path / "a.xlsx", [pupil(world, "dong_a")])
    )
    rows = [pupil(world, "dong_b"), newcomer(world, sex="?")]
    response = await upload(
        client, principal, url(world), write_xlsx(tmp_path / "b.xlsx", rows), all_or_nothing=True
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["current"], body["entries"], body["rejected"]) == (
        "refused",
        False,
        0,
        1,
    )
    assert [e.name for e in await registrations(session, world)] == ["张小明"]
    still = (await client.get(f"/api/v1/rosters/{first.json()['id']}", headers=principal)).json()
    assert (still["current"], still["replaced_at"]) == (True, None)
    report = await client.get(f"/api/v1/rosters/{body['id']}/report.xlsx", headers=principal)
    assert report.status_code == 200


async def test_a_roster_without_one_good_row_is_a_422_and_wipes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    rows = [newcomer(world, student_number="X1"), newcomer(world, grade=9)]
    response = await upload(client, principal, url(world), write_xlsx(tmp_path / "in.xlsx", rows))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("body", "file")}
    messages = [e["msg"] for e in problem["errors"]]
    assert "没有一行可以保存" in messages[0]
    assert any("第3行" in m for m in messages)
    assert any("第4行" in m for m in messages)
    as_rows = await client.post(url(world), json={"rows": [{"name": "甲"}]}, headers=principal)
    assert as_rows.status_code == 422
    assert ["body", "rows", 0, "student_number"] in [e["loc"] for e in as_rows.json()["errors"]]
    assert await count(session, Roster) == 0
    assert [e.name for e in await registrations(session, world)] == ["张小明", "李小红", "王小刚"]


def corrupt_xlsx(tmp_path: Path) -> bytes:
    whole = write_xlsx(tmp_path / "whole.xlsx", [])
    return whole[: len(whole) // 2]  # a download cut off half way


@pytest.mark.parametrize(
    ("make", "filename", "says"),
    [
        (lambda _: b"", "in.csv", "文件是空的"),
        (
            lambda _: "学籍号,姓名,性别,出生日期\nL1,甲,男,2017-03-01\n".encode(),
            "in.csv",
            "缺少必填列：年级",
        ),
        (lambda _: "户主姓名,家庭住址\n张,东村\n".encode(), "in.csv", "没有找到表头"),
        (lambda _: "学籍号,姓名,性别,出生日期,年级\n".encode(), "in.csv", "表头下没有数据"),
        (corrupt_xlsx, "in.xlsx", "无法读取这个Excel文件"),
        (lambda _: b"\xff\xff,\xff\n", "in.csv", "编码无法识别"),  # neither UTF-8 nor GB18030
    ],
    ids=["empty", "wrong-columns", "no-header", "no-rows", "corrupt-xlsx", "not-text"],
)
async def test_a_malformed_file_is_a_422_naming_the_file_and_stores_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
    make: Any,
    filename: str,
    says: str,
) -> None:
    response = await upload(client, principal, url(world), make(tmp_path), filename=filename)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "file"]
    assert says in error["msg"]
    assert await count(session, Roster) == 0
    assert len(await registrations(session, world)) == 3


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls"),
        ("学籍号,姓名\n".encode(), "renamed.xlsx"),
    ],
)
async def test_a_file_that_is_no_spreadsheet_is_a_415(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    content: bytes,
    filename: str,
) -> None:
    response = await upload(client, principal, url(world), content, filename=filename)
    assert response.status_code == 415
    assert response.json()["type"] == "urn:baoxue:problem:unsupported-media-type"
    assert response.json()["errors"][0]["loc"] == ["body", "file"]
    assert await count(session, Roster) == 0


async def test_too_large_an_upload_is_a_413_storing_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = write_csv([pupil(world, "dong_a")])
    padding = b"\n" * (import_records.MAX_UPLOAD_BYTES + 1 - len(content))
    response = await upload(client, principal, url(world), content + padding, filename="big.csv")
    assert response.status_code == 413
    assert response.json()["max_bytes"] == import_records.MAX_UPLOAD_BYTES
    big_json = b'{"rows": [' + b" " * import_records.MAX_UPLOAD_BYTES + b"]}"
    response = await client.post(
        url(world), content=big_json, headers={**principal, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    monkeypatch.setattr(roster_import, "MAX_ROWS", 1)
    rows = [pupil(world, "dong_a"), pupil(world, "dong_b")]
    many = await upload(client, principal, url(world), write_csv(rows), filename="in.csv")
    assert (many.status_code, many.json()["max_rows"]) == (413, 1)
    as_json_rows = await client.post(
        url(world), json={"rows": [as_json(r) for r in rows]}, headers=principal
    )
    assert as_json_rows.status_code == 413
    assert await count(session, Roster) == 0


@pytest.mark.parametrize(
    ("send", "status", "loc"),
    [
        ({"content": b'{"rows": [', "headers": {"Content-Type": "application/json"}}, 400, None),
        ({"json": {"rows": "甲"}}, 422, ["body", "rows"]),
        ({"json": {"rows": []}}, 422, ["body", "rows"]),
        ({"json": {"rows": [{"name": ["甲"]}]}}, 422, ["body", "rows", 0, "name"]),
        ({"json": {"rows": [{"name": "甲"}], "term": "2026-2028-1"}}, 422, ["body", "term"]),
        ({"json": {"rows": [{"name": "甲"}], "extra": 1}}, 422, ["body", "extra"]),
        (
            {"json": {"rows": [{"name": "甲"}]}, "params": {"term": "2026-2028-1"}},
            422,
            ["query", "term"],
        ),
        ({"json": {"rows": [{"name": "甲"}]}, "params": {"term": "2026"}}, 422, ["query", "term"]),
        ({"content": b"a,b", "headers": {"Content-Type": "text/csv"}}, 415, ["body"]),
        ({"files": {"other": ("a.txt", b"x", "text/plain")}}, 422, ["body", "file"]),
    ],
    ids=[
        "not-json",
        "rows-not-a-list",
        "no-rows",
        "nested-value",
        "term-years",
        "unknown-key",
        "query-term-years",
        "query-term-shape",
        "raw-csv",
        "no-file",
    ],
)
async def test_a_malformed_request_is_a_clear_4xx_naming_the_field(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    send: dict[str, Any],
    status: int,
    loc: list[Any] | None,
) -> None:
    headers = {**principal, **send.pop("headers", {})}
    response = await client.post(url(world), headers=headers, **send)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if loc is not None:
        assert loc in [e["loc"] for e in response.json()["errors"]]
    assert await count(session, Roster) == 0


async def test_a_json_term_differing_from_the_querys_is_refused(
    client: httpx.AsyncClient, world: w.World, principal: dict[str, str]
) -> None:
    body = {"term": "2030-2031-1", "rows": [as_json(pupil(world, "dong_a"))]}
    response = await client.post(
        url(world), json=body, params={"term": "2030-2031-2"}, headers=principal
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "term"]


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (UserRole.TEACHER, {"klass": "east-3-1"}),
        (UserRole.TOWNSHIP_OFFICER, {"area_code": w.EAST}),
        (UserRole.VILLAGE_CADRE, {"area_code": w.DONG}),
        (UserRole.SUPERVISOR, {"area_code": w.COUNTY}),
    ],
)
async def test_a_role_that_may_not_write_rosters_gets_a_403_and_nothing_is_stored(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    tmp_path: Path,
    role: UserRole,
    scope: dict[str, str],
) -> None:
    headers = await login(client, session, world, role, **scope)
    content = write_xlsx(tmp_path / "in.xlsx", [pupil(world, "dong_a")])
    response = await upload(client, headers, url(world), content)
    assert response.status_code == 403
    assert response.json()["type"] == "urn:baoxue:problem:forbidden"
    as_json_rows = await client.post(
        url(world), json={"rows": [as_json(pupil(world, "dong_a"))]}, headers=headers
    )
    assert as_json_rows.status_code == 403
    assert await count(session, Roster) == 0
    assert len(await registrations(session, world)) == 3


async def test_a_school_outside_the_callers_scope_is_not_found_and_its_rosters_unseen(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    content = write_xlsx(tmp_path / "in.xlsx", [newcomer(world)])
    for school in ("west", "neighbour"):
        response = await upload(client, principal, url(world, school), content)
        assert response.status_code == 404, school
    missing = await upload(client, principal, f"/api/v1/schools/{uuid.uuid4()}/roster", content)
    assert missing.status_code == 404
    assert await count(session, Roster) == 0
    # West's principal uploads; east's sees neither the list nor the roster.
    west = await login(client, session, world, UserRole.PRINCIPAL, school="west")
    made = (await upload(client, west, url(world, "west"), content)).json()
    for path in (
        f"/api/v1/rosters/{made['id']}",
        f"/api/v1/rosters/{made['id']}/entries",
        f"/api/v1/rosters/{made['id']}/report.xlsx",
        f"/api/v1/schools/{world.schools['west']}/rosters",
    ):
        assert (await client.get(path, headers=principal)).status_code == 404, path
    # The county sees it.
    county = await login(client, session, world, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    assert (await client.get(f"/api/v1/rosters/{made['id']}", headers=county)).status_code == 200


async def test_entries_show_identifiers_in_full_only_to_who_may_read_them_so(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    made = (
        await upload(
            client,
            principal,
            url(world),
            write_xlsx(tmp_path / "in.xlsx", [pupil(world, "dong_a")]),
        )
    ).json()
    path = f"/api/v1/rosters/{made['id']}/entries"
    full = (await client.get(path, headers=principal)).json()
    number = world.id_numbers["dong_a"]
    assert full["masked"] is False
    assert (full["items"][0]["id_number"], full["items"][0]["student_number"]) == (
        number,
        "G" + number,
    )
    supervisor = await login(client, session, world, UserRole.SUPERVISOR, area_code=w.COUNTY)
    masked = (await client.get(path, headers=supervisor)).json()
    assert masked["masked"] is True
    shown = masked["items"][0]
    assert shown["id_number"] == number[:6] + "********" + number[-4:]
    assert shown["student_number"] == "G" + shown["id_number"]
    assert (
        await client.get(f"/api/v1/rosters/{made['id']}/report.xlsx", headers=supervisor)
    ).status_code == 403
    reads = (
        await session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == AuditAction.READ_PERSONAL)
        )
    ).all()
    assert len(reads) == 1  # the principal's full read; not the supervisor's masked one


async def test_an_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    content = write_xlsx(tmp_path / "in.xlsx", [pupil(world, "dong_a")])
    headers = {**principal, "Idempotency-Key": "roster-2026-09-05"}
    first = await upload(client, headers, url(world), content)
    again = await upload(client, headers, url(world), content)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert await count(session, Roster) == 1
    other_term = await upload(client, headers, url(world), content, term="2030-2031-1")
    assert other_term.status_code == 422
    assert other_term.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_two_uploads_at_once_cannot_both_become_the_current_roster(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = await upload(
        client, principal, url(world), write_xlsx(tmp_path / "a.xlsx", [pupil(world, "dong_a")])
    )
    assert first.status_code == 201

    async def read_before_the_other_committed(*_args: Any) -> int:
        return 1  # as the other upload's transaction had not yet committed version 1

    monkeypatch.setattr(roster_import, "_next_version", read_before_the_other_committed)
    rows = [pupil(world, "dong_b")]
    response = await upload(
        client,
        principal,
        url(world),
        write_xlsx(tmp_path / "b.xlsx", rows),
        confirm_shrink="true",
    )
    assert response.status_code == 409, response.text
    assert "请重试" in response.json()["detail"]
    assert await count(session, Roster) == 1
    held = await registrations(session, world)
    assert [(e.name, e.roster_id) for e in held] == [("张小明", uuid.UUID(first.json()["id"]))]
    current = await count(
        session,
        Roster,
        col(Roster.replaced_at).is_(None),
        col(Roster.status) == ImportStatus.STORED,
    )
    assert current == 1


async def test_the_term_is_the_current_one_unless_asked(
    client: httpx.AsyncClient,
    world: w.World,
    principal: dict[str, str],
    tmp_path: Path,
) -> None:
    content = write_xlsx(tmp_path / "in.xlsx", [pupil(world, "dong_a")])
    assert (await upload(client, principal, url(world), content)).json()["term"] == world.term
    asked = await upload(client, principal, url(world), content, term="2025-2026-2")
    assert asked.json()["term"] == "2025-2026-2"


def test_the_exports_ways_of_writing_dates_classes_and_statuses_are_understood() -> None:
    assert roster_rows.entry_date("2021-09") == date(2021, 9, 1)
    assert roster_rows.entry_date("2021年9月") == date(2021, 9, 1)
    assert roster_rows.entry_date("202109") == date(2021, 9, 1)
    assert roster_rows.entry_date("2021-09-03") == date(2021, 9, 3)
    with pytest.raises(ValueError, match="不是有效日期"):
        roster_rows.entry_date("2021-13")
    assert [roster_rows.class_number(n) for n in ("2", "2班", "(2)班", "三年级2班", "三(2)班")] == [
        2,
        2,
        2,
        2,
        2,
    ]
    assert roster_rows.class_number("火箭班") is None
    assert roster_rows.status("休学") is EnrolmentStatus.SUSPENDED
    assert roster_rows.status("graduated") is EnrolmentStatus.GRADUATED
    assert roster_rows.student_number(" g5108 21 ") == "G510821"
    assert roster_rows.LAYOUT.column_of("全国学籍号") == "student_number"
    assert roster_rows.LAYOUT.column_of("*身份证件号") == "id_number"
    assert roster_rows.LAYOUT.column_of("学籍辅号") is None  # another number, beside 全国学籍号
