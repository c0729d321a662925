"""跟踪回访: the visits after a child's return, on the schedule made at the return
(case_deadlines.follow_ups), each due, done or missed. The first one done moves the case on to
following up; one finding the child gone again reopens it.
"""

import uuid
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Case, FollowUp
from api.models.base import CLOCK_SLACK, utcnow
from api.models.vocabulary import CaseAction as A
from api.models.vocabulary import CaseStatus as S
from api.models.vocabulary import FollowUpOutcome
from api.schemas.follow_ups import FollowUpIn, FollowUpOut, FollowUpState
from api.services.access import permissions
from api.services.access.permissions import Action, Resource
from api.services.cases import case_rules, cases
from api.services.core import audit, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput, NotFound
from api.settings import Settings


def state(follow_up: FollowUp, today: date) -> FollowUpState:
    if follow_up.done_at is not None:
        return FollowUpState.DONE
    return FollowUpState.MISSED if follow_up.due_on < today else FollowUpState.DUE


def _out(follow_up: FollowUp, today: date) -> FollowUpOut:
    return FollowUpOut.model_validate({**follow_up.model_dump(), "state": state(follow_up, today)})


async def search(
    *, session: AsyncSession, actor: Actor, settings: Settings, case_id: uuid.UUID
) -> list[FollowUpOut]:
    """The case's follow-ups, in the order they fall due."""
    permissions.require(actor, Resource.CASE, Action.READ)
    case = await cases.visible(session=session, actor=actor, settings=settings, case_id=case_id)
    today = school_age.local_today(settings)
    found = await session.exec(
        select(FollowUp).where(col(FollowUp.case_id) == case.id).order_by(col(FollowUp.number))
    )
    return [_out(f, today) for f in found.all()]


async def record(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    case_id: uuid.UUID,
    number: int,
    data: FollowUpIn,
) -> FollowUpOut:
    """Record follow-up ``number`` done. A visit may come before its day or after it (then
    it was missed on time, and is done late)."""
    case = await cases.workable(
        session=session,
        actor=actor,
        settings=settings,
        case_id=case_id,
        who=case_rules.TRANSITIONS[S.RETURNED, A.FOLLOW_UP].who,
        doing="follow up",
        statuses=frozenset({S.RETURNED, S.FOLLOWING_UP}),
        why="不在返校跟踪中 (not following up a return)",
    )
    follow_up = (
        await session.exec(
            select(FollowUp).where(col(FollowUp.case_id) == case.id, col(FollowUp.number) == number)
        )
    ).first()
    if follow_up is None:
        raise NotFound(f"个案没有第{number}次回访 (no follow-up {number} on this case)")
    if follow_up.done_at is not None:
        raise Conflict(
            f"第{number}次回访已于 {follow_up.done_at:%Y-%m-%d} 记录 (recorded already)",
            done_at=follow_up.done_at.isoformat(),
        )
    done_at = data.done_at or utcnow()
    if done_at > utcnow() + CLOCK_SLACK:
        raise InvalidInput("done_at", "回访时间晚于现在 (in the future)")
    if case.returned_at is not None and done_at < case.returned_at:
        raise InvalidInput("done_at", "回访时间早于返校时间 (before the return)")
    before = audit.snapshot(follow_up)
    follow_up.done_at, follow_up.done_by_id = done_at, actor.user_id
    follow_up.outcome, follow_up.note = data.outcome, data.note
    session.add(follow_up)
    audit.updated(session=session, actor=actor, changed=follow_up, before=before)
    move = _move(case, data.outcome)
    await cases.commit_moving(
        session=session,
        actor=actor,
        settings=settings,
        case=case,
        move=(move[0], f"第{number}次回访：{move[1]}") if move else None,
    )
    await session.refresh(follow_up)
    return _out(follow_up, school_age.local_today(settings))


def _move(case: Case, outcome: FollowUpOutcome) -> tuple[A, str] | None:
    """What a follow-up's finding does to the case: the first starts following up; a child
    gone again reopens it (the schedule's visits not yet made are dropped)."""
    if outcome is FollowUpOutcome.LEFT_AGAIN:
        return A.REOPEN, "再次离校 (left again)"
    if case.status is S.RETURNED:
        return A.FOLLOW_UP, "在校 (at school)"
    return None
