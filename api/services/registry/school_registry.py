"""Registering schools and their classes (county administrators)."""

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import School, SchoolClass
from api.models.vocabulary import AreaLevel, SchoolKind
from api.schemas.schools import (
    SchoolClassCreate,
    SchoolClassOut,
    SchoolCreate,
    SchoolDetail,
    SchoolUpdate,
)
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit, labels, records
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, Fault, InvalidInput
from api.services.registry import area_rules
from api.services.registry.schools import detail

# The grades each kind of school may teach (a teaching point is a small primary school).
GRADES: dict[SchoolKind, tuple[int, int]] = {
    SchoolKind.PRIMARY: (1, 6),
    SchoolKind.TEACHING_POINT: (1, 6),
    SchoolKind.JUNIOR_MIDDLE: (7, 9),
    SchoolKind.NINE_YEAR: (1, 9),
    SchoolKind.SPECIAL_EDUCATION: (1, 9),
}
_PLACES = {AreaLevel.TOWNSHIP, AreaLevel.VILLAGE}


def _grade_faults(kind: SchoolKind, grade_from: int, grade_to: int) -> list[Fault]:
    low, high = GRADES[kind]
    if grade_from > grade_to:
        return [("grade_to", "最高年级不能低于最低年级 (grade_to is below grade_from)")]
    if grade_from < low or grade_to > high:
        return [
            (
                "grade_from" if grade_from < low else "grade_to",
                f"{kind.value} 只设{low}至{high}年级 (a {kind.value} teaches grades {low}-{high})",
            )
        ]
    return []


async def _area_faults(*, session: AsyncSession, actor: Actor, code: str) -> list[Fault]:
    return await area_rules.placement_faults(
        session=session,
        actor=actor,
        code=code,
        levels=_PLACES,
        wrong_level="学校应登记在乡镇或村 (a school stands in a township or village)",
    )


async def create(*, session: AsyncSession, actor: Actor, data: SchoolCreate) -> SchoolDetail:
    permissions.require(actor, Resource.SCHOOL, Action.WRITE)
    faults = [
        *await _area_faults(session=session, actor=actor, code=data.area_code),
        *_grade_faults(data.kind, data.grade_from, data.grade_to),
    ]
    if faults:
        raise InvalidInput.of(faults)
    taken = (await session.exec(select(School.id).where(col(School.code) == data.code))).first()
    if taken is not None:
        raise Conflict(
            "这个学校标识码已登记 (this school code is registered)", existing_school_id=str(taken)
        )
    school = School(**data.model_dump())
    session.add(school)
    audit.created(session=session, actor=actor, new=school)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("这个学校标识码刚被登记 (this school code was just registered)") from exc
    return await detail(session=session, actor=actor, school=school)


async def _own_school(*, session: AsyncSession, actor: Actor, school_id: uuid.UUID) -> School:
    return await scoping.one(
        session=session, model=School, object_id=school_id, visible=scoping.schools(actor)
    )


async def update(
    *,
    session: AsyncSession,
    actor: Actor,
    school_id: uuid.UUID,
    data: SchoolUpdate,
    expected_version: int | None,
) -> SchoolDetail:
    permissions.require(actor, Resource.SCHOOL, Action.WRITE)
    school = await _own_school(session=session, actor=actor, school_id=school_id)
    records.check_version(school, expected_version)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    faults = records.blanked(changes, {"name", "grade_from", "grade_to"})
    merged = {**school.model_dump(), **changes}
    if merged["grade_from"] is not None and merged["grade_to"] is not None:
        faults += _grade_faults(school.kind, merged["grade_from"], merged["grade_to"])
    if faults:
        raise InvalidInput.of(faults)
    await records.update_versioned(
        session=session,
        actor=actor,
        record=school,
        changes=changes,
        expected_version=expected_version,
    )
    return await detail(session=session, actor=actor, school=school)


async def add_class(
    *, session: AsyncSession, actor: Actor, school_id: uuid.UUID, data: SchoolClassCreate
) -> SchoolClassOut:
    permissions.require(actor, Resource.SCHOOL, Action.WRITE)
    school = await _own_school(session=session, actor=actor, school_id=school_id)
    if not school.grade_from <= data.grade <= school.grade_to:
        raise InvalidInput(
            "grade",
            f"本校只设{school.grade_from}至{school.grade_to}年级 "
            f"(this school teaches grades {school.grade_from}-{school.grade_to})",
        )
    klass = SchoolClass(
        school_id=school.id,
        school_year=data.school_year,
        grade=data.grade,
        number=data.number,
        name=data.name or f"{labels.grade(data.grade)}{data.number}班",
    )
    exists = (
        await session.exec(
            select(SchoolClass.id).where(
                col(SchoolClass.school_id) == school.id,
                col(SchoolClass.school_year) == data.school_year,
                col(SchoolClass.grade) == data.grade,
                col(SchoolClass.number) == data.number,
            )
        )
    ).first()
    if exists is not None:
        raise Conflict("这个班已存在 (this class exists)", existing_class_id=str(exists))
    session.add(klass)
    audit.created(session=session, actor=actor, new=klass)
    await session.commit()
    return SchoolClassOut.model_validate(klass, from_attributes=True)
