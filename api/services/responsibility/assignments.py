"""双线控辍, 四包: who answers for each village, group, school, class and child, and since when.

A table says who may be given each kind (a village to a township cadre, a class to a
teacher...). Both the one assigning and the one assigned must cover the village, group,
school, class or child: nobody assigns outside their own area, and nobody is made
responsible for children their account cannot see.
"""

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Assignment, Child, School, SchoolClass, User
from api.models.vocabulary import AreaLevel, AssignmentKind, UserRole
from api.schemas.assignments import AssignmentCreate, AssignmentEnd, AssignmentOut, Person
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import actors, audit, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, Fault, Forbidden, InvalidInput
from api.settings import Settings

K, Role = AssignmentKind, UserRole
TEACHING = frozenset({Role.TEACHER, Role.PRINCIPAL})  # a rural principal teaches a class too
ASSIGNEES: dict[AssignmentKind, frozenset[UserRole]] = {
    K.VILLAGE: frozenset({Role.TOWNSHIP_OFFICER}),
    K.GROUP: frozenset({Role.VILLAGE_CADRE}),
    K.SCHOOL: frozenset({Role.PRINCIPAL}),
    K.CLASS: TEACHING,
    K.CHILD: TEACHING,
}
TARGET: dict[AssignmentKind, str] = {
    K.VILLAGE: "area_code",
    K.GROUP: "area_code",
    K.SCHOOL: "school_id",
    K.CLASS: "class_id",
    K.CHILD: "child_id",
}
_LEVEL = {K.VILLAGE: AreaLevel.VILLAGE, K.GROUP: AreaLevel.GROUP}
_TARGET_ZH = {"area_code": "区划", "school_id": "学校", "class_id": "班级", "child_id": "儿童"}


@dataclass(frozen=True)
class AssignmentFilter:
    kind: AssignmentKind | None = None
    user_id: uuid.UUID | None = None
    area: str | None = None
    school_id: uuid.UUID | None = None
    class_id: uuid.UUID | None = None
    child_id: uuid.UUID | None = None
    include_ended: bool = False


def of(kind: AssignmentKind, target: Any) -> ColumnElement[bool]:
    """The assignments of ``kind`` for ``target`` (a village's or group's code, a school's,
    class's or child's id, or a column holding one)."""
    return and_(col(Assignment.kind) == kind, getattr(Assignment, TARGET[kind]) == target)


def in_force(on: date) -> ColumnElement[bool]:
    """The assignments someone held on ``on``: begun by then and not yet ended (the day an
    assignment ends is its successor's first)."""
    return and_(
        col(Assignment.valid_from) <= on,
        or_(col(Assignment.valid_to).is_(None), col(Assignment.valid_to) > on),
    )


def person(user: User) -> Person:
    return Person.model_validate(user, from_attributes=True)


def _out(assignment: Assignment, user: User) -> AssignmentOut:
    return AssignmentOut.model_validate({**assignment.model_dump(), "person": person(user)})


def _visible_targets(
    kind: AssignmentKind, actor: Actor, settings: Settings
) -> tuple[Any, ColumnElement[bool]]:
    """The table of a school, class or child kind's targets, and those the actor covers."""
    if kind is K.SCHOOL:
        return School, scoping.schools(actor)
    if kind is K.CLASS:
        return SchoolClass, scoping.classes(actor)
    return Child, scoping.children(actor, settings=settings)


# Target ids bound in one statement: SQLite builds before 3.32 allow 999 parameters.
_TARGETS_A_QUERY = 900


async def covered(
    *,
    session: AsyncSession,
    settings: Settings,
    kind: AssignmentKind,
    targets: Mapping[Actor, Collection[Any]],
) -> set[Any]:
    """Those of each actor's targets that lie within what that actor covers: villages and
    groups by code, in memory; schools, classes and children in a query per few hundred."""
    if kind in _LEVEL:
        return {
            target
            for actor, of_actor in targets.items()
            for target in of_actor
            if not scoping.outside_areas(actor, [target])
        }
    found: set[Any] = set()
    batch: list[ColumnElement[bool]] = []
    bound = 0
    for index, (actor, of_actor) in enumerate(targets.items(), start=1):
        model, visible = _visible_targets(kind, actor, settings)
        batch.append(and_(col(model.id).in_(list(of_actor)), visible))
        bound += len(of_actor)
        if bound >= _TARGETS_A_QUERY or index == len(targets):
            found.update((await session.exec(select(model.id).where(or_(*batch)))).all())
            batch, bound = [], 0
    return found


async def covers(
    *, session: AsyncSession, actor: Actor, settings: Settings, kind: AssignmentKind, target: Any
) -> bool:
    """Whether the village, group, school, class or child lies within what ``actor`` covers."""
    return target in await covered(
        session=session, settings=settings, kind=kind, targets={actor: [target]}
    )


async def _target_faults(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    data: AssignmentCreate,
    target: Any,
) -> list[Fault]:
    field = TARGET[data.kind]
    faults: list[Fault] = [
        (other, f"{data.kind.value} 的分工不填{_TARGET_ZH[other]} (not for a {data.kind.value})")
        for other in _TARGET_ZH
        if other != field and getattr(data, other) is not None
    ]
    if target is None:
        return [*faults, (field, f"请填写{_TARGET_ZH[field]} (required for {data.kind.value})")]
    if data.kind in _LEVEL:
        level = (await session.exec(select(Area.level).where(col(Area.code) == target))).first()
        if level is not _LEVEL[data.kind]:
            wanted = "村" if data.kind is K.VILLAGE else "村民小组"
            return [*faults, (field, f"应为一个{wanted}的区划代码 (not a {data.kind.value} code)")]
    if not await covers(
        session=session, actor=actor, settings=settings, kind=data.kind, target=target
    ):
        faults.append((field, f"没有这个{_TARGET_ZH[field]}，或不在您的范围内 (not yours)"))
    return faults


async def _assignee(
    *, session: AsyncSession, settings: Settings, data: AssignmentCreate, target: Any
) -> tuple[User | None, list[Fault]]:
    assignee = await actors.load(session=session, user_id=data.user_id)
    if assignee is None:
        return None, [("user_id", "没有这个在用的账号 (no active account with this id)")]
    if assignee.role not in ASSIGNEES[data.kind]:
        roles = ", ".join(sorted(r.value for r in ASSIGNEES[data.kind]))
        return None, [
            ("user_id", f"这项分工只能交给 {roles} (a {data.kind.value} goes to {roles})")
        ]
    if target is not None and not await covers(
        session=session, actor=assignee, settings=settings, kind=data.kind, target=target
    ):
        return None, [
            ("user_id", "这个账号的范围不包括所分工的对象 (outside this account's scope)")
        ]
    user = await session.get(User, assignee.user_id)  # in the session already: no query
    return user, []


async def assign(
    *, session: AsyncSession, actor: Actor, settings: Settings, data: AssignmentCreate
) -> AssignmentOut:
    """Make the person responsible from ``valid_from``, ending whoever was until then (the
    same person again is a conflict naming the assignment they have)."""
    permissions.require(actor, Resource.ASSIGNMENT, Action.WRITE)
    today = school_age.local_today(settings)
    valid_from = data.valid_from or today
    field = TARGET[data.kind]
    target = getattr(data, field)
    faults = await _target_faults(
        session=session, actor=actor, settings=settings, data=data, target=target
    )
    user, user_faults = await _assignee(
        session=session, settings=settings, data=data, target=target
    )
    faults += user_faults
    if valid_from > today:
        faults.append(("valid_from", "开始日期不能晚于今天 (valid_from is in the future)"))
    if faults or user is None:
        raise InvalidInput.of(faults)
    current = (
        await session.exec(
            select(Assignment).where(of(data.kind, target), col(Assignment.valid_to).is_(None))
        )
    ).first()
    if current is not None and current.user_id == user.id:
        raise Conflict(
            "这位已在负责 (this person is responsible already)",
            existing_assignment_id=str(current.id),
        )
    if current is not None:
        if valid_from < current.valid_from:
            raise InvalidInput(
                "valid_from",
                f"不能早于现任的开始日期 {current.valid_from} (before the current one began)",
            )
        _end(session=session, actor=actor, assignment=current, valid_to=valid_from)
    assignment = Assignment(
        kind=data.kind,
        user_id=user.id,
        valid_from=valid_from,
        assigned_by_id=actor.user_id,
        **{field: target},
    )
    session.add(assignment)
    audit.created(session=session, actor=actor, new=assignment)
    await _commit(session)
    return _out(assignment, user)


def _end(*, session: AsyncSession, actor: Actor, assignment: Assignment, valid_to: date) -> None:
    before = audit.snapshot(assignment)
    assignment.valid_to = valid_to
    session.add(assignment)
    audit.updated(session=session, actor=actor, changed=assignment, before=before)


async def _commit(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError as exc:  # another assignment of the same object won the race
        await session.rollback()
        raise Conflict("这项分工刚被别人改过，请刷新 (changed meanwhile: reload)") from exc


async def _visible(
    *, session: AsyncSession, actor: Actor, settings: Settings, assignment_id: uuid.UUID
) -> Assignment:
    return await scoping.one(
        session=session,
        model=Assignment,
        object_id=assignment_id,
        visible=scoping.assignments(actor, settings=settings),
    )


async def _with_person(*, session: AsyncSession, assignment: Assignment) -> AssignmentOut:
    user = await session.get(User, assignment.user_id)
    assert user is not None  # a foreign key
    return _out(assignment, user)


async def get(
    *, session: AsyncSession, actor: Actor, settings: Settings, assignment_id: uuid.UUID
) -> AssignmentOut:
    permissions.require(actor, Resource.ASSIGNMENT, Action.READ)
    assignment = await _visible(
        session=session, actor=actor, settings=settings, assignment_id=assignment_id
    )
    return await _with_person(session=session, assignment=assignment)


async def end(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    assignment_id: uuid.UUID,
    data: AssignmentEnd,
) -> AssignmentOut:
    """End an assignment with nobody after it: the gap then shows in the chain."""
    permissions.require(actor, Resource.ASSIGNMENT, Action.WRITE)
    assignment = await _visible(
        session=session, actor=actor, settings=settings, assignment_id=assignment_id
    )
    target = getattr(assignment, TARGET[assignment.kind])
    if not await covers(
        session=session, actor=actor, settings=settings, kind=assignment.kind, target=target
    ):
        raise Forbidden("Only whoever covers its object may end this assignment.")
    if assignment.valid_to is not None:
        raise Conflict(f"这项分工已于 {assignment.valid_to} 结束 (already ended)")
    today = school_age.local_today(settings)
    valid_to = data.valid_to or today
    if valid_to > today or valid_to < assignment.valid_from:
        raise InvalidInput(
            "valid_to",
            f"结束日期应在 {assignment.valid_from} 与今天之间 (between valid_from and today)",
        )
    _end(session=session, actor=actor, assignment=assignment, valid_to=valid_to)
    await _commit(session)
    return await _with_person(session=session, assignment=assignment)


def _conditions(
    actor: Actor, settings: Settings, filters: AssignmentFilter
) -> list[ColumnElement[bool]]:
    where = [scoping.assignments(actor, settings=settings)]
    for name in ("kind", "user_id", "school_id", "class_id", "child_id"):
        if (wanted := getattr(filters, name)) is not None:
            where.append(getattr(Assignment, name) == wanted)
    if filters.area:
        where.append(scoping.in_area(Assignment.area_code, filters.area))
    if not filters.include_ended:
        where.append(col(Assignment.valid_to).is_(None))
    return where


async def search(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    filters: AssignmentFilter,
    limit: int,
    offset: int,
) -> tuple[list[AssignmentOut], int]:
    permissions.require(actor, Resource.ASSIGNMENT, Action.READ)
    where = _conditions(actor, settings, filters)
    total = (await session.exec(select(func.count()).select_from(Assignment).where(*where))).one()
    rows = await session.exec(
        select(Assignment, User)
        .join(User, col(User.id) == col(Assignment.user_id))
        .where(*where)
        .order_by(col(Assignment.valid_from).desc(), col(Assignment.id))
        .limit(limit)
        .offset(offset)
    )
    return [_out(assignment, user) for assignment, user in rows.all()], total
