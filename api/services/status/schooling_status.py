"""Changing a child's schooling status by the table in status_rules, and its history."""

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, SchoolingStatusChange
from api.models.base import CLOCK_SLACK, utcnow
from api.models.vocabulary import StatusSource
from api.schemas.schooling_status import StatusChangeCreate, StatusChangeOut
from api.services.access import permissions
from api.services.access.permissions import Action, Resource
from api.services.core import records
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput
from api.services.registry import children
from api.services.status import status_rules
from api.services.status.status_rules import Needs
from api.settings import Settings

# A phone's clock may run a little fast; more than this in the future is a wrong clock.


def _check(child: Child, data: StatusChangeCreate) -> None:
    current, wanted = child.schooling_status, data.to_status
    now = utcnow()
    if data.observed_at is not None and data.observed_at > now + CLOCK_SLACK:
        raise InvalidInput("observed_at", "观察时间晚于现在 (the time observed is in the future)")
    if data.observed_at is not None and data.observed_at < child.status_changed_at:
        raise Conflict(
            "已有更新的记录，此观察不覆盖 (a later change is already recorded; not overwritten)",
            schooling_status=current.value,
            status_changed_at=child.status_changed_at.isoformat(),
        )
    if wanted not in status_rules.ALLOWED[current]:
        raise Conflict(
            f"教育状况不能从 {current.value} 改为 {wanted.value} "
            f"(not allowed from {current.value} to {wanted.value})",
            schooling_status=current.value,
            allowed=[s.value for s in status_rules.allowed_from(current)],
        )
    needed = status_rules.needs(wanted)
    if needed is Needs.APPROVAL:
        raise Conflict(
            "休学、缓学、免学须由监护人申请并经乡镇或县审批 "
            "(suspension, deferral and exemption need an approved application)",
            needs="approval",
        )
    if needed is Needs.EVIDENCE and not data.evidence:
        raise InvalidInput(
            "evidence", "请写明依据，如转学联系函、死亡证明 (name the evidence for this change)"
        )


async def change(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    child_id: uuid.UUID,
    data: StatusChangeCreate,
    expected_version: int | None,
    source: StatusSource = StatusSource.MANUAL,
) -> StatusChangeOut:
    permissions.require(actor, Resource.CHILD, Action.WRITE)
    child = await children.visible_child(
        session=session, actor=actor, settings=settings, child_id=child_id
    )
    records.check_version(child, expected_version)
    _check(child, data)
    at = data.observed_at or utcnow()
    entry = SchoolingStatusChange(
        child_id=child.id,
        from_status=child.schooling_status,
        to_status=data.to_status,
        source=source,
        reason=data.reason,
        evidence=data.evidence,
        changed_by_id=actor.user_id,
        changed_at=at,
    )
    session.add(entry)  # committed with the child's change, below
    await records.update_versioned(
        session=session,
        actor=actor,
        record=child,
        changes={"schooling_status": data.to_status, "status_changed_at": at},
        expected_version=expected_version,
    )
    return StatusChangeOut.model_validate(entry, from_attributes=True)


async def history(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    child_id: uuid.UUID,
    limit: int,
    offset: int,
) -> tuple[list[StatusChangeOut], int]:
    permissions.require(actor, Resource.CHILD, Action.READ)
    child = await children.visible_child(
        session=session, actor=actor, settings=settings, child_id=child_id
    )
    where = col(SchoolingStatusChange.child_id) == child.id
    total = (
        await session.exec(select(func.count()).select_from(SchoolingStatusChange).where(where))
    ).one()
    rows = await session.exec(
        select(SchoolingStatusChange)
        .where(where)
        .order_by(col(SchoolingStatusChange.changed_at).desc(), col(SchoolingStatusChange.id))
        .limit(limit)
        .offset(offset)
    )
    return [StatusChangeOut.model_validate(r, from_attributes=True) for r in rows.all()], total
