"""Importing assignments from a spreadsheet (分工表), as county bureaus hand them out.

Each row is held to the rules of assigning one (assignments.py): the kind goes to its roles,
the uploader and the person assigned both cover what is assigned, the start is not in the
future nor before the current holder's. What the rows name is found a query or two per kind
for the whole file; the assignments ended and begun are written together, never a statement
a row. A row naming who is responsible already changes nothing, so the same file imported
again adds nothing.
"""

import asyncio
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Area,
    Assignment,
    AssignmentImport,
    Child,
    School,
    SchoolClass,
    User,
    metadata,
)
from api.models.vocabulary import AreaLevel, AssignmentKind, ImportStatus
from api.schemas.assignments import AssignmentImportOut
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import actors, audit, bulk, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput
from api.services.responsibility import assignment_rows, assignments
from api.services.responsibility.assignment_rows import LAYOUT, Row
from api.services.spreadsheets import import_records, import_rows
from api.settings import Settings

K = AssignmentKind
MAX_ROWS = 20_000  # a county's whole staff, several times over
_IN_CHUNK = 900  # bound values a statement: SQLite builds before 3.32 allow 999
_LEVEL = {K.VILLAGE: AreaLevel.VILLAGE, K.GROUP: AreaLevel.GROUP}
_NOT_YOURS = "没有这个{}，或不在您的范围内 (none such, or not yours)"


@dataclass
class Plan:
    new: list[dict[str, Any]] = field(default_factory=list)
    ends: dict[date, list[uuid.UUID]] = field(default_factory=lambda: defaultdict(list))
    replaced: int = 0
    unchanged: int = 0


async def import_file(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    data: bytes,
    filename: str | None,
    all_or_nothing: bool,
) -> AssignmentImportOut:
    """Store the good rows (or none, when ``all_or_nothing`` and a row is bad), and the import
    with its counts and the faults of each refused row."""
    permissions.require(actor, Resource.ASSIGNMENT, Action.WRITE)
    import_records.check_size(data)
    today = school_age.local_today(settings)
    sheet = await asyncio.to_thread(
        import_rows.read, data, filename=filename, max_rows=MAX_ROWS, layout=LAYOUT
    )
    if not any(key in sheet.columns for key in assignment_rows.PERSON_COLUMNS):
        raise InvalidInput(
            "file",
            "缺少负责人账号或负责人手机列 (name the person: a 负责人账号 or 负责人手机 column)",
        )
    rows = assignment_rows.parse(sheet)
    assignees = await _find_people(session, rows)
    await _find_targets(session, actor, settings, rows, today)
    await _check_assignees(session, settings, rows, assignees)
    plan = await _plan(session, actor, rows, today)
    rejected = [row for row in rows if row.faults]
    batch = AssignmentImport(
        **import_records.fields(
            actor=actor,
            data=data,
            filename=filename,
            all_or_nothing=all_or_nothing,
            sheet=sheet,
            errors=import_records.row_errors(
                sheet, LAYOUT, ((row.number, row.faults) for row in rejected)
            ),
            rejected=[(row.number, row.cells) for row in rejected],
        )
    )
    if batch.status is ImportStatus.STORED:
        batch.created, batch.replaced, batch.unchanged = (
            len(plan.new),
            plan.replaced,
            plan.unchanged,
        )
    try:
        if batch.status is ImportStatus.STORED:
            await _store(session, plan)
        session.add(batch)
        audit.created(session=session, actor=actor, new=batch, exclude=import_records.NOT_AUDITED)
        await session.commit()
    except IntegrityError as exc:  # another assignment of the same object won the race
        await session.rollback()
        raise Conflict(
            "其中有分工刚被别人改过，请重新导入 (some were changed meanwhile: import again)"
        ) from exc
    return _out(batch, limit=import_records.FIRST_ERRORS, offset=0)


def _good(rows: list[Row]) -> list[Row]:
    return [row for row in rows if not row.faults]


# The people ---------------------------------------------------------------------------------


async def _find_people(session: AsyncSession, rows: list[Row]) -> dict[uuid.UUID, Actor]:
    """Each row's person by account or mobile number (active accounts only), checked against
    the name written beside it and the kind's roles; their coverage, for the later check."""
    good = _good(rows)
    by_name: dict[str, User] = {}
    by_phone: dict[str, list[User]] = defaultdict(list)
    for column, values in (
        (User.username, sorted({r.username for r in good if r.username})),
        (User.phone, sorted({r.phone for r in good if r.phone})),
    ):
        for chunk in bulk.chunks(values, _IN_CHUNK):
            found = await session.exec(
                select(User).where(col(column).in_(chunk), col(User.is_active))
            )
            for user in found.all():
                by_name[user.username] = user
                if user.phone:
                    by_phone[user.phone].append(user)
    for row in good:
        _person(row, by_name, by_phone)
    ids = sorted({row.user_id for row in _good(rows) if row.user_id is not None})
    assignees: dict[uuid.UUID, Actor] = {}
    for id_chunk in bulk.chunks(ids, _IN_CHUNK):
        assignees |= await actors.load_many(session=session, user_ids=id_chunk)
    return assignees


def _person(row: Row, by_name: dict[str, User], by_phone: dict[str, list[User]]) -> None:
    user: User | None = None
    if row.username is not None:
        user = by_name.get(row.username)
        if user is None:
            row.faults.append(("username", "没有这个在用的账号 (no active account of this name)"))
            return
        if row.phone is not None and user.phone != row.phone:
            row.faults.append(("phone", "与账号登记的手机号码不符 (not this account's number)"))
            return
    else:
        assert row.phone is not None
        holders = {u.id: u for u in by_phone.get(row.phone, [])}
        if len(holders) != 1:
            row.faults.append(
                (
                    "phone",
                    "没有用这个手机号码的在用账号 (no active account has this number)"
                    if not holders
                    else "多个账号用这个手机号码，请填写负责人账号 (shared: give the account)",
                )
            )
            return
        (user,) = holders.values()
    said = "username" if row.username is not None else "phone"
    if row.display_name is not None and row.display_name != user.display_name:
        row.faults.append(
            (
                "display_name",
                f"账号 {user.username} 的姓名是 {user.display_name} (the account's name differs)",
            )
        )
    assert row.kind is not None
    if user.role not in assignments.ASSIGNEES[row.kind]:
        roles = ", ".join(sorted(r.value for r in assignments.ASSIGNEES[row.kind]))
        row.faults.append((said, f"这项分工只能交给 {roles} (a {row.kind.value} goes to {roles})"))
    row.user_id = user.id


# What they answer for ------------------------------------------------------------------------


async def _find_targets(
    session: AsyncSession, actor: Actor, settings: Settings, rows: list[Row], today: date
) -> None:
    """Each row's village, group, school, class or child, which the uploader must cover."""
    good = _good(rows)
    await _areas(session, actor, [r for r in good if r.kind in _LEVEL])
    await _schools(session, actor, [r for r in good if r.kind is K.SCHOOL])
    year = school_age.school_year_of(today, settings)
    await _classes(session, actor, [r for r in good if r.kind is K.CLASS], year)
    await _children(session, actor, settings, [r for r in good if r.kind is K.CHILD])


async def _areas(session: AsyncSession, actor: Actor, rows: list[Row]) -> None:
    codes = sorted({row.area_code for row in rows if row.area_code})
    levels: dict[str, AreaLevel] = {}
    for chunk in bulk.chunks(codes, _IN_CHUNK):
        found = await session.exec(select(Area.code, Area.level).where(col(Area.code).in_(chunk)))
        levels |= {code: AreaLevel(level) for code, level in found.all()}
    for row in rows:
        assert row.kind is not None
        assert row.area_code is not None
        if levels.get(row.area_code) is not _LEVEL[row.kind]:
            wanted = "村" if row.kind is K.VILLAGE else "村民小组"
            row.faults.append(
                ("area_code", f"应为一个{wanted}的区划代码 (not a {row.kind.value} code)")
            )
        elif scoping.outside_areas(actor, [row.area_code]):
            row.faults.append(("area_code", _NOT_YOURS.format("区划")))
        else:
            row.target = row.area_code


async def _rows_of(session: AsyncSession, statement: Any) -> list[Any]:
    return list((await (await session.connection()).execute(statement)).all())


async def _schools(session: AsyncSession, actor: Actor, rows: list[Row]) -> None:
    codes = sorted({row.school_code for row in rows if row.school_code})
    ours: dict[str, uuid.UUID] = {}
    for chunk in bulk.chunks(codes, _IN_CHUNK):
        statement = sa_select(col(School.id), col(School.code)).where(
            col(School.code).in_(chunk), col(School.removed_at).is_(None), scoping.schools(actor)
        )
        ours |= {code: school_id for school_id, code in await _rows_of(session, statement)}
    _settle(rows, "school_code", ours, "学校")


async def _classes(session: AsyncSession, actor: Actor, rows: list[Row], year: int) -> None:
    """A class of this school year, by its school's code and its name (三年级2班) or its grade
    and number; one the uploader does not cover is as one that does not exist."""
    codes = sorted({row.school_code for row in rows if row.school_code})
    by_name: dict[tuple[str, str], uuid.UUID] = {}
    by_number: dict[tuple[str, int, int], uuid.UUID] = {}
    for chunk in bulk.chunks(codes, _IN_CHUNK):
        statement = (
            sa_select(
                col(SchoolClass.id),
                col(School.code),
                col(SchoolClass.grade),
                col(SchoolClass.number),
                col(SchoolClass.name),
            )
            .join(School, col(School.id) == col(SchoolClass.school_id))
            .where(
                col(School.code).in_(chunk),
                col(School.removed_at).is_(None),
                col(SchoolClass.school_year) == year,
                scoping.classes(actor),
            )
        )
        for class_id, code, grade, number, name in await _rows_of(session, statement):
            by_name[code, name] = class_id
            by_number[code, grade, number] = class_id
    for row in rows:
        assert row.school_code is not None
        assert row.class_name is not None
        number = assignment_rows.class_number(row.class_name)
        row.target = by_name.get((row.school_code, row.class_name))
        if row.target is None and number is not None and row.grade is not None:
            row.target = by_number.get((row.school_code, row.grade, number))
        if row.target is None:
            row.faults.append(("class_name", _NOT_YOURS.format(f"{year}学年的班级")))


async def _children(
    session: AsyncSession, actor: Actor, settings: Settings, rows: list[Row]
) -> None:
    numbers = sorted({row.id_number for row in rows if row.id_number})
    ours: dict[str, uuid.UUID] = {}
    for chunk in bulk.chunks(numbers, _IN_CHUNK):
        statement = sa_select(col(Child.id), col(Child.id_number)).where(
            col(Child.id_number).in_(chunk),
            col(Child.removed_at).is_(None),
            scoping.children(actor, settings=settings),
        )
        ours |= {number: child_id for child_id, number in await _rows_of(session, statement)}
    _settle(rows, "id_number", ours, "儿童")


def _settle(rows: list[Row], column: str, ours: dict[str, uuid.UUID], what: str) -> None:
    """Each row's target by the value in ``column``, among those the uploader covers."""
    for row in rows:
        row.target = ours.get(getattr(row, column))
        if row.target is None:
            row.faults.append((column, _NOT_YOURS.format(what)))


async def _check_assignees(
    session: AsyncSession, settings: Settings, rows: list[Row], assignees: dict[uuid.UUID, Actor]
) -> None:
    """Nobody is made responsible for what their account cannot see: a query or two a kind."""
    wanted: dict[AssignmentKind, dict[Actor, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in _good(rows):
        assert row.kind is not None
        assert row.user_id is not None
        wanted[row.kind][assignees[row.user_id]].append(row.target)
    covered = {
        kind: await assignments.covered(
            session=session, settings=settings, kind=kind, targets=targets
        )
        for kind, targets in wanted.items()
    }
    for row in _good(rows):
        assert row.kind is not None
        if row.target not in covered[row.kind]:
            said = "username" if row.username is not None else "phone"
            row.faults.append(
                (said, "这个账号的范围不包括所分工的对象 (outside this account's scope)")
            )


# What changes ------------------------------------------------------------------------------


async def _plan(session: AsyncSession, actor: Actor, rows: list[Row], today: date) -> Plan:
    """New assignments and the current ones they end, with the rows' last faults: the same
    object twice in the file, a start in the future or before the current holder's."""
    first: dict[tuple[AssignmentKind, Any], int] = {}
    for row in _good(rows):
        assert row.kind is not None
        if (earlier := first.setdefault((row.kind, row.target), row.number)) != row.number:
            row.faults.append(
                (row.target_column, f"与第{earlier}行是同一个对象 (the same as row {earlier})")
            )
        if row.valid_from is not None and row.valid_from > today:
            row.faults.append(("valid_from", "开始日期不能晚于今天 (in the future)"))
    current = await _current(session, _good(rows))
    plan = Plan()
    for row in _good(rows):
        assert row.kind is not None
        assert row.user_id is not None
        valid_from = row.valid_from or today
        holder = current.get((row.kind, row.target))
        if holder is not None and holder.user_id == row.user_id:
            plan.unchanged += 1
            continue
        if holder is not None and valid_from < holder.valid_from:
            row.faults.append(
                (
                    "valid_from",
                    f"不能早于现任的开始日期 {holder.valid_from} (before the current one began)",
                )
            )
            continue
        if holder is not None:
            plan.ends[valid_from].append(holder.id)
            plan.replaced += 1
        new = Assignment(
            kind=row.kind,
            user_id=row.user_id,
            valid_from=valid_from,
            assigned_by_id=actor.user_id,
            **{assignments.TARGET[row.kind]: row.target},
        )
        plan.new.append(new.model_dump())
    return plan


async def _current(
    session: AsyncSession, rows: list[Row]
) -> dict[tuple[AssignmentKind, Any], Assignment]:
    targets: dict[AssignmentKind, list[Any]] = defaultdict(list)
    for row in rows:
        assert row.kind is not None
        targets[row.kind].append(row.target)
    current: dict[tuple[AssignmentKind, Any], Assignment] = {}
    for kind, of_kind in targets.items():
        column = getattr(Assignment, assignments.TARGET[kind])
        for chunk in bulk.chunks(of_kind, _IN_CHUNK):
            found = await session.exec(
                select(Assignment).where(
                    col(Assignment.kind) == kind,
                    col(column).in_(chunk),
                    col(Assignment.valid_to).is_(None),
                )
            )
            current |= {(kind, getattr(a, assignments.TARGET[kind])): a for a in found.all()}
    return current


async def _store(session: AsyncSession, plan: Plan) -> None:
    """The current holders ended first: one current assignment an object, says the index."""
    connection = await session.connection()
    for valid_to, ids in plan.ends.items():
        for chunk in bulk.chunks(ids, _IN_CHUNK):
            await connection.execute(
                update(Assignment).where(col(Assignment.id).in_(chunk)).values(valid_to=valid_to)
            )
    await bulk.insert_rows(
        connection=connection, table=metadata.tables["assignment"], rows=plan.new
    )


# Reading an import back ---------------------------------------------------------------------


def _out(batch: AssignmentImport, *, limit: int, offset: int) -> AssignmentImportOut:
    return AssignmentImportOut.model_validate(
        import_records.summary(batch, LAYOUT, limit=limit, offset=offset)
    )


async def get(
    *, session: AsyncSession, actor: Actor, import_id: uuid.UUID, limit: int, offset: int
) -> AssignmentImportOut:
    permissions.require(actor, Resource.ASSIGNMENT, Action.READ)
    batch = await import_records.visible(
        session=session, actor=actor, model=AssignmentImport, import_id=import_id
    )
    return _out(batch, limit=limit, offset=offset)


async def report(*, session: AsyncSession, actor: Actor, import_id: uuid.UUID) -> tuple[str, bytes]:
    """The refused rows with their faults (import_records.report): the ID numbers of children
    among them, so for whoever may import assignments, and audited."""
    permissions.require(actor, Resource.ASSIGNMENT, Action.WRITE)
    batch = await import_records.visible(
        session=session, actor=actor, model=AssignmentImport, import_id=import_id
    )
    return await import_records.report(session=session, actor=actor, batch=batch)
