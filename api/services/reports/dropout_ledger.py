"""The dropout ledgers as XLSX (疑似辍学学生台账, 辍学学生台账): a case a row, in the columns
county ledgers keep (docs/domain.md), with the source, the reporter, the person answering on
each line of responsibility and every persuasion attempt. A closed or dismissed case is on
neither ledger (动态销号). A handful of set-based queries, whatever the number of cases.
"""

import asyncio
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import false, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Assignment,
    Case,
    Child,
    Guardian,
    Guardianship,
    Household,
    PersuasionAttempt,
    ReturnPlan,
    School,
    User,
)
from api.models.base import utcnow
from api.models.vocabulary import AssignmentKind, CaseSource, CaseStatus
from api.schemas.cases import DeadlineState, LedgerKind
from api.services.access import masking, permissions
from api.services.access.permissions import Action, Resource
from api.services.cases import case_deadlines
from api.services.cases.cases import CaseFilter, conditions
from api.services.core import audit, labels, school_age
from api.services.core.actors import Actor
from api.services.core.errors import InvalidInput
from api.services.core.id_lists import among
from api.services.responsibility import assignments
from api.services.spreadsheets import sheets
from api.settings import Settings

COLUMNS = (
    ("序号", 6), ("姓名", 10), ("性别", 5), ("身份证号码", 20), ("出生日期", 11), ("学校", 20),
    ("年级", 6), ("辍学时间", 9), ("监护人", 10), ("监护人电话", 14), ("家庭住址", 24),
    ("户籍地址", 24), ("辍学原因", 12), ("原因说明", 20), ("去向", 16), ("已落实帮扶", 20),
    ("来源", 10), ("报告人", 10), ("政府责任人", 10), ("政府责任人电话", 14), ("学校责任人", 10),
    ("学校责任人电话", 14), ("状态", 10), ("发现时间", 17), ("上报县时限", 17),
    ("是否超期", 8), ("劝返记录", 40),
)  # fmt: skip
MAX_ROWS = 20_000  # a county's ledger is hundreds; more is a province asking for a report
SOURCE = {
    CaseSource.TEACHER_REPORT: "教师报告",
    CaseSource.SWEEP: "入户排查",
    CaseSource.RECONCILIATION: "人籍比对",
    CaseSource.MANUAL: "手工登记",
}
STATUS = {
    CaseStatus.REPORTED: "疑似辍学",
    CaseStatus.VERIFIED: "确认辍学",
    CaseStatus.DISMISSED: "已排除",
    CaseStatus.PLANNED: "已制定方案",
    CaseStatus.PERSUADING: "劝返中",
    CaseStatus.RETURNED: "已返校",
    CaseStatus.FOLLOWING_UP: "跟踪回访中",
    CaseStatus.CLOSED: "已销号",
}
TITLES = {None: "辍学个案台账", LedgerKind.SUSPECTED: "疑似辍学学生台账",
          LedgerKind.CONFIRMED: "辍学学生台账"}  # fmt: skip


async def export(
    *, session: AsyncSession, actor: Actor, settings: Settings, filters: CaseFilter
) -> tuple[str, bytes]:
    """The ledger of the cases the actor sees that pass ``filters``: file name and workbook.
    ID numbers and phones are whole only for a role that reads them, and that read is audited."""
    permissions.require(actor, Resource.CASE, Action.READ)
    now = utcnow()
    found = list(
        (
            await session.exec(
                select(Case, Child, col(Household.address), col(School.name))
                .join(Child, col(Child.id) == col(Case.child_id))
                .join(Household, col(Household.id) == col(Child.household_id))
                .outerjoin(School, col(School.id) == col(Case.school_id))
                .where(*conditions(actor, settings, filters, now))
                .order_by(col(Child.area_code), col(Case.noticed_at), col(Case.id))
                .limit(MAX_ROWS + 1)
            )
        ).all()
    )
    if len(found) > MAX_ROWS:
        raise InvalidInput(
            "area",
            f"超过 {MAX_ROWS} 个个案，请按乡镇或学校分别导出 (more than {MAX_ROWS}: narrow it)",
            location="query",
        )
    full = permissions.allowed(actor, Resource.CHILD, Action.READ_PERSONAL)
    shown = masking.Disclosure(full=full)
    cases = [case for case, *_ in found]
    guardians = await _guardians(session, [case.child_id for case in cases])
    persons = await _persons(session, settings, [(case, child) for case, child, *_ in found])
    attempts = await _attempts(session, [case.id for case in cases], settings, shown)
    reporters = await _people(session, {case.reported_by_id for case in cases})
    rows = []
    for n, (case, child, address, school) in enumerate(found, start=1):
        guardian, guardian_phone = guardians.get(child.id, (None, None))
        government, school_person = persons.get(case.id, (None, None))
        overdue = case_deadlines.state(
            due_at=case.county_due_at,
            met_at=case.county_reported_at,
            now=now,
            moot=case.status is CaseStatus.DISMISSED,
        )
        rows.append(
            [
                n,
                child.name,
                labels.SEX[child.sex],
                shown.id_number(child.id_number),
                child.birth_date,
                school,
                labels.grade(case.grade) if case.grade else None,
                f"{school_age.local_date(case.noticed_at, settings):%Y-%m}",
                guardian,
                shown.phone(guardian_phone),
                address,
                child.registered_address,
                labels.DROPOUT_REASON[case.reason],
                case.reason_note,
                case.whereabouts,
                case.support_given,
                SOURCE[case.source],
                reporters[case.reported_by_id][0],
                *(government or (None, None)),
                *(school_person or (None, None)),
                STATUS[case.status],
                school_age.local_minute(case.noticed_at, settings),
                school_age.local_minute(case.county_due_at, settings),
                "超期" if overdue is DeadlineState.OVERDUE else "否",
                "\n".join(attempts.get(case.id, [])),
            ]
        )
    content = await asyncio.to_thread(_workbook, TITLES[filters.ledger], rows)
    if full and rows:
        await audit.read_in_full(
            session=session,
            actor=actor,
            object_type="dropout_ledger",
            object_id=None,
            detail=f"{TITLES[filters.ledger]} {len(rows)} 行",
        )
    return f"{TITLES[filters.ledger]}_{school_age.local_today(settings):%Y%m%d}.xlsx", content


async def _guardians(
    session: AsyncSession, children: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str | None]]:
    """Each child's guardian to call: the primary one, else any."""
    found = await session.exec(
        select(Guardianship.child_id, Guardian.name, Guardian.phone)
        .join(Guardian, col(Guardian.id) == col(Guardianship.guardian_id))
        .where(among(session, Guardianship.child_id, children), col(Guardian.removed_at).is_(None))
        .order_by(col(Guardianship.is_primary))
    )
    return {child_id: (name, phone) for child_id, name, phone in found.all()}  # primary last


async def _persons(
    session: AsyncSession, settings: Settings, cases: list[tuple[Case, Child]]
) -> dict[uuid.UUID, tuple[tuple[str, str | None] | None, tuple[str, str | None] | None]]:
    """Who answers for each case on each line: the return plan's persons, or else whoever the
    assignments in force name (包组 or 包村; 包保 teacher or 班主任)."""
    ids = [case.id for case, _ in cases]
    planned: dict[uuid.UUID, tuple[uuid.UUID | None, uuid.UUID | None]] = {}
    for case_id, government, school in (
        await session.exec(
            select(ReturnPlan.case_id, ReturnPlan.government_person_id, ReturnPlan.school_person_id)
            .where(among(session, ReturnPlan.case_id, ids))
            .order_by(col(ReturnPlan.version))
        )
    ).all():
        planned[case_id] = (government, school)  # the latest version last
    today = school_age.local_today(settings)
    groups = {child.area_code for _, child in cases}
    villages = {code[:12] for code in groups}
    held: dict[tuple[AssignmentKind, Any], uuid.UUID] = {}
    targets = (
        (AssignmentKind.GROUP, Assignment.area_code, groups),
        (AssignmentKind.VILLAGE, Assignment.area_code, villages),
        (AssignmentKind.CHILD, Assignment.child_id, {child.id for _, child in cases}),
        (AssignmentKind.CLASS, Assignment.class_id, {c.class_id for c, _ in cases if c.class_id}),
    )
    found = await session.exec(
        select(Assignment).where(
            assignments.in_force(today),
            or_(
                false(),  # no case listed: no assignment to read
                *(
                    (col(Assignment.kind) == kind) & among(session, column, list(values))
                    for kind, column, values in targets
                    if values
                ),
            ),
        )
    )
    for assignment in found.all():
        target = assignment.area_code or assignment.child_id or assignment.class_id
        held[assignment.kind, target] = assignment.user_id
    chosen: dict[uuid.UUID, tuple[uuid.UUID | None, uuid.UUID | None]] = {}
    for case, child in cases:
        government = held.get((AssignmentKind.GROUP, child.area_code)) or held.get(
            (AssignmentKind.VILLAGE, child.area_code[:12])
        )
        school = held.get((AssignmentKind.CHILD, child.id)) or held.get(
            (AssignmentKind.CLASS, case.class_id)
        )
        plan = planned.get(case.id, (None, None))
        chosen[case.id] = (plan[0] or government, plan[1] or school)
    people = await _people(session, {p for pair in chosen.values() for p in pair if p})
    return {
        case_id: (
            people.get(pair[0]) if pair[0] else None,
            people.get(pair[1]) if pair[1] else None,
        )
        for case_id, pair in chosen.items()
    }


async def _people(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str | None]]:
    found = await session.exec(
        select(User.id, User.display_name, User.phone).where(among(session, User.id, list(ids)))
    )
    return {user_id: (name, phone) for user_id, name, phone in found.all()}


async def _attempts(
    session: AsyncSession,
    cases: list[uuid.UUID],
    settings: Settings,
    shown: masking.Disclosure,
) -> dict[uuid.UUID, list[str]]:
    """Each case's persuasion attempts, a line each: 第n次 date who (phone) how: outcome."""
    found = await session.exec(
        select(PersuasionAttempt)
        .where(among(session, PersuasionAttempt.case_id, cases))
        .order_by(col(PersuasionAttempt.number))
    )
    lines: dict[uuid.UUID, list[str]] = defaultdict(list)
    for a in found.all():
        phone = f"（{shown.phone(a.phone)}）" if a.phone else ""
        lines[a.case_id].append(
            f"第{a.number}次 {school_age.local_date(a.attempted_at, settings):%Y-%m-%d} "
            f"{a.persons}{phone} {labels.PERSUASION_METHOD[a.method]}："
            f"{labels.ATTEMPT_OUTCOME[a.outcome]}"
        )
    return lines


def _workbook(title: str, rows: list[list[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "C2"
    for index, (_, width) in enumerate(COLUMNS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width + 2
    header = []
    for name, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([sheets.cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
