"""The school's monthly report to the county (学校控辍保学月报: schools report monthly), for one
calendar month in the county's time zone, by grade and in total:

- 在籍 at the month's start and end: registrations (学籍) at the school of the term covering
  that day (school_age.term_of), entered by then (``entry_date`` none or not later), and
  either enrolled or transferred out after that day. A registration keeps only its current
  status, so a pupil suspended, graduated or withdrawn is not counted on either day.
- 转入: registrations at the school of the month's term(s) entered during the month after the
  term's first day (a roll uploaded for the term enters its pupils on that first day or
  before); 转出: registrations marked transferred out whose pupil was entered at another
  school in the same term during the month (the transfer writes that date), or, with no such
  registration on record (a move out of the county), marked during the month.
- cases of the school (the school of the registration when the case opened): reported
  (noticed in the month), verified in the month and not dismissed since, returned in the
  month, open at the month's end (noticed by then, neither closed nor dismissed by then: the
  time of a dismissal is its transition's; one with none recorded counts as dismissed), and
  of those reported, those entered within 24 hours (不过夜, case_deadlines).

The report is the school's: whoever may read it (the principal, the township's officers, the
county) reads all of it, the same figures for each. Three aggregate or set-based queries.
"""

import io
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Case, CaseTransition, Child, Enrolment, School, SchoolClass
from api.models.vocabulary import CaseStatus, EnrolmentStatus
from api.schemas.monthly_report import MonthlyCase, MonthlyFigures, MonthlyReport
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import labels, school_age
from api.services.core.actors import Actor
from api.services.core.errors import InvalidInput
from api.services.reports.dropout_ledger import STATUS
from api.services.spreadsheets import sheets
from api.settings import Settings

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_REGISTRATIONS = ("registered_at_start", "registered_at_end", "transferred_in", "transferred_out")
_CASES = ("reported", "verified", "returned", "open_at_end", "school_deadline_met")
COLUMNS = (
    ("年级", "grade", 10), ("月初在籍", "registered_at_start", 9),
    ("本月转入", "transferred_in", 9), ("本月转出", "transferred_out", 9),
    ("月末在籍", "registered_at_end", 9), ("本月报告疑似辍学", "reported", 11),
    ("本月确认辍学", "verified", 10), ("本月劝返复学", "returned", 10),
    ("月末未销号个案", "open_at_end", 10), ("不过夜按时报告", "school_deadline_met", 10),
)  # fmt: skip
CASE_COLUMNS = ("序号", "姓名", "年级", "班级", "辍学原因", "状态", "发现日期", "不过夜")
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Month:
    first: date
    last: date
    starts_at: datetime  # the first day's midnight, local
    ends_at: datetime  # the next month's

    @property
    def name(self) -> str:
        return f"{self.first:%Y-%m}"


def month_of(value: str | None, settings: Settings) -> Month:
    """The month ``value`` names (YYYY-MM), this month if none; one still to come is refused."""
    today = school_age.local_today(settings)
    if value is None:
        year, number = today.year, today.month
    else:
        found = _MONTH.fullmatch(value)
        if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
            raise InvalidInput("month", "月份应为 YYYY-MM (a month as YYYY-MM)", location="query")
        year, number = int(found[1]), int(found[2])
        if (year, number) > (today.year, today.month):
            raise InvalidInput(
                "month", "不能填报尚未到来的月份 (a month still to come)", location="query"
            )
    first = date(year, number, 1)
    following = (first + timedelta(days=31)).replace(day=1)
    zone = ZoneInfo(settings.timezone)
    return Month(
        first=first,
        last=following - timedelta(days=1),
        starts_at=datetime.combine(first, time(), zone),
        ends_at=datetime.combine(following, time(), zone),
    )


async def report(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    school_id: uuid.UUID,
    month: str | None,
) -> MonthlyReport:
    """The report of ``school_id`` for ``month``, if the actor may read the school's reports."""
    permissions.require(actor, Resource.SCHOOL_REPORT, Action.READ)
    period = month_of(month, settings)
    school = await scoping.one(
        session=session, model=School, object_id=school_id, visible=scoping.schools(actor)
    )
    terms = sorted({school_age.term_of(day, settings) for day in (period.first, period.last)})
    counts: dict[int | None, dict[str, int]] = {}
    connection = await session.connection()
    for query, names in (
        (_registrations(school.id, period, terms, settings), _REGISTRATIONS),
        (_cases(school.id, period), _CASES),
    ):
        for row in (await connection.execute(query)).all():
            values = {name: int(row._mapping[name] or 0) for name in names}
            counts.setdefault(row.grade, dict.fromkeys(_REGISTRATIONS + _CASES, 0)).update(values)
    taught = set(range(school.grade_from, school.grade_to + 1))
    grades = sorted(taught | {g for g in counts if g is not None})
    nothing = dict.fromkeys(_REGISTRATIONS + _CASES, 0)
    rows = [MonthlyFigures(grade=g, **counts.get(g, nothing)) for g in grades]
    if None in counts and any(counts[None][name] for name in _CASES):
        rows.append(MonthlyFigures(grade=None, **counts[None]))
    total = MonthlyFigures(
        grade=None,
        **{name: sum(getattr(r, name) for r in rows) for name in _REGISTRATIONS + _CASES},
    )
    return MonthlyReport(
        school_id=school.id,
        school_name=school.name,
        month=period.name,
        first_day=period.first,
        last_day=period.last,
        as_of=school_age.local_today(settings),
        terms=terms,
        grades=rows,
        total=total,
        school_deadline_compliance=(
            total.school_deadline_met / total.reported if total.reported else None
        ),
        cases=await _month_cases(session, school.id, period),
    )


def _sum(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _registrations(
    school_id: uuid.UUID, period: Month, terms: list[str], settings: Settings
) -> Any:
    status = col(Enrolment.status)
    elsewhere = aliased(Enrolment)

    def moved(when: ColumnElement[bool]) -> ColumnElement[bool]:
        """Entered at another school later in the same term, on a day ``when`` allows."""
        return (
            sa_select(col(elsewhere.id))
            .where(
                col(elsewhere.child_id) == col(Enrolment.child_id),
                col(elsewhere.term) == col(Enrolment.term),
                col(elsewhere.school_id) != col(Enrolment.school_id),
                col(elsewhere.created_at) > col(Enrolment.created_at),
                when,
            )
            .exists()
        )

    unrecorded = ~moved(col(elsewhere.entry_date).is_not(None))
    zone = ZoneInfo(settings.timezone)

    def registered_on(day: date) -> ColumnElement[bool]:
        after = datetime.combine(day + timedelta(days=1), time(), zone)
        left_later = or_(
            moved(col(elsewhere.entry_date) > day),
            and_(unrecorded, col(Enrolment.updated_at) >= after),
        )
        return and_(
            col(Enrolment.term) == school_age.term_of(day, settings),
            or_(col(Enrolment.entry_date).is_(None), col(Enrolment.entry_date) <= day),
            or_(
                status == EnrolmentStatus.ENROLLED,
                and_(status == EnrolmentStatus.TRANSFERRED_OUT, left_later),
            ),
        )

    entered = col(Enrolment.entry_date).between(period.first, period.last)
    opened = {term: school_age.term_start(term, settings) for term in terms}
    after_opening = or_(
        *(
            and_(col(Enrolment.term) == term, col(Enrolment.entry_date) > first_day)
            for term, first_day in opened.items()
        )
    )
    left = or_(
        moved(col(elsewhere.entry_date).between(period.first, period.last)),
        and_(
            unrecorded,
            col(Enrolment.updated_at) >= period.starts_at,
            col(Enrolment.updated_at) < period.ends_at,
        ),
    )
    grade = col(Enrolment.grade)
    return (
        sa_select(
            grade.label("grade"),
            _sum(registered_on(period.first)).label("registered_at_start"),
            _sum(registered_on(period.last)).label("registered_at_end"),
            _sum(and_(entered, after_opening)).label("transferred_in"),
            _sum(and_(status == EnrolmentStatus.TRANSFERRED_OUT, left)).label("transferred_out"),
        )
        .where(col(Enrolment.school_id) == school_id, col(Enrolment.term).in_(terms))
        .group_by(grade)
        .order_by(grade)
    )


def _cases(school_id: uuid.UUID, period: Month) -> Any:
    status = col(Case.status)

    def during(column: Any) -> ColumnElement[bool]:
        return and_(col(column) >= period.starts_at, col(column) < period.ends_at)

    dismissed_later = (
        sa_select(col(CaseTransition.id))
        .where(
            col(CaseTransition.case_id) == col(Case.id),
            col(CaseTransition.to_status) == CaseStatus.DISMISSED,
            col(CaseTransition.at) >= period.ends_at,
        )
        .exists()
    )
    open_at_end = and_(
        or_(col(Case.closed_at).is_(None), col(Case.closed_at) >= period.ends_at),
        or_(status != CaseStatus.DISMISSED, dismissed_later),
    )
    grade = col(Case.grade)
    return (
        sa_select(
            grade.label("grade"),
            _sum(during(Case.noticed_at)).label("reported"),
            _sum(and_(during(Case.verified_at), status != CaseStatus.DISMISSED)).label("verified"),
            _sum(during(Case.returned_at)).label("returned"),
            _sum(open_at_end).label("open_at_end"),
            _sum(
                and_(during(Case.noticed_at), col(Case.reported_at) <= col(Case.school_due_at))
            ).label("school_deadline_met"),
        )
        .where(col(Case.school_id) == school_id, col(Case.noticed_at) < period.ends_at)
        .group_by(grade)
        .order_by(grade)
    )


async def _month_cases(
    session: AsyncSession, school_id: uuid.UUID, period: Month
) -> list[MonthlyCase]:
    found = await session.exec(
        select(Case, Child.name, SchoolClass.name)
        .join(Child, col(Child.id) == col(Case.child_id))
        .outerjoin(SchoolClass, col(SchoolClass.id) == col(Case.class_id))
        .where(
            col(Case.school_id) == school_id,
            col(Case.noticed_at) >= period.starts_at,
            col(Case.noticed_at) < period.ends_at,
        )
        .order_by(col(Case.noticed_at), col(Case.id))
    )
    return [
        MonthlyCase(
            case_id=c.id,
            child_id=c.child_id,
            child_name=name,
            grade=c.grade,
            class_name=klass,
            reason=c.reason,
            status=c.status,
            noticed_at=c.noticed_at,
            school_deadline_met=c.reported_at <= c.school_due_at,
        )
        for c, name, klass in found.all()
    ]


async def export(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    school_id: uuid.UUID,
    month: str | None,
) -> tuple[str, bytes]:
    """The report as the workbook a school sends: file name and content."""
    made = await report(
        session=session, actor=actor, settings=settings, school_id=school_id, month=month
    )
    title = f"{made.school_name} {made.first_day.year}年{made.first_day.month}月控辍保学月报"
    return f"{title}.xlsx", workbook(made, title, settings)


def workbook(made: MonthlyReport, title: str, settings: Settings) -> bytes:
    book = Workbook()
    sheet: Worksheet = book.active
    sheet.title = "控辍保学月报"
    last = get_column_letter(len(COLUMNS))
    sheet.append([title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    period = f"{made.first_day:%Y年%m月%d日}至{made.last_day:%Y年%m月%d日}"
    terms = "、".join(made.terms)
    sheet.append([f"统计期间：{period}　学期：{terms}　制表日期：{made.as_of:%Y年%m月%d日}"])
    sheet.merge_cells(f"A2:{last}2")
    sheet.append([name for name, _, _ in COLUMNS])
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    for figures in [*made.grades, made.total]:
        if figures is made.total:
            name = "合计"
        else:
            name = labels.grade(figures.grade) if figures.grade else "年级不详"
        sheet.append([name, *(getattr(figures, field) for _, field, _ in COLUMNS[1:])])
    table_end = sheet.max_row
    for line in sheet.iter_rows(min_row=3, max_row=table_end, max_col=len(COLUMNS)):
        for cell in line:
            cell.border = _BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in [*sheet[3], *sheet[table_end]]:
        cell.font = Font(bold=True)
    rate = made.school_deadline_compliance
    sheet.append([f"本月个案不过夜按时报告率：{'—' if rate is None else f'{rate:.0%}'}"])
    sheet.append([])
    sheet.append(["本月个案名单"])
    sheet[sheet.max_row][0].font = Font(bold=True)
    sheet.append(list(CASE_COLUMNS))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for n, c in enumerate(made.cases, start=1):
        values = [n, c.child_name, labels.grade(c.grade) if c.grade else None, c.class_name,
                  labels.DROPOUT_REASON[c.reason], STATUS[c.status],
                  school_age.local_date(c.noticed_at, settings),
                  "按时" if c.school_deadline_met else "超时"]  # fmt: skip
        sheet.append([sheets.cell(sheet, value) for value in values])
    if not made.cases:
        sheet.append(["本月无疑似辍学个案"])
    sheet.append([])
    sheet.append(["填报人：", "", "", "校长签字：", "", "", "填报日期：    年  月  日"])
    sheet.freeze_panes = "B4"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
