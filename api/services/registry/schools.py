"""Schools and their classes, as far as the caller's scope reaches."""

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Assignment, School, SchoolClass, User
from api.models.vocabulary import AssignmentKind, SchoolKind
from api.schemas.assignments import Person
from api.schemas.schools import SchoolClassOut, SchoolDetail, SchoolOut
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import text_search
from api.services.core.actors import Actor
from api.settings import Settings


@dataclass(frozen=True)
class SchoolFilter:
    area: str | None = None
    kind: SchoolKind | None = None
    q: str | None = None  # name or school code


def _conditions(
    actor: Actor, settings: Settings, filters: SchoolFilter
) -> list[ColumnElement[bool]]:
    visible = scoping.schools_attended(actor, settings=settings)
    conditions = [visible, col(School.removed_at).is_(None)]
    if filters.area:
        conditions.append(scoping.in_area(School.area_code, filters.area))
    if filters.kind:
        conditions.append(col(School.kind) == filters.kind)
    if filters.q and filters.q.strip():
        q = filters.q.strip()
        conditions.append(
            or_(text_search.contains(School.name, q), text_search.starts_with(School.code, q))
        )
    return conditions


async def search(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    filters: SchoolFilter,
    limit: int,
    offset: int,
) -> tuple[list[SchoolOut], int]:
    permissions.require(actor, Resource.SCHOOL, Action.READ)
    conditions = _conditions(actor, settings, filters)
    total = (await session.exec(select(func.count()).select_from(School).where(*conditions))).one()
    rows = await session.exec(
        select(School)
        .where(*conditions)
        .order_by(col(School.area_code), col(School.code))
        .limit(limit)
        .offset(offset)
    )
    return [SchoolOut.model_validate(s, from_attributes=True) for s in rows.all()], total


async def get(
    *, session: AsyncSession, actor: Actor, settings: Settings, school_id: uuid.UUID
) -> SchoolDetail:
    permissions.require(actor, Resource.SCHOOL, Action.READ)
    school = await scoping.one(
        session=session,
        model=School,
        object_id=school_id,
        visible=scoping.schools_attended(actor, settings=settings),
    )
    return await detail(session=session, actor=actor, school=school)


async def detail(*, session: AsyncSession, actor: Actor, school: School) -> SchoolDetail:
    classes = (
        await session.exec(
            select(SchoolClass)
            .where(col(SchoolClass.school_id) == school.id, scoping.classes(actor))
            .order_by(
                col(SchoolClass.school_year).desc(),
                col(SchoolClass.grade),
                col(SchoolClass.number),
            )
        )
    ).all()
    heads = await _head_teachers(session=session, class_ids=[c.id for c in classes])
    return SchoolDetail.model_validate(
        {
            **school.model_dump(),
            "classes": [
                SchoolClassOut.model_validate({**c.model_dump(), "head_teacher": heads.get(c.id)})
                for c in classes
            ],
        }
    )


async def _head_teachers(
    *, session: AsyncSession, class_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Person]:
    """班主任: the teacher now assigned to each of these classes (those with one). Read here,
    where the class is shown, rather than from the responsibility group above the registry."""
    rows = await session.exec(
        select(Assignment.class_id, User)
        .join(User, col(User.id) == col(Assignment.user_id))
        .where(
            col(Assignment.kind) == AssignmentKind.CLASS,
            col(Assignment.class_id).in_(class_ids),
            col(Assignment.valid_to).is_(None),
        )
    )
    return {
        class_id: Person.model_validate(user, from_attributes=True)
        for class_id, user in rows.all()
        if class_id is not None
    }
