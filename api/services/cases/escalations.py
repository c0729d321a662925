"""The deadline scan: who must act now, and who above them when they have not.

A case whose 不过周 deadline passed without the report to the county bureau is escalated on
both lines: the person who must act is told it is overdue, and the next person above them
(the responsibility chain's ``duties``) is told it was escalated to them; with nobody above,
the line's top unit is recorded. Each deadline and line is escalated once (a unique key), and
each notification sent once. Cases whose deadline falls within a day, and follow-up visits
falling due, tell the person who must act.

The scan runs in the app every ``escalation_interval_minutes``, or when asked (a county's own
scheduler calls ``POST /escalations/run``). The chain is looked up per case: overdue cases
are few, and a scan is no request anyone waits on.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Case, CaseEscalation, Child, FollowUp, ReturnPlan
from api.models.base import utcnow
from api.models.vocabulary import AuditAction, CaseLine, CaseStatus, DeadlineLevel, NotificationKind
from api.schemas.notifications import EscalationOut, EscalationRun
from api.schemas.responsibility import Duty
from api.services.access import permissions
from api.services.access.permissions import Action, Resource
from api.services.cases import case_deadlines, case_rules
from api.services.core import audit, school_age
from api.services.core.actors import Actor
from api.services.core.id_lists import among
from api.services.integrations import notifications, webhooks
from api.services.responsibility import responsibility
from api.services.responsibility.responsibility import user_of
from api.settings import Settings

NEAR = timedelta(hours=24)
# A school's rule on absence (docs/domain.md): 1 day, the teacher reports; 2 days, a home
# visit with the village committee; 3 days or more, the dropout report up the school line.
HOME_VISIT_AFTER, DROPOUT_REPORT_AFTER = 2, 3
# The deadline escalated: 不过周 (不过夜 is met when a case is entered).
COUNTY = DeadlineLevel.COUNTY


async def run(
    *,
    session: AsyncSession,
    settings: Settings,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> EscalationRun:
    """One scan, in one transaction."""
    if actor is not None:
        permissions.require(actor, Resource.ESCALATION, Action.WRITE)
    now = now or utcnow()
    notes: list[dict[str, Any]] = []
    raised: list[dict[str, Any]] = []
    overdue = (
        await session.exec(
            select(Case, Child.name)
            .join(Child, col(Child.id) == col(Case.child_id))
            .where(case_deadlines.overdue(now))
        )
    ).all()
    escalated = {
        (case_id, line)
        for case_id, line in (
            await session.exec(
                select(CaseEscalation.case_id, CaseEscalation.line).where(
                    among(session, CaseEscalation.case_id, [case.id for case, _ in overdue]),
                    col(CaseEscalation.deadline) == COUNTY,
                )
            )
        ).all()
    }
    newly_overdue: list[Case] = []
    for case, name in overdue:
        if not any(key[0] == case.id for key in escalated):
            newly_overdue.append(case)  # told once, when first found past 不过周
        due = school_age.local_minute(case.county_due_at, settings)
        duties = await responsibility.duties(
            session=session, settings=settings, child_id=case.child_id
        )
        for line, duty in (
            (CaseLine.GOVERNMENT, duties.government),
            (CaseLine.SCHOOL, duties.school),
        ):
            acting, above = (
                user_of(duty.acting),
                user_of(duty.next_above),
            )
            if acting is not None:
                notes.append(
                    _note(acting, NotificationKind.OVERDUE, case, name, f"overdue:{COUNTY}", due)
                )
            if (case.id, line) in escalated:
                continue
            raised.append(_escalation(case, line, duty, acting, above, now))
            if above is not None:
                about = f"escalated:{COUNTY}:{line.value}"
                notes.append(_note(above, NotificationKind.ESCALATED, case, name, about, due))
    near = (
        await session.exec(
            select(Case, Child.name)
            .join(Child, col(Child.id) == col(Case.child_id))
            .where(
                col(Case.status).in_(case_rules.OPEN),
                col(Case.county_reported_at).is_(None),
                col(Case.county_due_at) >= now,
                col(Case.county_due_at) < now + NEAR,
            )
        )
    ).all()
    for case, name in near:
        due = school_age.local_minute(case.county_due_at, settings)
        duties = await responsibility.duties(
            session=session, settings=settings, child_id=case.child_id
        )
        for duty in (duties.government, duties.school):
            if (acting := user_of(duty.acting)) is not None:
                kind = NotificationKind.DEADLINE_NEAR
                notes.append(_note(acting, kind, case, name, f"near:{COUNTY}", due))
    notes.extend(await _follow_ups_due(session, settings, now))
    made = await notifications.insert_new(
        session=session,
        table=CaseEscalation.__table__,  # type: ignore[attr-defined]
        rows=raised,
    )
    told = await notifications.send(session=session, rows=notes)
    await webhooks.cases_overdue(session=session, cases=newly_overdue)
    audit.record(
        session=session,
        action=AuditAction.CREATE if made or told else AuditAction.JOB_RUN,
        actor=actor,
        username=None if actor else "escalation-scan",
        object_type="escalation_run",
        object_id=uuid.uuid4(),
        changes={"escalated": {"after": made}, "notified": {"after": told}},
        detail=f"{made} escalated, {told} notified",
    )
    await session.commit()
    return EscalationRun(escalated=made, notified=told)


async def _follow_ups_due(
    session: AsyncSession, settings: Settings, now: datetime
) -> list[dict[str, Any]]:
    """Follow-up visits due by tomorrow and not made: for the plan's school person (or the
    school line's, when the case has no plan)."""
    tomorrow = school_age.local_date(now, settings) + timedelta(days=1)
    due = (
        await session.exec(
            select(FollowUp, Case, Child.name)
            .join(Case, col(Case.id) == col(FollowUp.case_id))
            .join(Child, col(Child.id) == col(Case.child_id))
            .where(
                col(FollowUp.done_at).is_(None),
                col(FollowUp.due_on) <= tomorrow,
                col(Case.status).in_(case_rules.STAYING - {CaseStatus.CLOSED}),
            )
        )
    ).all()
    planned = {
        case_id: person
        for case_id, person in (
            await session.exec(
                select(ReturnPlan.case_id, ReturnPlan.school_person_id)
                .where(among(session, ReturnPlan.case_id, [c.id for _, c, _ in due]))
                .order_by(col(ReturnPlan.version))
            )
        ).all()
    }
    notes = []
    for follow_up, case, name in due:
        person = planned.get(case.id)
        if person is None:
            duties = await responsibility.duties(
                session=session, settings=settings, child_id=case.child_id
            )
            person = user_of(duties.school.acting)
        if person is not None:
            notes.append(
                _note(
                    person,
                    NotificationKind.FOLLOW_UP_DUE,
                    case,
                    name,
                    f"follow_up:{follow_up.number}",
                    follow_up.due_on.isoformat(),
                )
            )
    return notes


async def absence(*, session: AsyncSession, settings: Settings, case: Case, name: str) -> int:
    """A teacher's report of days absent, taken as far as the rule on absence says, in the
    caller's transaction: from 2 days the government line's person is asked to visit the home
    with the village committee; from 3 the school line's person above is told of the dropout
    report. How many were told."""
    days = case.days_absent or 0
    if days < HOME_VISIT_AFTER:
        return 0
    duties = await responsibility.duties(session=session, settings=settings, child_id=case.child_id)
    due = school_age.local_minute(case.county_due_at, settings)
    asked = [(user_of(duties.government.acting), f"会同村委会入户家访（已缺课{days}天）")]
    if days >= DROPOUT_REPORT_AFTER:
        above = duties.school.next_above or duties.school.acting
        asked.append(
            (
                user_of(above),
                f"已缺课{days}天，按辍学报告，请于 {due} 前上报县教育局",
            )
        )
    notes = [
        {**_note(person, NotificationKind.ABSENCE, case, name, "absence", due), "body": body}
        for person, body in asked
        if person is not None
    ]
    return await notifications.send(session=session, rows=notes)


_TITLES = {
    NotificationKind.DEADLINE_NEAR: "{name}：不过周时限将到",
    NotificationKind.OVERDUE: "{name}：已超过不过周时限",
    NotificationKind.ESCALATED: "{name}：超期个案已上报至您",
    NotificationKind.FOLLOW_UP_DUE: "{name}：返校跟踪回访到期",
    NotificationKind.ABSENCE: "{name}：连续缺课报告",
}
_BODIES = {
    NotificationKind.DEADLINE_NEAR: "请在 {when} 前将个案上报县教育局和乡镇。",
    NotificationKind.OVERDUE: "个案应于 {when} 前上报县教育局和乡镇，现已超期，请立即处理。",
    NotificationKind.ESCALATED: "下一级责任人未在 {when} 前上报，请督促落实。",
    NotificationKind.FOLLOW_UP_DUE: "请于 {when} 前完成回访并记录。",
    NotificationKind.ABSENCE: "连续缺课，请于 {when} 前处理。",
}


def _note(
    user_id: uuid.UUID,
    kind: NotificationKind,
    case: Case,
    name: str,
    about: str,
    when: str,
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "kind": kind,
        "case_id": case.id,
        "title": _TITLES[kind].format(name=name)[:100],
        "body": _BODIES[kind].format(when=when),
        "dedupe_key": f"{about}:{case.id}",
    }


def _escalation(
    case: Case,
    line: CaseLine,
    duty: Duty,
    acting: uuid.UUID | None,
    above: uuid.UUID | None,
    now: datetime,
) -> dict[str, Any]:
    top = duty.escalate_to.name if duty.escalate_to is not None else None
    return {
        "id": uuid.uuid4(),
        "case_id": case.id,
        "deadline": COUNTY,
        "line": line,
        "from_user_id": acting,
        "to_user_id": above,
        "to_unit": None if above is not None else top,
        "escalated_at": now,
    }


async def of_case(session: AsyncSession, case_id: uuid.UUID) -> list[EscalationOut]:
    found = await session.exec(
        select(CaseEscalation)
        .where(col(CaseEscalation.case_id) == case_id)
        .order_by(col(CaseEscalation.escalated_at), col(CaseEscalation.line))
    )
    return [EscalationOut.model_validate(e, from_attributes=True) for e in found.all()]
