"""考核: per responsible person and per unit they answer for, the children covered, their open
cases, the deadlines missed, and the children returned and still at school.

Set-based: the children each current assignment covers are one UNION ALL (a village's and a
group's by residence, a school's and a class's by the registration the school line follows,
a child's itself), joined once to the cases and counted per assignment or per person, for a
page of assignments or people at a time.
"""

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, or_, union_all
from sqlalchemy import case as when
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Assignment, Case, Child, Enrolment, School, SchoolClass, User
from api.models.base import utcnow
from api.models.vocabulary import AssignmentKind, SchoolingStatus
from api.schemas.common import Page
from api.schemas.responsibility import Figures, PersonFigures, Unit, UnitFigures, UnitKind
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.cases import case_deadlines, case_rules
from api.services.core import bulk, school_age
from api.services.core.actors import Actor
from api.services.responsibility import assignments, responsibility
from api.settings import Settings

K = AssignmentKind
# Nobody answers any longer for a child who has finished, died or left the country.
_SETTLED = (SchoolingStatus.COMPLETED, SchoolingStatus.DECEASED, SchoolingStatus.EMIGRATED)
_IN_CHUNK = 900


def _current(actor: Actor, settings: Settings, area: str | None) -> list[ColumnElement[bool]]:
    """The assignments in force that the actor sees, within ``area`` when one is asked."""
    where = [col(Assignment.valid_to).is_(None), scoping.assignments(actor, settings=settings)]
    if area:
        schools = select(School.id).where(scoping.in_area(School.area_code, area))
        where.append(
            or_(
                scoping.in_area(Assignment.area_code, area),
                col(Assignment.school_id).in_(schools),
                col(Assignment.class_id).in_(
                    select(SchoolClass.id).where(col(SchoolClass.school_id).in_(schools))
                ),
                col(Assignment.child_id).in_(
                    select(Child.id).where(scoping.in_area(Child.area_code, area))
                ),
            )
        )
    return where


def _covered(
    settings: Settings, today: date, assignment_ids: Sequence[uuid.UUID]
) -> Any:  # a subquery of (assignment_id, child_id)
    """The children each of these assignments covers today."""
    live = (col(Child.removed_at).is_(None), col(Child.schooling_status).not_in(_SETTLED))
    held = col(Assignment.id).in_(assignment_ids)
    followed = responsibility.followed_registration(
        child_id=col(Child.id), settings=settings, on=today
    ).correlate(Child)

    def by_residence(kind: AssignmentKind, place: Any) -> Select[*tuple[Any, ...]]:
        return (
            sa_select(col(Assignment.id).label("assignment_id"), col(Child.id).label("child_id"))
            .join(Child, place == col(Assignment.area_code))
            .where(held, col(Assignment.kind) == kind, *live)
        )

    def by_registration(kind: AssignmentKind, column: Any, target: Any) -> Select[*tuple[Any, ...]]:
        return (
            sa_select(col(Assignment.id), col(Child.id))
            .join(Enrolment, column == target)
            .join(Child, col(Child.id) == col(Enrolment.child_id))
            .where(
                held,
                col(Assignment.kind) == kind,
                col(Enrolment.id) == followed.scalar_subquery(),
                *live,
            )
        )

    return union_all(
        by_residence(K.VILLAGE, func.substr(col(Child.area_code), 1, 12)),
        by_residence(K.GROUP, col(Child.area_code)),
        by_registration(K.SCHOOL, col(Enrolment.school_id), col(Assignment.school_id)),
        by_registration(K.CLASS, col(Enrolment.class_id), col(Assignment.class_id)),
        sa_select(col(Assignment.id), col(Assignment.child_id))
        .join(Child, col(Child.id) == col(Assignment.child_id))
        .where(held, col(Assignment.kind) == K.CHILD, *live),
    ).subquery()


async def _figures(
    session: AsyncSession,
    settings: Settings,
    assignment_ids: Sequence[uuid.UUID],
    *,
    per_person: bool,
) -> dict[uuid.UUID, Figures]:
    """Figures per assignment, or per person over their assignments (each child and case
    counted once), in one query."""
    today = school_age.local_today(settings)
    covered = _covered(settings, today, assignment_ids)
    now = utcnow()

    def cases_where(condition: ColumnElement[bool]) -> Any:
        return func.count(distinct(when((condition, col(Case.id)))))

    key: Any = covered.c.assignment_id
    statement = sa_select(key, func.count(distinct(covered.c.child_id))).select_from(covered)
    if per_person:
        key = col(Assignment.user_id)
        statement = sa_select(key, func.count(distinct(covered.c.child_id))).select_from(
            covered.join(Assignment, col(Assignment.id) == covered.c.assignment_id)
        )
    statement = (
        statement.add_columns(
            cases_where(col(Case.status).in_(case_rules.OPEN)),
            cases_where(case_deadlines.missed(now)),
            cases_where(col(Case.returned_at).is_not(None)),
            cases_where(col(Case.status).in_(case_rules.STAYING)),
        )
        .outerjoin(Case, col(Case.child_id) == covered.c.child_id)
        .group_by(key)
    )
    rows = (await (await session.connection()).execute(statement)).all()
    return {
        row[0]: Figures(
            children_covered=row[1],
            open_cases=row[2],
            deadlines_missed=row[3],
            returned=row[4],
            still_in_school=row[5],
        )
        for row in rows
    }


_NONE = Figures(children_covered=0, open_cases=0, deadlines_missed=0, returned=0,
                still_in_school=0)  # fmt: skip


async def units(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    area: str | None,
    kind: AssignmentKind | None,
    limit: int,
    offset: int,
) -> Page[UnitFigures]:
    """Each village, group, school, class and child someone answers for, with its figures."""
    permissions.require(actor, Resource.ASSIGNMENT, Action.READ)
    where = _current(actor, settings, area)
    if kind is not None:
        where.append(col(Assignment.kind) == kind)
    total = (await session.exec(select(func.count()).select_from(Assignment).where(*where))).one()
    page = (
        await session.exec(
            select(Assignment, User)
            .join(User, col(User.id) == col(Assignment.user_id))
            .where(*where)
            .order_by(
                col(Assignment.kind),
                col(Assignment.area_code),
                col(Assignment.school_id),
                col(Assignment.class_id),
                col(Assignment.child_id),
            )
            .limit(limit)
            .offset(offset)
        )
    ).all()
    figures = await _figures(session, settings, [a.id for a, _ in page], per_person=False)
    names = await _unit_names(session, [a for a, _ in page])
    items = [
        UnitFigures(
            kind=a.kind,
            unit=names[a.id],
            person=assignments.person(user),
            since=a.valid_from,
            figures=figures.get(a.id, _NONE),
        )
        for a, user in page
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def people(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    area: str | None,
    limit: int,
    offset: int,
) -> Page[PersonFigures]:
    """Each person answering for something in the area, with the figures of all of it."""
    permissions.require(actor, Resource.ASSIGNMENT, Action.READ)
    where = _current(actor, settings, area)
    holders = (
        select(col(Assignment.user_id), func.count().label("held"))
        .where(*where)
        .group_by(col(Assignment.user_id))
        .subquery()
    )
    total = (await session.exec(select(func.count()).select_from(holders))).one()
    page = (
        await session.exec(
            select(User, holders.c.held)
            .join(holders, holders.c.user_id == col(User.id))
            .order_by(col(User.display_name), col(User.id))
            .limit(limit)
            .offset(offset)
        )
    ).all()
    ids = (
        await session.exec(
            select(Assignment.id).where(
                *where, col(Assignment.user_id).in_([user.id for user, _ in page])
            )
        )
    ).all()
    figures = await _figures(session, settings, list(ids), per_person=True)
    items = [
        PersonFigures(
            person=assignments.person(user), assignments=held, figures=figures.get(user.id, _NONE)
        )
        for user, held in page
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def _unit_names(session: AsyncSession, page: list[Assignment]) -> dict[uuid.UUID, Unit]:
    """Each assignment's unit, named: a query a kind of unit for the page."""
    named: dict[Any, str] = {}
    for model, key, ids in (
        (Area, Area.code, {a.area_code for a in page if a.area_code}),
        (School, School.id, {a.school_id for a in page if a.school_id}),
        (SchoolClass, SchoolClass.id, {a.class_id for a in page if a.class_id}),
        (Child, Child.id, {a.child_id for a in page if a.child_id}),
    ):
        for chunk in bulk.chunks(sorted(ids, key=str), _IN_CHUNK):
            statement = sa_select(col(key), col(model.name)).where(col(key).in_(chunk))
            found = await (await session.connection()).execute(statement)
            named |= {target: name for target, name in found.all()}
    kinds = {K.VILLAGE: UnitKind.VILLAGE, K.GROUP: UnitKind.GROUP, K.SCHOOL: UnitKind.SCHOOL,
             K.CLASS: UnitKind.CLASS, K.CHILD: UnitKind.CHILD}  # fmt: skip
    units: dict[uuid.UUID, Unit] = {}
    for a in page:
        target = getattr(a, assignments.TARGET[a.kind])
        is_area = a.kind in (K.VILLAGE, K.GROUP)
        units[a.id] = Unit(
            kind=kinds[a.kind],
            code=target if is_area else None,
            id=None if is_area else target,
            name=named.get(target, ""),
        )
    return units
