"""Dropout cases (个案): opened for a child noticed out of school, moved through the lifecycle
of case_rules, each step stored with who, when, why and on what evidence."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Assignment,
    Attachment,
    Case,
    CaseTransfer,
    CaseTransition,
    Child,
    Enrolment,
    FollowUp,
    ReturnPlan,
)
from api.models.base import CLOCK_SLACK, utcnow
from api.models.vocabulary import (
    AssignmentKind,
    CaseAction,
    CaseSource,
    CaseStatus,
    DropoutReason,
    UserRole,
)
from api.schemas.cases import (
    CaseCreate,
    CaseDetail,
    CaseMoved,
    CaseOut,
    CaseTransitionCreate,
    CaseTransitionOut,
    Deadline,
    Deadlines,
    LedgerKind,
    TransferOut,
)
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.cases import case_deadlines, case_notices, case_rules, escalations
from api.services.core import audit, records, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, Forbidden, InvalidInput
from api.services.core.id_lists import among
from api.services.integrations import webhooks
from api.services.registry import children
from api.services.responsibility import assignments, responsibility
from api.settings import Settings

K = AssignmentKind


@dataclass(frozen=True)
class CaseFilter:
    status: CaseStatus | None = None
    area: str | None = None
    school_id: uuid.UUID | None = None
    reason: DropoutReason | None = None
    source: CaseSource | None = None
    overdue: bool | None = None
    open: bool | None = None
    ledger: LedgerKind | None = None
    mine: bool | None = None


# The statuses on each ledger; a dismissed or closed case is on neither (动态销号).
LEDGERS = {
    LedgerKind.SUSPECTED: frozenset({CaseStatus.REPORTED}),
    LedgerKind.CONFIRMED: case_rules.OPEN - {CaseStatus.REPORTED},
}


def _out(case: Case, child_name: str, actor: Actor, now: datetime) -> CaseOut:
    moot = case.status is CaseStatus.DISMISSED
    school_due = case.school_due_at
    return CaseOut.model_validate(
        {
            **case.model_dump(),
            "child_name": child_name,
            "deadlines": Deadlines(
                school=Deadline(
                    due_at=school_due,
                    met_at=case.reported_at,
                    state=case_deadlines.state(
                        due_at=school_due, met_at=case.reported_at, now=now, moot=moot
                    ),
                ),
                county=Deadline(
                    due_at=case.county_due_at,
                    met_at=case.county_reported_at,
                    state=case_deadlines.state(
                        due_at=case.county_due_at,
                        met_at=case.county_reported_at,
                        now=now,
                        moot=moot,
                    ),
                ),
            ),
            "allowed_actions": case_rules.actions_for(case.status, actor.role),
        }
    )


async def _detail(*, session: AsyncSession, actor: Actor, case: Case) -> CaseDetail:
    child = await session.get(Child, case.child_id)
    assert child is not None  # a foreign key
    steps = await session.exec(
        select(CaseTransition)
        .where(col(CaseTransition.case_id) == case.id)
        .order_by(col(CaseTransition.at), col(CaseTransition.id))
    )
    return CaseDetail(
        **_out(case, child.name, actor, utcnow()).model_dump(),
        transitions=[CaseTransitionOut.model_validate(t, from_attributes=True) for t in steps],
        escalations=await escalations.of_case(session, case.id),
        transfers=[
            TransferOut.model_validate(t, from_attributes=True)
            for t in (
                await session.exec(
                    select(CaseTransfer)
                    .where(col(CaseTransfer.case_id) == case.id)
                    .order_by(col(CaseTransfer.requested_at))
                )
            ).all()
        ],
    )


# Opening -----------------------------------------------------------------------------------


async def add(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    child: Child,
    data: CaseCreate,
) -> Case:
    """Open a case for ``child`` in the session's transaction (the caller commits); a child
    with one open already is a conflict naming it."""
    existing = (
        await session.exec(
            select(Case.id).where(
                col(Case.child_id) == child.id, col(Case.status).in_(case_rules.OPEN)
            )
        )
    ).first()
    if existing is not None:
        raise Conflict(
            "这名儿童已有未结的个案 (this child has an open case already)",
            existing_case_id=str(existing),
        )
    opened = await open_many(session=session, actor=actor, settings=settings, openings=[data])
    return opened[0]


async def open_many(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    openings: list[CaseCreate],
) -> list[Case]:
    """Open a case for each of these children that has none open, in the session's transaction
    (the caller commits; the one-open-case index holds against a race): the school and class
    of the registration the school line follows, and the deadlines fixed from ``noticed_at``;
    a reason implausible for a child's age then (case_rules) is refused, nothing opened. One
    query for the children's open cases and registrations, whatever their number."""
    now = utcnow()
    for data in openings:
        if data.noticed_at is not None and data.noticed_at > now + CLOCK_SLACK:
            raise InvalidInput("noticed_at", "发现时间晚于现在 (noticed in the future)")
        if data.source is CaseSource.TEACHER_REPORT and data.days_absent is None:
            raise InvalidInput(
                "days_absent", "教师报告须填写缺课天数 (a teacher's report counts days)"
            )
    if not openings:
        return []
    ids = list({data.child_id for data in openings})
    followed = responsibility.followed_registration(
        child_id=col(Child.id), settings=settings, on=school_age.local_today(settings)
    ).correlate(Child)
    has_open = (
        select(Case.id)
        .where(col(Case.child_id) == col(Child.id), col(Case.status).in_(case_rules.OPEN))
        .correlate(Child)
        .exists()
    )
    # Each child's birth date, open case (if any) and registration, in one statement.
    found = await (await session.connection()).execute(
        sa_select(
            col(Child.id),
            col(Child.birth_date),
            col(Enrolment.school_id),
            col(Enrolment.class_id),
            col(Enrolment.grade),
            has_open,
        )
        .outerjoin(Enrolment, col(Enrolment.id) == followed.scalar_subquery())
        .where(among(session, Child.id, ids))
    )
    registered: dict[uuid.UUID, tuple[uuid.UUID | None, uuid.UUID | None, int | None]] = {}
    open_already: set[uuid.UUID] = set()
    born: dict[uuid.UUID, date] = {}
    for child_id, birth_date, *registration, is_open in found.all():
        born[child_id] = birth_date
        registered[child_id] = tuple(registration)  # type: ignore[assignment]
        if is_open:
            open_already.add(child_id)
    for data in openings:  # before anything is added: an implausible reason stores nothing
        if data.child_id in born and (
            fault := case_rules.implausible_reason(
                data.reason,
                born=born[data.child_id],
                noticed_at=data.noticed_at or now,
                settings=settings,
            )
        ):
            raise InvalidInput("reason", fault)
    opened: list[Case] = []
    for data in openings:
        if data.child_id in open_already:
            continue
        open_already.add(data.child_id)
        noticed_at = data.noticed_at or now
        school_due, county_due = case_deadlines.due(noticed_at)
        school_id, class_id, grade = registered.get(data.child_id, (None, None, None))
        case = Case(
            **data.model_dump(exclude={"id", "noticed_at"}),
            id=data.id or uuid.uuid4(),
            status=CaseStatus.REPORTED,
            reported_by_id=actor.user_id,
            noticed_at=noticed_at,
            reported_at=now,
            school_due_at=school_due,
            county_due_at=county_due,
            school_id=school_id,
            class_id=class_id,
            grade=grade,
        )
        session.add(case)
        session.add(
            CaseTransition(
                case_id=case.id,
                action=CaseAction.REPORT,
                to_status=CaseStatus.REPORTED,
                actor_id=actor.user_id,
                at=now,
                note=data.reason_note,
            )
        )
        opened.append(case)
    await webhooks.cases_opened(session=session, cases=opened)
    return opened


async def create(
    *, session: AsyncSession, actor: Actor, settings: Settings, data: CaseCreate
) -> CaseDetail:
    permissions.require(actor, Resource.CASE, Action.WRITE)
    if data.source not in (CaseSource.TEACHER_REPORT, CaseSource.MANUAL):
        raise InvalidInput(
            "source", "扫户和比对的个案由其自身开立 (sweeps and reconciliation open their own)"
        )
    if data.id is not None and await session.get(Case, data.id) is not None:
        raise Conflict(
            "这个个案编号已被使用 (this case id is taken)", existing_case_id=str(data.id)
        )
    child = await children.visible_child(
        session=session, actor=actor, settings=settings, child_id=data.child_id
    )
    case = await add(session=session, actor=actor, settings=settings, child=child, data=data)
    audit.created(session=session, actor=actor, new=case)
    if case.days_absent is not None:
        await escalations.absence(session=session, settings=settings, case=case, name=child.name)
    try:
        await session.commit()
    except IntegrityError as exc:  # another report of the same child won the race
        await session.rollback()
        raise Conflict("这名儿童刚被他人报告 (reported by someone else just now)") from exc
    return await _detail(session=session, actor=actor, case=case)


# Reading -----------------------------------------------------------------------------------


async def visible(
    *, session: AsyncSession, actor: Actor, settings: Settings, case_id: uuid.UUID
) -> Case:
    return await scoping.one(
        session=session,
        model=Case,
        object_id=case_id,
        visible=scoping.cases(actor, settings=settings),
    )


async def workable(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    case_id: uuid.UUID,
    who: frozenset[UserRole],
    doing: str,
    statuses: frozenset[CaseStatus],
    why: str,
) -> Case:
    """The case, for one of ``who`` to work on (``doing``) while in one of ``statuses``: not
    found when unseen, forbidden to another role, a conflict (``why``) in another status."""
    permissions.require(actor, Resource.CASE, Action.WRITE)
    case = await visible(session=session, actor=actor, settings=settings, case_id=case_id)
    if actor.role not in who:
        raise Forbidden(f"Only {', '.join(sorted(r.value for r in who))} {doing}.")
    if case.status not in statuses:
        raise Conflict(f"个案处于 {case.status.value}，{why}", case_status=case.status.value)
    return case


async def get(
    *, session: AsyncSession, actor: Actor, settings: Settings, case_id: uuid.UUID
) -> CaseDetail:
    permissions.require(actor, Resource.CASE, Action.READ)
    case = await visible(session=session, actor=actor, settings=settings, case_id=case_id)
    return await _detail(session=session, actor=actor, case=case)


def conditions(
    actor: Actor, settings: Settings, filters: CaseFilter, now: datetime
) -> list[ColumnElement[bool]]:
    """The cases the actor may see that pass ``filters`` (a join to the child is assumed)."""
    where = [scoping.cases(actor, settings=settings)]
    if filters.ledger is not None:
        where.append(col(Case.status).in_(LEDGERS[filters.ledger]))
    if filters.status is not None:
        where.append(col(Case.status) == filters.status)
    if filters.school_id is not None:
        where.append(col(Case.school_id) == filters.school_id)
    if filters.reason is not None:
        where.append(col(Case.reason) == filters.reason)
    if filters.source is not None:
        where.append(col(Case.source) == filters.source)
    if filters.area:
        where.append(scoping.in_area(Child.area_code, filters.area))
    if filters.open is not None:
        is_open = col(Case.status).in_(case_rules.OPEN)
        where.append(is_open if filters.open else ~is_open)
    if filters.overdue is not None:
        is_overdue = case_deadlines.overdue(now)
        where.append(is_overdue if filters.overdue else ~is_overdue)
    if filters.mine is not None:
        is_mine = answered_for_by(actor.user_id, settings, school_age.local_today(settings))
        where.append(is_mine if filters.mine else ~is_mine)
    return where


def answered_for_by(user_id: uuid.UUID, settings: Settings, today: date) -> ColumnElement[bool]:
    """The cases ``user_id`` answers for (a join to the child is assumed): named on the case's
    current return plan on either line, or assigned today (responsibility's chain) to the
    child's village (包村) or group (包组), to the school or class of the registration the
    school line follows, to the case's own school or class (where it was opened or handed
    to), or to the child (教师包学生). EXISTS subqueries, never NULL, so that it negates."""
    held = and_(col(Assignment.user_id) == user_id, assignments.in_force(today))
    assigned = (
        select(Assignment.id)
        .where(
            held,
            or_(
                assignments.of(K.VILLAGE, func.substr(col(Child.area_code), 1, 12)),
                assignments.of(K.GROUP, col(Child.area_code)),
                assignments.of(K.SCHOOL, col(Case.school_id)),
                assignments.of(K.CLASS, col(Case.class_id)),
                assignments.of(K.CHILD, col(Case.child_id)),
            ),
        )
        .exists()
    )
    registration = aliased(Enrolment)
    followed = responsibility.followed_registration(
        child_id=registration.child_id, settings=settings, on=today
    ).scalar_subquery()
    registered = (
        select(registration.id)
        .join(
            Assignment,
            or_(
                assignments.of(K.SCHOOL, registration.school_id),
                assignments.of(K.CLASS, registration.class_id),
            ),
        )
        .where(
            col(registration.child_id) == col(Case.child_id),
            col(registration.id) == followed,
            held,
        )
        .exists()
    )
    plan, newer = aliased(ReturnPlan), aliased(ReturnPlan)
    named = (
        select(plan.id)
        .where(
            col(plan.case_id) == col(Case.id),
            or_(col(plan.government_person_id) == user_id, col(plan.school_person_id) == user_id),
            ~select(newer.id)
            .where(col(newer.case_id) == col(plan.case_id), col(newer.version) > col(plan.version))
            .exists(),
        )
        .exists()
    )
    return or_(assigned, registered, named)


async def search(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    filters: CaseFilter,
    limit: int,
    offset: int,
) -> tuple[list[CaseOut], int]:
    """The dropout ledger as a list, the cases noticed most recently first."""
    permissions.require(actor, Resource.CASE, Action.READ)
    now = utcnow()
    where = conditions(actor, settings, filters, now)
    joined = col(Child.id) == col(Case.child_id)
    total = (
        await session.exec(select(func.count()).select_from(Case).join(Child, joined).where(*where))
    ).one()
    rows = await session.exec(
        select(Case, Child.name)
        .join(Child, joined)
        .where(*where)
        .order_by(col(Case.noticed_at).desc(), col(Case.id))
        .limit(limit)
        .offset(offset)
    )
    return [_out(case, name, actor, now) for case, name in rows.all()], total


# Moving along ------------------------------------------------------------------------------


async def transition(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    case_id: uuid.UUID,
    data: CaseTransitionCreate,
    expected_version: int | None,
) -> CaseMoved:
    """Apply ``data.action`` if the table allows it from the case's status, to the actor's
    role, and with what it needs; the step is stored with the change, which is audited. A
    report up tells the township and the county bureau in the same transaction, and the
    answer says whom (case_notices)."""
    permissions.require(actor, Resource.CASE, Action.WRITE)
    case = await visible(session=session, actor=actor, settings=settings, case_id=case_id)
    move = case_rules.TRANSITIONS.get((case.status, data.action))
    if move is None:
        raise Conflict(
            f"个案处于 {case.status.value}，不能 {data.action.value} "
            f"(not allowed from {case.status.value})",
            case_status=case.status.value,
            allowed=[a.value for a in case_rules.actions_from(case.status)],
        )
    if actor.role not in move.who:
        raise Forbidden(
            f"Only {', '.join(sorted(r.value for r in move.who))} may {data.action.value} a case.",
        )
    await _check_needs(session=session, case=case, data=data, needs=move.needs)
    changes = _changes(case=case, data=data, to=move.to)
    await _follow_ups(session=session, settings=settings, case=case, action=data.action)
    session.add(
        CaseTransition(
            case_id=case.id,
            action=data.action,
            from_status=case.status,
            to_status=move.to,
            actor_id=actor.user_id,
            at=utcnow(),
            note=data.note,
            evidence_id=data.evidence_id,
        )
    )
    await webhooks.case_moved(
        session=session,
        case=case,
        action=data.action.value,
        from_status=case.status.value,
        to_status=move.to.value,
    )
    notified = (
        await case_notices.reported_up(session=session, actor=actor, case=case)
        if data.action is CaseAction.REPORT_UPWARD
        else []
    )
    await records.update_versioned(
        session=session,
        actor=actor,
        record=case,
        changes=changes,
        expected_version=expected_version,
    )
    detail = await _detail(session=session, actor=actor, case=case)
    return CaseMoved(**detail.model_dump(), notified=notified)


async def commit_moving(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    case: Case,
    move: tuple[CaseAction, str] | None,
) -> None:
    """Commit the work done on ``case`` in the session; with ``move`` (an action and its
    note), the case moves on by it in the same commit."""
    if move is None:
        await session.commit()
        return
    action, note = move
    await transition(
        session=session,
        actor=actor,
        settings=settings,
        case_id=case.id,
        data=CaseTransitionCreate(action=action, note=note),
        expected_version=None,
    )


async def _follow_ups(
    *, session: AsyncSession, settings: Settings, case: Case, action: CaseAction
) -> None:
    """A return schedules the follow-up visits; a child gone again makes those not yet done
    moot (a new return schedules its own)."""
    if action is CaseAction.REOPEN:
        await session.exec(
            delete(FollowUp).where(
                col(FollowUp.case_id) == case.id, col(FollowUp.done_at).is_(None)
            )
        )
    if action is not CaseAction.RETURN:
        return
    held = await session.exec(
        select(func.coalesce(func.max(FollowUp.number), 0)).where(col(FollowUp.case_id) == case.id)
    )
    after = held.one()
    returned_on = school_age.local_today(settings)
    session.add_all(
        FollowUp(case_id=case.id, number=after + n, due_on=day)
        for n, day in enumerate(case_deadlines.follow_ups(returned_on, settings), start=1)
    )


async def _has_plan(session: AsyncSession, case_id: uuid.UUID) -> bool:
    found = await session.exec(
        select(ReturnPlan.id).where(col(ReturnPlan.case_id) == case_id).limit(1)
    )
    return found.first() is not None


async def _check_needs(
    *,
    session: AsyncSession,
    case: Case,
    data: CaseTransitionCreate,
    needs: frozenset[case_rules.Needs],
) -> None:
    """Refuse the action unless what the rule table says it needs is there."""
    if data.evidence_id is not None and await session.get(Attachment, data.evidence_id) is None:
        raise InvalidInput("evidence_id", "没有这个附件 (no such attachment)")
    if case_rules.Needs.SAVED_PLAN in needs and not await _has_plan(session, case.id):
        raise Conflict(
            "请先制定一人一案 (PUT /cases/{id}/plan: saving the plan moves the case on)",
            case_status=case.status.value,
        )
    if case_rules.Needs.DISMISSAL_REASON in needs and data.dismissal_reason is None:
        raise InvalidInput("dismissal_reason", "请选择排除的理由 (say why it is no dropout)")
    if case_rules.Needs.NOT_REPORTED_UP in needs and case.county_reported_at is not None:
        raise Conflict(
            f"已于 {case.county_reported_at:%Y-%m-%d} 上报 (reported up already)",
            county_reported_at=case.county_reported_at.isoformat(),
        )


def _changes(*, case: Case, data: CaseTransitionCreate, to: CaseStatus) -> dict[str, object]:
    """What the action writes on the case."""
    changes: dict[str, object] = {"status": to}
    if data.action is CaseAction.DISMISS:
        changes["dismissal_reason"] = data.dismissal_reason
    if data.action is CaseAction.REOPEN:
        changes["reopened"] = case.reopened + 1  # returned_at stays: it did return once
    if (stamp := case_rules.STAMPS.get(data.action)) is not None:
        changes[stamp] = utcnow()
    return changes
