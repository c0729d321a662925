"""The gap report (双线控辍 空档): in an area, the villages, groups, schools and classes nobody
answers for today, and the children with nobody at all on a line, so the county can close them.

Set-based: each list is one query with a NOT EXISTS against the assignments in force, which
the partial unique indexes on (kind, target) answer; the children's two lines are counted in
one pass and listed a page at a time.
"""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Assignment, Child, Enrolment, School, SchoolClass
from api.models.vocabulary import AreaLevel, AssignmentKind, SchoolingStatus
from api.schemas.common import Page
from api.schemas.responsibility import ChildGap, GapCounts, GapReport, UnitGap, UnitKind
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import school_age
from api.services.core.actors import Actor
from api.services.responsibility import assignments, responsibility
from api.settings import Settings

K = AssignmentKind
# Nobody need answer for a child who has finished, died or left the country.
_SETTLED = (SchoolingStatus.COMPLETED, SchoolingStatus.DECEASED, SchoolingStatus.EMIGRATED)


def _held(kind: AssignmentKind, target: Any) -> ColumnElement[bool]:
    """Someone holds ``kind`` for ``target`` today (an assignment never starts in the future)."""
    return (
        select(Assignment.id)
        .where(assignments.of(kind, target), col(Assignment.valid_to).is_(None))
        .exists()
    )


def _areas(actor: Actor, within: str | None) -> ColumnElement[bool]:
    codes = scoping.narrowed(actor.area_codes, within)
    return or_(false(), *(scoping.in_area(Area.code, code) for code in codes))


def government_held() -> ColumnElement[bool]:
    """Someone answers for the child on the government line: its group's cadre or its
    village's lead (a village's code is the first twelve digits of its groups')."""
    return or_(
        _held(K.GROUP, col(Child.area_code)),
        _held(K.VILLAGE, func.substr(col(Child.area_code), 1, 12)),
    )


def school_held(*, settings: Settings, today: date) -> ColumnElement[bool]:
    """Someone answers for the child on the school line: a teacher covering the child, or on
    the child's latest registration (this school year or last) its class's head teacher or
    its school's principal."""
    followed = responsibility.followed_registration(
        child_id=col(Child.id), settings=settings, on=today
    ).correlate(Child)
    registered = (
        select(Enrolment.id)
        .where(
            col(Enrolment.id) == followed.scalar_subquery(),
            or_(_held(K.CLASS, col(Enrolment.class_id)), _held(K.SCHOOL, col(Enrolment.school_id))),
        )
        .correlate(Child)
        .exists()
    )
    return or_(_held(K.CHILD, col(Child.id)), registered)


async def report(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    area: str | None,
    limit: int,
    offset: int,
) -> GapReport:
    permissions.require(actor, Resource.ASSIGNMENT, Action.READ)
    today = school_age.local_today(settings)
    villages = await _area_gaps(session, actor, area, AreaLevel.VILLAGE, K.VILLAGE)
    groups = await _area_gaps(session, actor, area, AreaLevel.GROUP, K.GROUP)
    schools = await _school_gaps(session, actor, area)
    classes = await _class_gaps(session, actor, settings, area, today)
    children, without_government, without_school = await _child_gaps(
        session, actor, settings, area, today, limit, offset
    )
    return GapReport(
        area=area,
        counts=GapCounts(
            villages=len(villages),
            groups=len(groups),
            schools=len(schools),
            classes=len(classes),
            children_without_government=without_government,
            children_without_school=without_school,
        ),
        villages=villages,
        groups=groups,
        schools=schools,
        classes=classes,
        children=children,
    )


async def _area_gaps(
    session: AsyncSession,
    actor: Actor,
    area: str | None,
    level: AreaLevel,
    kind: AssignmentKind,
) -> list[UnitGap]:
    parent = aliased(Area)
    rows = await session.exec(
        select(Area.code, Area.name, parent.name)
        .join(parent, col(parent.code) == col(Area.parent_code))
        .where(col(Area.level) == level, _areas(actor, area), not_(_held(kind, col(Area.code))))
        .order_by(col(Area.code))
    )
    unit = UnitKind.VILLAGE if level is AreaLevel.VILLAGE else UnitKind.GROUP
    return [UnitGap(kind=unit, code=code, name=name, within=up) for code, name, up in rows.all()]


def _school_area(area: str | None) -> list[ColumnElement[bool]]:
    return [scoping.in_area(School.area_code, area)] if area else []


async def _school_gaps(session: AsyncSession, actor: Actor, area: str | None) -> list[UnitGap]:
    rows = await session.exec(
        select(School.id, School.name, School.area_code)
        .where(
            scoping.schools(actor),
            col(School.removed_at).is_(None),
            *_school_area(area),
            not_(_held(K.SCHOOL, col(School.id))),
        )
        .order_by(col(School.code))
    )
    return [
        UnitGap(kind=UnitKind.SCHOOL, id=school_id, name=name, code=code)
        for school_id, name, code in rows.all()
    ]


async def _class_gaps(
    session: AsyncSession, actor: Actor, settings: Settings, area: str | None, today: date
) -> list[UnitGap]:
    rows = await session.exec(
        select(SchoolClass.id, SchoolClass.name, School.name)
        .join(School, col(School.id) == col(SchoolClass.school_id))
        .where(
            scoping.classes(actor),
            col(SchoolClass.school_year) == school_age.school_year_of(today, settings),
            col(School.removed_at).is_(None),
            *_school_area(area),
            not_(_held(K.CLASS, col(SchoolClass.id))),
        )
        .order_by(col(School.code), col(SchoolClass.grade), col(SchoolClass.number))
    )
    return [
        UnitGap(kind=UnitKind.CLASS, id=class_id, name=name, within=school)
        for class_id, name, school in rows.all()
    ]


async def _child_gaps(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    area: str | None,
    today: date,
    limit: int,
    offset: int,
) -> tuple[Page[ChildGap], int, int]:
    no_government = not_(government_held())
    # A child at school outside the county has its school line there, not in this report.
    no_school = and_(
        col(Child.schooling_status) != SchoolingStatus.ENROLLED_OUTSIDE_COUNTY,
        not_(school_held(settings=settings, today=today)),
    )
    where = [
        scoping.children(actor, settings=settings, today=today, within=area),
        col(Child.removed_at).is_(None),
        col(Child.schooling_status).not_in(_SETTLED),
        *([scoping.in_area(Child.area_code, area)] if area else []),
    ]
    # Each child's two lines worked out once (OFFSET 0 keeps the database from copying the
    # subqueries into the outer filter), then counted and paged in the same pass.
    flagged = (
        sa_select(
            col(Child.id).label("id"),
            col(Child.name).label("name"),
            col(Child.area_code).label("area_code"),
            col(Child.name_pinyin).label("name_pinyin"),
            no_government.label("no_government"),
            no_school.label("no_school"),
        )
        .where(*where)
        .offset(0)
        .subquery()
    )
    lacking = or_(flagged.c.no_government, flagged.c.no_school)
    tallies = (
        func.count().over(),
        func.sum(case((flagged.c.no_government, 1), else_=0)).over(),
        func.sum(case((flagged.c.no_school, 1), else_=0)).over(),
    )
    connection = await session.connection()
    rows = (
        await connection.execute(
            sa_select(
                flagged.c.id,
                flagged.c.name,
                flagged.c.area_code,
                flagged.c.no_government,
                flagged.c.no_school,
                *tallies,
            )
            .where(lacking)
            .order_by(flagged.c.area_code, flagged.c.name_pinyin, flagged.c.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    if rows:
        total, without_government, without_school = rows[0][5], rows[0][6], rows[0][7]
    else:  # a page past the end carries no tallies: counted alone
        counted = await connection.execute(
            sa_select(*(tally.element for tally in tallies)).where(lacking)
        )
        tally_row = counted.one()
        total, without_government, without_school = tally_row[0], tally_row[1], tally_row[2]
    items = [
        ChildGap(
            id=child_id,
            name=name,
            area_code=code,
            lines_missing=[line for line, lacks in (("government", gov), ("school", sch)) if lacks],
        )
        for child_id, name, code, gov, sch, *_ in rows
    ]
    page = Page[ChildGap](items=items, total=total, limit=limit, offset=offset)
    return page, int(without_government or 0), int(without_school or 0)
