"""一人一案: a case's return plan: a person answering for the return on each line, the ways
of persuading, the day the child is to be back, and the support measures, which start from
the seeds' template for the reason the child left. A plan is changed by saving a new version;
the first one moves a verified case on to planned.
"""

import uuid
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Case, ReturnPlan, User
from api.models.vocabulary import AssignmentKind, UserRole
from api.models.vocabulary import CaseAction as A
from api.models.vocabulary import CaseStatus as S
from api.schemas.assignments import Person
from api.schemas.return_plans import PlanMeasure, PlanTemplate, ReturnPlanIn, ReturnPlanOut
from api.services.access import permissions
from api.services.access.permissions import Action, Resource
from api.services.cases import case_rules, cases, plan_templates
from api.services.core import actors, audit, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Fault, InvalidInput, PreconditionFailed
from api.services.responsibility import assignments, responsibility
from api.settings import Settings

# A plan is made once the case is verified and changed until the child is back.
EDITABLE = frozenset({S.VERIFIED, S.PLANNED, S.PERSUADING})
LINES: dict[str, frozenset[UserRole]] = {
    "government_person_id": frozenset({UserRole.TOWNSHIP_OFFICER, UserRole.VILLAGE_CADRE}),
    "school_person_id": frozenset({UserRole.PRINCIPAL, UserRole.TEACHER}),
}
LONGEST = timedelta(days=366)  # a target beyond a year is no plan


def templates() -> list[PlanTemplate]:
    return plan_templates.all_templates()


async def get(
    *, session: AsyncSession, actor: Actor, settings: Settings, case_id: uuid.UUID
) -> ReturnPlanOut:
    """The case's plan as it stands; before one is saved, a draft pre-filled from both lines
    and the template for the case's reason (version 0)."""
    permissions.require(actor, Resource.CASE, Action.READ)
    case = await cases.visible(session=session, actor=actor, settings=settings, case_id=case_id)
    plan = await _latest(session, case.id)
    if plan is not None:
        return (await _outs(session, [plan]))[0]
    persons = await _persons_now(session, settings, case)
    people = await _people(session, [p for p in persons.values() if p])
    return ReturnPlanOut(
        case_id=case.id,
        version=0,
        government_person=_of(people, persons["government_person_id"]),
        school_person=_of(people, persons["school_person_id"]),
        methods=[],
        target_return_on=None,
        schedule=None,
        measures=plan_templates.for_reason(case.reason),
        note=None,
        created_by_id=None,
        created_at=None,
    )


async def versions(
    *, session: AsyncSession, actor: Actor, settings: Settings, case_id: uuid.UUID
) -> list[ReturnPlanOut]:
    """Every version saved, the first first."""
    permissions.require(actor, Resource.CASE, Action.READ)
    case = await cases.visible(session=session, actor=actor, settings=settings, case_id=case_id)
    plans = await session.exec(
        select(ReturnPlan)
        .where(col(ReturnPlan.case_id) == case.id)
        .order_by(col(ReturnPlan.version))
    )
    return await _outs(session, list(plans.all()))


async def put(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    case_id: uuid.UUID,
    data: ReturnPlanIn,
    expected_version: int | None,
) -> ReturnPlanOut:
    """Save the plan as its next version (If-Match: the version it was read at)."""
    case = await cases.workable(
        session=session,
        actor=actor,
        settings=settings,
        case_id=case_id,
        who=case_rules.TRANSITIONS[S.VERIFIED, A.PLAN].who,
        doing="make return plans",
        statuses=EDITABLE,
        why="不能制定或修改一人一案 (a plan is made once verified, until the child is back)",
    )
    latest = await _latest(session, case.id)
    held = latest.version if latest else 0
    if expected_version is not None and expected_version != held:
        raise PreconditionFailed("方案刚被他人修改，请刷新后再改 (changed meanwhile: reload)")
    chosen = {"government_person_id": data.government_person_id,
              "school_person_id": data.school_person_id}  # fmt: skip
    if None in chosen.values():
        now = await _persons_now(session, settings, case)
        chosen = {field: person or now[field] for field, person in chosen.items()}
    faults = await _faults(session, settings, case, data, chosen)
    if faults:
        raise InvalidInput.of(faults)
    measures = (
        data.measures if data.measures is not None else plan_templates.for_reason(case.reason)
    )
    plan = ReturnPlan(
        case_id=case.id,
        version=held + 1,
        government_person_id=chosen["government_person_id"],
        school_person_id=chosen["school_person_id"],
        methods=[method.value for method in data.methods],
        target_return_on=data.target_return_on,
        schedule=data.schedule,
        measures=[m.model_dump(mode="json", exclude={"label"}) for m in measures],
        note=data.note,
        created_by_id=actor.user_id,
    )
    session.add(plan)
    audit.created(session=session, actor=actor, new=plan)
    first = (A.PLAN, "制定一人一案 (return plan made)")  # the case moves on with it
    try:
        await cases.commit_moving(session=session, actor=actor, settings=settings, case=case,
                                  move=first if case.status is S.VERIFIED else None)  # fmt: skip
    except IntegrityError as exc:  # another version saved at the same moment
        await session.rollback()
        raise PreconditionFailed("方案刚被他人修改，请刷新后再改 (changed meanwhile)") from exc
    return (await _outs(session, [plan]))[0]


async def _latest(session: AsyncSession, case_id: uuid.UUID) -> ReturnPlan | None:
    found = await session.exec(
        select(ReturnPlan)
        .where(col(ReturnPlan.case_id) == case_id)
        .order_by(col(ReturnPlan.version).desc())
        .limit(1)
    )
    return found.first()


async def _persons_now(
    session: AsyncSession, settings: Settings, case: Case
) -> dict[str, uuid.UUID | None]:
    """Who each line names for the child today: the plan's persons when none are chosen."""
    duties = await responsibility.duties(session=session, settings=settings, child_id=case.child_id)
    acting = {"government_person_id": duties.government.acting,
              "school_person_id": duties.school.acting}  # fmt: skip
    return {field: responsibility.user_of(step) for field, step in acting.items()}


async def _faults(
    session: AsyncSession,
    settings: Settings,
    case: Case,
    data: ReturnPlanIn,
    chosen: dict[str, uuid.UUID | None],
) -> list[Fault]:
    faults: list[Fault] = []
    ids = [person for person in chosen.values() if person]
    found = await actors.load_many(session=session, user_ids=ids)
    for field, person in chosen.items():
        who = found.get(person) if person else None
        if person is None:
            faults.append((field, "这条线上没有人包保这名儿童，请指定责任人 (name someone)"))
        elif who is None or who.role not in LINES[field]:
            roles = ", ".join(sorted(r.value for r in LINES[field]))
            faults.append((field, f"须为在职的 {roles} (an active {roles})"))
        elif not await assignments.covers(
            session=session,
            actor=who,
            settings=settings,
            kind=AssignmentKind.CHILD,
            target=case.child_id,
        ):
            faults.append((field, "此人的范围不含这名儿童 (the child is outside their scope)"))
    noticed = school_age.local_date(case.noticed_at, settings)
    if data.target_return_on < noticed:
        faults.append(("target_return_on", "返校日期不能早于发现辍学的日期 (before noticed)"))
    if data.target_return_on > school_age.local_today(settings) + LONGEST:
        faults.append(("target_return_on", "返校日期须在一年之内 (within a year)"))
    kinds = [m.measure for m in data.measures or []]
    if len(kinds) != len(set(kinds)):
        faults.append(("measures", "同一项帮扶措施写了两次 (a measure twice)"))
    if len(data.methods) != len(set(data.methods)):
        faults.append(("methods", "同一种劝返方式写了两次 (a method twice)"))
    return faults


async def _people(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, Person]:
    users = await session.exec(select(User).where(col(User.id).in_(ids)))
    return {user.id: assignments.person(user) for user in users.all()}


def _of(people: dict[uuid.UUID, Person], person: uuid.UUID | None) -> Person | None:
    return people.get(person) if person else None


async def _outs(session: AsyncSession, plans: list[ReturnPlan]) -> list[ReturnPlanOut]:
    people = await _people(
        session,
        [p for plan in plans for p in (plan.government_person_id, plan.school_person_id) if p],
    )
    return [
        ReturnPlanOut.model_validate(
            {
                **plan.model_dump(),
                "government_person": _of(people, plan.government_person_id),
                "school_person": _of(people, plan.school_person_id),
                "measures": [
                    plan_templates.measure(PlanMeasure.model_validate(m).measure, m.get("detail"))
                    for m in plan.measures
                ],
            }
        )
        for plan in plans
    ]
