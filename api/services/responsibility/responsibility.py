"""双线控辍: who answers for one child on each line, and who must act on them now.

Government line: the township (乡政府) → the township cadre covering the village (包村领导) →
the village cadre covering the group (包组) → the household → the guardian. School line: the
school → its principal (包校) → the teacher covering the child (教师包学生, or else the class's
head teacher) → the guardian. Each step is read from the assignments in force on a day; a step
nobody holds is a gap with its reason, never skipped.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from api.models import (
    Area,
    Assignment,
    Child,
    Enrolment,
    Guardian,
    Guardianship,
    Household,
    School,
    SchoolClass,
    User,
    UserScope,
)
from api.models.vocabulary import AreaLevel, AssignmentKind, SchoolingStatus, UserRole
from api.schemas.responsibility import (
    Duties,
    Duty,
    Responsibility,
    Step,
    StepKind,
    StepPerson,
    Tops,
    Unit,
    UnitKind,
)
from api.services.access import masking, permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit, school_age
from api.services.core.actors import Actor
from api.services.core.errors import InvalidInput
from api.services.registry import children
from api.services.responsibility import assignments
from api.settings import Settings

K = AssignmentKind

TITLES = {
    StepKind.VILLAGE_LEAD: "包村干部",
    StepKind.GROUP_CADRE: "包组干部",
    StepKind.HOUSEHOLD: "户主",
    StepKind.PRINCIPAL: "包校校长",
    StepKind.TEACHER: "包保教师",
    StepKind.GUARDIAN: "监护人",
}
# Who acts first on each line, then who is above them: the bottom of each ladder acts.
LADDERS = {
    "government": (StepKind.GROUP_CADRE, StepKind.VILLAGE_LEAD),
    "school": (StepKind.TEACHER, StepKind.PRINCIPAL),
}


@dataclass
class _Facts:
    """What one child's chain is read from, in a few queries."""

    child: Child
    household: Household
    areas: dict[AreaLevel, Area]
    enrolment: Enrolment | None
    school: School | None
    school_class: SchoolClass | None
    held: dict[tuple[AssignmentKind, str], tuple[Assignment, User]]
    guardian: tuple[Guardian, Guardianship] | None


def followed_registration(
    *, child_id: Any, settings: Settings, on: date
) -> SelectOfScalar[uuid.UUID]:
    """The id of the one registration the school line follows on ``on``: the child's latest
    of this school year or last up to that term, the latest made when a term has two (the
    double registration reconciliation flags). ``child_id`` may be a column, to correlate; an
    alias, so that it never correlates with an enrolment of the query around it."""
    followed = aliased(Enrolment)
    return (
        select(followed.id)
        .where(
            col(followed.child_id) == child_id,
            col(followed.term) >= scoping.recent_terms_floor(settings, on),
            col(followed.term) <= school_age.term_of(on, settings),
        )
        .order_by(col(followed.term).desc(), col(followed.created_at).desc())
        .limit(1)
    )


async def _facts(*, session: AsyncSession, settings: Settings, child: Child, on: date) -> _Facts:
    household = await session.get(Household, child.household_id)
    assert household is not None  # a foreign key
    code = child.area_code
    prefixes = {code[:n] for n in (6, 9, 12, 15) if len(code) >= n}
    found = (await session.exec(select(Area).where(col(Area.code).in_(prefixes)))).all()
    areas = {area.level: area for area in found}
    followed = followed_registration(child_id=child.id, settings=settings, on=on)
    registered = (
        await session.exec(
            select(Enrolment, School, SchoolClass)
            .join(School, col(School.id) == col(Enrolment.school_id))
            .outerjoin(SchoolClass, col(SchoolClass.id) == col(Enrolment.class_id))
            .where(col(Enrolment.id) == followed.scalar_subquery())
        )
    ).first()
    enrolment, school, school_class = registered or (None, None, None)
    targets = [assignments.of(K.CHILD, child.id)]
    for kind, level in ((K.VILLAGE, AreaLevel.VILLAGE), (K.GROUP, AreaLevel.GROUP)):
        if level in areas:
            targets.append(assignments.of(kind, areas[level].code))
    if school is not None:
        targets.append(assignments.of(K.SCHOOL, school.id))
    if school_class is not None:
        targets.append(assignments.of(K.CLASS, school_class.id))
    rows = await session.exec(
        select(Assignment, User)
        .join(User, col(User.id) == col(Assignment.user_id))
        .where(assignments.in_force(on), or_(*targets))
    )
    held = {
        (assignment.kind, str(getattr(assignment, assignments.TARGET[assignment.kind]))): (
            assignment,
            user,
        )
        for assignment, user in rows.all()
    }
    guardian = (
        await session.exec(
            select(Guardian, Guardianship)
            .join(Guardianship, col(Guardianship.guardian_id) == col(Guardian.id))
            .where(col(Guardianship.child_id) == child.id, col(Guardian.removed_at).is_(None))
            .order_by(col(Guardianship.is_primary).desc(), col(Guardian.name))
            .limit(1)
        )
    ).first()
    return _Facts(child, household, areas, enrolment, school, school_class, held, guardian)


def _area_unit(area: Area | None, kind: UnitKind) -> Unit | None:
    return Unit(kind=kind, code=area.code, name=area.name) if area is not None else None


def _assigned(
    facts: _Facts, step: StepKind, kind: AssignmentKind, target: object, unit: Unit | None
) -> Step | None:
    """The step held by whoever the assignment of ``target`` names, None when nobody."""
    found = facts.held.get((kind, str(target)))
    if found is None:
        return None
    assignment, user = found
    return Step(
        step=step,
        title=TITLES[step],
        unit=unit,
        person=StepPerson(
            user_id=user.id, name=user.display_name, role=user.role.value, phone=user.phone
        ),
        since=assignment.valid_from,
        assignment_id=assignment.id,
        via=kind.value if step is StepKind.TEACHER else None,
    )


def _gap(step: StepKind, unit: Unit | None, reason: str) -> Step:
    return Step(step=step, title=TITLES[step], unit=unit, person=None, gap=reason)


def _guardian(facts: _Facts, shown: masking.Disclosure) -> Step:
    if facts.guardian is None:
        return _gap(StepKind.GUARDIAN, None, "没有登记监护人 (no guardian registered)")
    guardian, link = facts.guardian
    return Step(
        step=StepKind.GUARDIAN,
        title=TITLES[StepKind.GUARDIAN],
        unit=None,
        person=StepPerson(
            user_id=None,
            name=guardian.name,
            role=link.relation.value,
            phone=shown.phone(guardian.phone),
        ),
    )


def _government(facts: _Facts, shown: masking.Disclosure) -> list[Step]:
    village = facts.areas.get(AreaLevel.VILLAGE)
    group = facts.areas.get(AreaLevel.GROUP)
    village_unit = _area_unit(village, UnitKind.VILLAGE)
    group_unit = _area_unit(group, UnitKind.GROUP)
    lead = (
        village is not None
        and _assigned(facts, StepKind.VILLAGE_LEAD, K.VILLAGE, village.code, village_unit)
    ) or _gap(
        StepKind.VILLAGE_LEAD, village_unit, "没有包村干部 (no township cadre covers the village)"
    )
    if group is None:
        cadre = _gap(
            StepKind.GROUP_CADRE,
            None,
            "住户只登记到村，未到村民小组 (the household is not placed in a village group)",
        )
    else:
        cadre = _assigned(facts, StepKind.GROUP_CADRE, K.GROUP, group.code, group_unit) or _gap(
            StepKind.GROUP_CADRE, group_unit, "没有包组干部 (no village cadre covers the group)"
        )
    household = facts.household
    head = Step(
        step=StepKind.HOUSEHOLD,
        title=TITLES[StepKind.HOUSEHOLD],
        unit=Unit(kind=UnitKind.HOUSEHOLD, id=household.id, name=household.address),
        person=StepPerson(
            user_id=None,
            name=household.head_name,
            role="household_head",
            phone=shown.phone(household.phone),
        ),
    )
    return [lead, cadre, head, _guardian(facts, shown)]


def _tops(facts: _Facts) -> Tops:
    school = facts.school
    return Tops(
        government=_area_unit(facts.areas.get(AreaLevel.TOWNSHIP), UnitKind.TOWNSHIP),
        school=Unit(kind=UnitKind.SCHOOL, id=school.id, name=school.name) if school else None,
    )


def _school(facts: _Facts, shown: masking.Disclosure, top: Unit | None) -> list[Step]:
    school, school_class = facts.school, facts.school_class
    if school is None:
        outside = facts.child.schooling_status is SchoolingStatus.ENROLLED_OUTSIDE_COUNTY
        principal = _gap(
            StepKind.PRINCIPAL,
            None,
            "县外就读，学籍在县外 (at school outside the county: its school line is there)"
            if outside
            else "近两学年没有学籍 (not registered at a school this year or last)",
        )
    else:
        principal = _assigned(facts, StepKind.PRINCIPAL, K.SCHOOL, school.id, top) or _gap(
            StepKind.PRINCIPAL, top, "学校没有包校校长 (no principal covers the school)"
        )
    class_unit = (
        Unit(kind=UnitKind.CLASS, id=school_class.id, name=school_class.name)
        if school_class is not None
        else None
    )
    child_unit = Unit(kind=UnitKind.CHILD, id=facts.child.id, name=facts.child.name)
    teacher = _assigned(facts, StepKind.TEACHER, K.CHILD, facts.child.id, child_unit)
    if teacher is None and school_class is not None:
        teacher = _assigned(facts, StepKind.TEACHER, K.CLASS, school_class.id, class_unit)
    if teacher is None:
        reason = (
            "班级没有班主任，也没有教师包保这名儿童 (the class has no head teacher, and no "
            "teacher covers the child)"
            if school_class is not None
            else "没有教师包保这名儿童 (no teacher covers the child)"
        )
        teacher = _gap(StepKind.TEACHER, class_unit or child_unit, reason)
    return [principal, teacher, _guardian(facts, shown)]


async def covering(
    *,
    session: AsyncSession,
    roles: frozenset[UserRole],
    area_code: str | None = None,
    school_id: uuid.UUID | None = None,
) -> list[User]:
    """The active accounts of ``roles`` that cover the area ``area_code`` (one of their areas
    encloses it: the data range scoping gives them) or the school ``school_id``: the township
    and the county bureau a case is reported up to, the receiving side of a case handed on.
    Unlike the chain, this is by coverage, not by assignment: a township's officers and the
    bureau's administrators each cover a whole area, nobody is assigned to it alone."""
    where: list[ColumnElement[bool]] = []
    if area_code is not None:
        where.append(col(UserScope.area_code).in_(scoping.enclosing(area_code)))
    if school_id is not None:
        where.append(col(UserScope.school_id) == school_id)
    if not where:
        return []
    found = await session.exec(
        select(User)
        .where(
            col(User.is_active),
            col(User.role).in_(roles),
            col(User.id).in_(select(UserScope.user_id).where(or_(*where))),
        )
        .order_by(col(User.role), col(User.display_name), col(User.id))
    )
    return list(found.all())


def user_of(step: Step | None) -> uuid.UUID | None:
    """The account standing at a step of a line, if anyone's does."""
    return step.person.user_id if step is not None and step.person is not None else None


def _duty(line: list[Step], ladder: tuple[StepKind, ...], above_all: Unit | None) -> Duty:
    held = {s.step: s for s in line if s.gap is None}
    filled = [held[kind] for kind in ladder if kind in held]
    acting = filled[0] if filled else None
    next_above = filled[1] if len(filled) > 1 else None
    return Duty(acting=acting, next_above=next_above, escalate_to=above_all)


def _answer(facts: _Facts, shown: masking.Disclosure, on: date) -> Responsibility:
    tops = _tops(facts)
    government, school = _government(facts, shown), _school(facts, shown, tops.school)
    # Above the government line's people is the township government; above the school
    # line's, the county's education bureau (教育局), which the school reports to.
    bureau = _area_unit(facts.areas.get(AreaLevel.COUNTY), UnitKind.COUNTY)
    return Responsibility(
        child_id=facts.child.id,
        child_name=facts.child.name,
        on=on,
        enrolment_term=facts.enrolment.term if facts.enrolment else None,
        tops=tops,
        government=government,
        school=school,
        gaps=sum(step.gap is not None for step in (*government, *school)),
        duties=Duties(
            government=_duty(government, LADDERS["government"], tops.government),
            school=_duty(school, LADDERS["school"], bureau),
        ),
    )


async def duties(
    *, session: AsyncSession, settings: Settings, child_id: uuid.UUID, on: date | None = None
) -> Duties:
    """Who must act on this child now on each line, and who is next above them: for the case
    workflow's deadlines and escalations, which have already checked who may ask."""
    child = await session.get(Child, child_id)
    if child is None:
        raise LookupError(f"no child {child_id}")
    on = on or school_age.local_today(settings)
    facts = await _facts(session=session, settings=settings, child=child, on=on)
    return _answer(facts, masking.MASKED, on).duties


async def chain(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    child_id: uuid.UUID,
    on: date | None = None,
) -> Responsibility:
    """Both lines for one child as they stood on ``on`` (today when left out). The family's
    phones are in full only for a role that reads personal data, and that read is audited."""
    permissions.require(actor, Resource.CHILD, Action.READ)
    permissions.require(actor, Resource.ASSIGNMENT, Action.READ)
    child = await children.visible_child(
        session=session, actor=actor, settings=settings, child_id=child_id
    )
    today = school_age.local_today(settings)
    if on is not None and on > today:
        raise InvalidInput("on", "日期不能晚于今天 (the day may not be in the future)")
    on = on or today
    full = permissions.allowed(actor, Resource.CHILD, Action.READ_PERSONAL)
    shown = masking.Disclosure(full=full)
    facts = await _facts(session=session, settings=settings, child=child, on=on)
    answer = _answer(facts, shown, on)
    if full:
        await audit.read_in_full(
            session=session,
            actor=actor,
            object_type="child",
            object_id=child.id,
            detail="responsibility chain",
        )
    return answer
