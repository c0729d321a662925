"""Enrolments (学籍) per term: registering a pupil, transfers (籍随人走), double registrations.

A registration keeps its own copy of the pupil's name, sex, birth date and ID number, as the
student-status system does; reconciliation compares them with the population side.
"""

import re
import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, Enrolment, School, SchoolClass
from api.models.vocabulary import AuditAction, EnrolmentStatus
from api.schemas.enrolments import (
    ChildTransferCreate,
    DoubleEnrolment,
    EnrolmentCreate,
    EnrolmentOut,
)
from api.services.access import masking, permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, Fault, Forbidden, InvalidInput
from api.services.registry import children, id_number
from api.settings import Settings

_TEMPORARY_OR_OWN = re.compile(r"^[LJ][0-9A-Z]{1,29}$")


def student_number_faults(number: str, *, child_id_number: str | None) -> list[Fault]:
    """G + the ID number; L a temporary number; J for a pupil with no usable ID number."""
    field = "student_number"
    if number.startswith("G"):
        try:
            facts = id_number.parse(number[1:])
        except id_number.InvalidIdNumber as exc:
            return [(field, f"G字头学籍号应为G加身份证号码：{exc}")]
        if child_id_number and facts.number != child_id_number:
            return [
                (field, "学籍号中的身份证号码与儿童的不一致 (differs from the child's ID number)")
            ]
        return []
    if _TEMPORARY_OR_OWN.fullmatch(number):
        return []
    return [(field, "学籍号应以G、L或J开头 (must start with G, L or J)")]


async def _other_schools(
    *, session: AsyncSession, child_id: uuid.UUID, term: str, except_school: uuid.UUID
) -> list[uuid.UUID]:
    rows = await session.exec(
        select(Enrolment.school_id).where(
            col(Enrolment.child_id) == child_id,
            col(Enrolment.term) == term,
            col(Enrolment.status) == EnrolmentStatus.ENROLLED,
            col(Enrolment.school_id) != except_school,
        )
    )
    return sorted(set(rows.all()))


def _out(
    enrolment: Enrolment, also: list[uuid.UUID], shown: masking.Disclosure | None = None
) -> EnrolmentOut:
    """``shown`` masks a G student number (G and the ID number) in a list; a writer's own
    answer keeps it whole."""
    number = enrolment.student_number
    return EnrolmentOut.model_validate(
        {
            **enrolment.model_dump(),
            "also_enrolled_at": also,
            "student_number": shown.student_number(number) if shown else number,
        }
    )


async def _class_faults(
    *, session: AsyncSession, school: School, class_id: uuid.UUID | None, term: str, grade: int
) -> list[Fault]:
    faults: list[Fault] = []
    if not school.grade_from <= grade <= school.grade_to:
        faults.append(
            ("grade", f"本校只设{school.grade_from}至{school.grade_to}年级 (not taught here)")
        )
    if class_id is not None:
        klass = await session.get(SchoolClass, class_id)
        if klass is None or klass.school_id != school.id:
            faults.append(("class_id", "本校没有这个班 (no such class at this school)"))
        elif klass.grade != grade or f"{klass.school_year}-" != term[:5]:
            faults.append(("class_id", "班级的年级或学年与学籍不符 (grade or year differ)"))
    return faults


async def create(
    *, session: AsyncSession, actor: Actor, settings: Settings, data: EnrolmentCreate
) -> EnrolmentOut:
    permissions.require(actor, Resource.ROSTER, Action.WRITE)
    term = data.term or school_age.term_of(school_age.local_today(settings), settings)
    child = (
        await session.exec(
            select(Child).where(
                col(Child.id) == data.child_id,
                col(Child.removed_at).is_(None),
                scoping.children(actor, settings=settings),
            )
        )
    ).first()
    school = (
        await session.exec(
            select(School).where(col(School.id) == data.school_id, scoping.schools(actor))
        )
    ).first()
    faults: list[Fault] = []
    if child is None:
        faults.append(("child_id", "在你的范围内没有这名儿童 (no such child within your scope)"))
    if school is None:
        faults.append(("school_id", "不是你负责的学校 (not a school of yours)"))
    if school is not None:
        faults += await _class_faults(
            session=session, school=school, class_id=data.class_id, term=term, grade=data.grade
        )
    if child is not None:
        faults += student_number_faults(data.student_number, child_id_number=child.id_number)
    if faults:
        raise InvalidInput.of(faults)
    assert child is not None
    assert school is not None
    same = await _enrolled(session=session, child_id=child.id, term=term, school_id=school.id)
    if same is not None:
        raise Conflict(
            "本学期已在本校注册 (already enrolled here this term)",
            existing_enrolment_id=str(same.id),
        )
    enrolment = Enrolment(
        child_id=child.id,
        school_id=school.id,
        class_id=data.class_id,
        term=term,
        grade=data.grade,
        student_number=data.student_number,
        name=child.name,
        sex=child.sex,
        birth_date=child.birth_date,
        id_number=child.id_number,
        entry_date=data.entry_date,
    )
    session.add(enrolment)
    audit.created(session=session, actor=actor, new=enrolment)
    await session.commit()
    also = await _other_schools(
        session=session, child_id=child.id, term=term, except_school=school.id
    )
    return _out(enrolment, also)


async def _enrolled(
    *, session: AsyncSession, child_id: uuid.UUID, term: str, school_id: uuid.UUID | None = None
) -> Enrolment | None:
    query = select(Enrolment).where(
        col(Enrolment.child_id) == child_id,
        col(Enrolment.term) == term,
        col(Enrolment.status) == EnrolmentStatus.ENROLLED,
    )
    if school_id is not None:
        query = query.where(col(Enrolment.school_id) == school_id)
    return (await session.exec(query.order_by(col(Enrolment.created_at).desc()))).first()


async def transfer(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    child_id: uuid.UUID,
    data: ChildTransferCreate,
) -> EnrolmentOut:
    """Move this term's registration to another school; the old one is kept, marked out."""
    permissions.require(actor, Resource.ROSTER, Action.WRITE)
    today = school_age.local_today(settings)
    term = school_age.term_of(today, settings)
    child = await children.visible_child(
        session=session, actor=actor, settings=settings, child_id=child_id
    )
    current = await _enrolled(session=session, child_id=child.id, term=term)
    if current is None:
        raise Conflict("本学期没有在籍记录，无法转学 (not enrolled this term: nothing to transfer)")
    if current.school_id == data.to_school_id:
        raise InvalidInput("to_school_id", "转入学校与现学校相同 (the same school)")
    destination = await session.get(School, data.to_school_id)
    if destination is None or destination.removed_at is not None:
        raise InvalidInput("to_school_id", "没有这所学校 (no such school)")
    ours = await session.exec(
        select(School.id).where(
            col(School.id).in_([current.school_id, destination.id]), scoping.schools(actor)
        )
    )
    if not ours.first():
        raise Forbidden(
            "只有转出或转入学校、或教育局可以办理转学 (only either school or the bureau)"
        )
    grade = data.grade or current.grade
    if faults := await _class_faults(
        session=session, school=destination, class_id=data.to_class_id, term=term, grade=grade
    ):
        raise InvalidInput.of(faults)
    before = audit.snapshot(current)
    current.status = EnrolmentStatus.TRANSFERRED_OUT
    session.add(current)
    moved = Enrolment(
        **{
            **current.model_dump(exclude={"id", "created_at", "updated_at", "status"}),
            "school_id": destination.id,
            "class_id": data.to_class_id,
            "grade": grade,
            "entry_date": data.transfer_date or today,
        }
    )
    session.add(moved)
    changes: dict[str, Any] = audit.diff(before, audit.snapshot(current))
    audit.record(
        session=session,
        action=AuditAction.UPDATE,
        actor=actor,
        object_type="enrolment",
        object_id=current.id,
        changes={**changes, "evidence": {"before": None, "after": data.evidence}},
    )
    audit.created(session=session, actor=actor, new=moved)
    await session.commit()
    return _out(moved, [])


async def search(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    term: str | None,
    school_id: uuid.UUID | None,
    grade: int | None,
    limit: int,
    offset: int,
) -> tuple[list[EnrolmentOut], int]:
    permissions.require(actor, Resource.CHILD, Action.READ)
    term = term or school_age.term_of(school_age.local_today(settings), settings)
    where = [scoping.enrolments(actor, settings=settings), col(Enrolment.term) == term]
    if school_id is not None:
        where.append(col(Enrolment.school_id) == school_id)
    if grade is not None:
        where.append(col(Enrolment.grade) == grade)
    total = (await session.exec(select(func.count()).select_from(Enrolment).where(*where))).one()
    rows = await session.exec(
        select(Enrolment)
        .where(*where)
        .order_by(
            col(Enrolment.grade), col(Enrolment.class_id), col(Enrolment.name), col(Enrolment.id)
        )
        .limit(limit)
        .offset(offset)
    )
    return [_out(e, [], masking.MASKED) for e in rows.all()], total


async def doubles(
    *, session: AsyncSession, actor: Actor, settings: Settings, term: str | None, limit: int
) -> list[DoubleEnrolment]:
    """Children registered at two schools or more for one term: one GROUP BY, not a loop."""
    permissions.require(actor, Resource.CHILD, Action.READ)
    term = term or school_age.term_of(school_age.local_today(settings), settings)
    live = [
        col(Enrolment.term) == term,
        col(Enrolment.status) == EnrolmentStatus.ENROLLED,
        col(Enrolment.child_id).is_not(None),
    ]
    doubled = (
        select(Enrolment.child_id)
        .where(*live)
        .group_by(col(Enrolment.child_id))
        .having(func.count(func.distinct(Enrolment.school_id)) > 1)
    )
    rows = (
        await session.exec(
            select(Enrolment)
            .where(
                *live,
                col(Enrolment.child_id).in_(doubled),
                # Every school's row of a child the caller may see, so both schools show.
                col(Enrolment.child_id).in_(
                    select(Enrolment.child_id).where(
                        *live, scoping.enrolments(actor, settings=settings)
                    )
                ),
            )
            .order_by(col(Enrolment.child_id), col(Enrolment.created_at))
        )
    ).all()
    grouped: dict[uuid.UUID, list[Enrolment]] = {}
    for row in rows:
        assert row.child_id is not None
        grouped.setdefault(row.child_id, []).append(row)
    return [
        DoubleEnrolment(
            child_id=child_id,
            term=term,
            enrolment_ids=[e.id for e in found],
            school_ids=sorted({e.school_id for e in found}),
        )
        for child_id, found in list(grouped.items())[:limit]
    ]
