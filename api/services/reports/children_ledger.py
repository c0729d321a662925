"""The school-age children ledger (适龄儿童台账) as XLSX: a row for each child of compulsory-school
age this school year, in the columns a clerk keeps, at the level asked for: the caller's whole
scope, an area within it (county, township, village, group) or a school's pupils registered
this term. School-age as the statistics count it: born within the school year's compulsory
cohorts (school_age.births_of_school_year), not removed, neither deceased nor emigrated. A
county's 80,000 rows come from a handful of set-based queries, the same whatever the count,
and a write-only workbook made in a thread.
"""

import asyncio
import io
import uuid
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import ColumnElement
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from api.models import (
    Area,
    Child,
    Enrolment,
    Guardian,
    Guardianship,
    Household,
    School,
    SchoolClass,
)
from api.models.vocabulary import DisabilityPlacement, EnrolmentStatus, SchoolingStatus
from api.services.access import masking, permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit, labels, school_age
from api.services.core.actors import Actor
from api.services.core.errors import InvalidInput, NotFound
from api.services.spreadsheets import sheets
from api.settings import Settings

COLUMNS = (
    ("序号", 7), ("姓名", 10), ("性别", 5), ("身份证号码", 20), ("出生日期", 11), ("乡镇", 10),
    ("村", 10), ("组", 10), ("家庭住址", 24), ("户籍地址", 24), ("监护人", 10),
    ("监护人电话", 14), ("教育状况", 12), ("就读学校", 20), ("年级", 7), ("班级", 9),
    ("留守儿童", 12), ("建档立卡/脱贫户", 10), ("残疾", 12), ("安置方式", 12), ("备注", 30),
)  # fmt: skip
HEADER_ROW = 3  # the title, the school year and date, then the header
MAX_ROWS = 150_000  # a county has up to 80,000; more is a province: ask by county
NOT_COUNTED = (SchoolingStatus.DECEASED, SchoolingStatus.EMIGRATED)
# A registration that makes the child the school's pupil this term (休学 keeps the place).
ON_ROLL = (EnrolmentStatus.ENROLLED, EnrolmentStatus.SUSPENDED)
LEFT_BEHIND = {0: "否", 1: "父母一方外出", 2: "父母双方外出"}
PLACEMENT = {
    DisabilityPlacement.SPECIAL_SCHOOL: "特教学校",
    DisabilityPlacement.REGULAR_CLASS: "随班就读",
    DisabilityPlacement.SPECIAL_CLASS: "普通学校特教班",
    DisabilityPlacement.HOME_DELIVERED: "送教上门",
    DisabilityPlacement.INSTITUTION: "机构安置",
    DisabilityPlacement.AWAITING: "待安置",
}
_DISABILITY_GRADE = "一二三四"
# The groups watched closely, noted under 备注. A minor in a legal case is left out: the law
# seals such records (未成年人犯罪记录封存), and a ledger is passed from hand to hand.
WATCHED = (
    ("is_orphan", "孤儿"),
    ("is_unattended", "事实无人抚养"),
    ("is_in_hardship", "困境儿童"),
    ("is_migrant", "随迁子女"),
)
_CHILD_COLUMNS = (
    Child.id, Child.name, Child.sex, Child.id_number, Child.birth_date, Child.area_code,
    Household.address, Child.registered_address, Child.schooling_status, Child.left_behind,
    Household.is_poverty_registered, Child.disability_kind, Child.disability_grade,
    Child.placement, Household.is_minimum_living, *(getattr(Child, flag) for flag, _ in WATCHED),
)  # fmt: skip


async def export(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    area: str | None,
    school_id: uuid.UUID | None,
) -> tuple[str, bytes]:
    """The ledger of the school-age children the actor sees, living within ``area`` and
    registered this term at ``school_id`` (either, both or neither): file name and workbook.
    ID numbers and phones are whole only for a role that reads them, and that read is audited.
    """
    permissions.require(actor, Resource.CHILD, Action.READ)
    today = school_age.local_today(settings)
    year = school_age.school_year_of(today, settings)
    term = school_age.term_of(today, settings)
    place = await _area(session, actor, area)
    school = (
        await scoping.one(
            session=session,
            model=School,
            object_id=school_id,
            visible=scoping.schools_attended(actor, settings=settings),
        )
        if school_id
        else None
    )
    where = _where(actor, settings, year, term, area, school_id)
    connection = await session.connection()
    found = (
        await connection.execute(
            sa_select(*(col(c) for c in _CHILD_COLUMNS))
            .join(Household, col(Household.id) == col(Child.household_id))
            .where(*where)
            .order_by(col(Child.area_code), col(Child.name_pinyin), col(Child.id))
            .limit(MAX_ROWS + 1)
        )
    ).all()
    if len(found) > MAX_ROWS:
        raise InvalidInput(
            "area",
            f"超过 {MAX_ROWS} 名儿童，请按县或乡镇分别导出 (more than {MAX_ROWS}: narrow it)",
            location="query",
        )
    ids = select(Child.id).where(*where)
    guardians = await _guardians(session, ids)
    registered = await _registrations(session, ids, term, school_id)
    names = await _area_names(session, {row.area_code for row in found})
    full = permissions.allowed(actor, Resource.CHILD, Action.READ_PERSONAL)
    shown = masking.Disclosure(full=full)
    rows = [
        _row(n, child, names, guardians.get(child.id), registered.get(child.id), shown)
        for n, child in enumerate(found, start=1)
    ]
    level = await _level(session, actor, place, school)
    title = f"{level}适龄儿童台账"
    note = f"{year}-{year + 1}学年　制表日期：{today:%Y年%m月%d日}　共 {len(rows)} 人"
    if not full:
        note += "　（身份证号码、电话已按规定隐去部分数字）"
    content = await asyncio.to_thread(_workbook, title, note, rows)
    if full and rows:
        await audit.read_in_full(
            session=session,
            actor=actor,
            object_type="children_ledger",
            object_id=school.id if school else None,
            detail=f"{title} {len(rows)} 行",
        )
    return f"{title}_{today:%Y%m%d}.xlsx", content


async def _area(session: AsyncSession, actor: Actor, area: str | None) -> Area | None:
    """An area asked for must exist and lie within the caller's (for whoever covers areas):
    otherwise "not found", as any object out of reach."""
    if area is None:
        return None
    place = await session.get(Area, area)
    if place is None or (actor.area_codes and scoping.outside_areas(actor, [area])):
        raise NotFound(f"没有这个区划或不在您的范围内 (no area {area} here)", area=area)
    return place


def _where(
    actor: Actor,
    settings: Settings,
    year: int,
    term: str,
    area: str | None,
    school_id: uuid.UUID | None,
) -> list[ColumnElement[bool]]:
    oldest, youngest = school_age.births_of_school_year(year, settings)
    where = [
        scoping.children(actor, settings=settings, within=area),
        col(Child.removed_at).is_(None),
        col(Child.birth_date).between(oldest, youngest),
        col(Child.schooling_status).not_in(NOT_COUNTED),
    ]
    if area:
        where.append(scoping.in_area(Child.area_code, area))
    if school_id:
        pupils = select(Enrolment.child_id).where(
            col(Enrolment.school_id) == school_id,
            col(Enrolment.term) == term,
            col(Enrolment.status).in_(ON_ROLL),
        )
        where.append(col(Child.id).in_(pupils))
    return where


async def _guardians(
    session: AsyncSession, children: SelectOfScalar[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str | None]]:
    """Each child's guardian to call: the primary one, else any."""
    found = await session.exec(
        select(Guardianship.child_id, Guardian.name, Guardian.phone)
        .join(Guardian, col(Guardian.id) == col(Guardianship.guardian_id))
        .where(col(Guardianship.child_id).in_(children), col(Guardian.removed_at).is_(None))
        .order_by(col(Guardianship.is_primary), col(Guardian.created_at), col(Guardian.id))
    )
    return {child_id: (name, phone) for child_id, name, phone in found.all()}  # primary last


async def _registrations(
    session: AsyncSession,
    children: SelectOfScalar[uuid.UUID],
    term: str,
    school_id: uuid.UUID | None,
) -> dict[uuid.UUID, tuple[str, int, str | None, EnrolmentStatus]]:
    """Each child's registration this term: school, grade, class and status. Of two, the
    school asked for, then one in attendance rather than suspended, then the latest made."""
    found = await (await session.connection()).execute(
        sa_select(
            col(Enrolment.child_id),
            col(School.name),
            col(Enrolment.grade),
            col(SchoolClass.name),
            col(Enrolment.status),
            col(Enrolment.school_id),
        )
        .join(School, col(School.id) == col(Enrolment.school_id))
        .outerjoin(SchoolClass, col(SchoolClass.id) == col(Enrolment.class_id))
        .where(
            col(Enrolment.term) == term,
            col(Enrolment.status).in_(ON_ROLL),
            col(Enrolment.child_id).in_(children),
        )
        .order_by(col(Enrolment.created_at), col(Enrolment.id))
    )
    chosen: dict[uuid.UUID, tuple[str, int, str | None, EnrolmentStatus]] = {}
    rank: dict[uuid.UUID, tuple[bool, bool]] = {}
    for child_id, school, grade, klass, status, at in found.all():
        assert child_id is not None  # filtered by IN
        better = (at == school_id, status is EnrolmentStatus.ENROLLED)
        if child_id not in rank or better >= rank[child_id]:  # the latest of equals wins
            rank[child_id] = better
            chosen[child_id] = (school, grade, klass, status)
    return chosen


async def _area_names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    """The names of the townships, villages and groups the children live in."""
    wanted = {code[:n] for code in codes for n in (9, 12, 15) if len(code) >= n}
    if not wanted:
        return {}
    found = await session.exec(select(Area.code, Area.name).where(col(Area.code).in_(wanted)))
    return dict(found.all())


def _row(
    n: int,
    child: Any,
    names: dict[str, str],
    guardian: tuple[str, str | None] | None,
    registration: tuple[str, int, str | None, EnrolmentStatus] | None,
    shown: masking.Disclosure,
) -> list[Any]:
    code: str = child.area_code
    school, grade, klass, status = registration or (None, None, None, None)
    disability = " ".join(
        part
        for part in (
            child.disability_kind,
            f"{_DISABILITY_GRADE[child.disability_grade - 1]}级" if child.disability_grade else "",
        )
        if part
    )
    remarks = [name for flag, name in WATCHED if getattr(child, flag)]
    if child.is_minimum_living:
        remarks.append("低保户")
    if status is EnrolmentStatus.SUSPENDED:
        remarks.append("学籍休学")
    return [
        n,
        child.name,
        labels.SEX[child.sex],
        shown.id_number(child.id_number),
        child.birth_date,
        names.get(code[:9]),
        names.get(code[:12]) if len(code) >= 12 else None,
        names.get(code) if len(code) >= 15 else None,
        child.address,
        child.registered_address,
        guardian[0] if guardian else None,
        shown.phone(guardian[1]) if guardian else None,
        labels.SCHOOLING_STATUS[child.schooling_status],
        school,
        labels.grade(grade) if grade else None,
        klass,
        LEFT_BEHIND.get(child.left_behind),
        "是" if child.is_poverty_registered else "否",
        disability or None,
        PLACEMENT[child.placement] if child.placement else None,
        "、".join(remarks) or None,
    ]


async def _level(
    session: AsyncSession, actor: Actor, place: Area | None, school: School | None
) -> str:
    """What the ledger is of, for its title: the school, the area, or the caller's one area
    or school; a caller covering several says none."""
    if school and place:
        return f"{school.name}（{place.name}）"
    if school or place:
        return (school or place).name  # type: ignore[union-attr]
    if len(actor.area_codes) == 1 and not actor.school_ids:
        own = await session.get(Area, actor.area_codes[0])
        return own.name if own else ""
    if len(actor.school_ids) == 1 and not actor.area_codes:
        mine = await session.get(School, actor.school_ids[0])
        return mine.name if mine else ""
    return ""


def _workbook(title: str, note: str, rows: list[list[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("适龄儿童台账")
    last = get_column_letter(len(COLUMNS))
    sheet.freeze_panes = f"C{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(rows)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(size=16, bold=True)
    heading.alignment = Alignment(horizontal="center")
    sheet.append([heading])
    sheet.append([note])
    header = []
    for name, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    """Plain values as they are, the others through ``sheets.cell``: most of a county's
    1.7 million cells need none of its care, and a cell object each costs time."""
    plain = isinstance(value, str) and not value.startswith("=")
    if plain and not ILLEGAL_CHARACTERS_RE.search(value):
        return value
    if isinstance(value, str | date):
        return sheets.cell(sheet, value)
    return value
