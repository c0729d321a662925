"""免学/缓学/休学: a guardian's application with its certificate, decided by township or county.

An approval is the only way into these statuses (status_rules says so); it changes the child's
status in the same transaction, with the application named as the evidence.
"""

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Attachment, Child, SchoolingStatusChange, StatusApplication
from api.models.base import utcnow
from api.models.vocabulary import ApplicationState, AttachmentOwner, StatusSource
from api.schemas.status_applications import (
    StatusApplicationCreate,
    StatusApplicationOut,
    StatusDecision,
)
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import attachments, audit, records
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput, NotFound
from api.services.registry import children
from api.services.status import status_rules
from api.services.status.status_rules import Needs
from api.settings import Settings


def _out(application: StatusApplication) -> StatusApplicationOut:
    return StatusApplicationOut.model_validate(application, from_attributes=True)


async def submit(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    child_id: uuid.UUID,
    data: StatusApplicationCreate,
) -> StatusApplicationOut:
    permissions.require(actor, Resource.CHILD, Action.WRITE)
    child = await children.visible_child(
        session=session, actor=actor, settings=settings, child_id=child_id
    )
    if status_rules.needs(data.requested_status) is not Needs.APPROVAL:
        raise InvalidInput(
            "requested_status", "只有休学、缓学、免学需要申请 (only suspended, deferred, exempt)"
        )
    if data.requested_status not in status_rules.ALLOWED[child.schooling_status]:
        raise Conflict(
            f"当前教育状况 {child.schooling_status.value} 不能申请 {data.requested_status.value}",
            allowed=[s.value for s in status_rules.allowed_from(child.schooling_status)],
        )
    pending = await session.exec(
        select(StatusApplication.id).where(
            col(StatusApplication.child_id) == child.id,
            col(StatusApplication.state) == ApplicationState.PENDING,
        )
    )
    if (existing := pending.first()) is not None:
        raise Conflict("已有待审批的申请 (an application is pending)", pending_id=str(existing))
    application = StatusApplication(
        **data.model_dump(), child_id=child.id, submitted_by_id=actor.user_id
    )
    await attachments.claim(
        session=session,
        actor=actor,
        attachment_id=data.certificate_id,
        owner_type=AttachmentOwner.STATUS_APPLICATION,
        owner_id=application.id,
        field="certificate_id",
    )
    session.add(application)
    audit.created(session=session, actor=actor, new=application)
    await session.commit()
    return _out(application)


async def _visible_application(
    *, session: AsyncSession, actor: Actor, settings: Settings, application_id: uuid.UUID
) -> StatusApplication:
    found = (
        await session.exec(
            select(StatusApplication).where(
                col(StatusApplication.id) == application_id,
                col(StatusApplication.child_id).in_(
                    select(Child.id).where(scoping.children(actor, settings=settings))
                ),
            )
        )
    ).first()
    if found is None:
        raise NotFound(f"No status_application {application_id} here.")
    return found


async def decide(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    application_id: uuid.UUID,
    data: StatusDecision,
) -> StatusApplicationOut:
    permissions.require(actor, Resource.STATUS_APPROVAL, Action.WRITE)
    application = await _visible_application(
        session=session, actor=actor, settings=settings, application_id=application_id
    )
    if application.state is not ApplicationState.PENDING:
        raise Conflict("这份申请已审批 (already decided)", state=application.state.value)
    child = await session.get(Child, application.child_id)
    assert child is not None  # a foreign key
    if (
        data.approve
        and application.requested_status not in status_rules.ALLOWED[child.schooling_status]
    ):
        raise Conflict(
            "儿童的教育状况已变，不能再批准 (the child's status has changed since)",
            schooling_status=child.schooling_status.value,
        )
    now = utcnow()
    before = audit.snapshot(application)
    application.state = ApplicationState.APPROVED if data.approve else ApplicationState.REFUSED
    application.decided_by_id, application.decided_at = actor.user_id, now
    application.decision_note = data.note
    application.version += 1
    session.add(application)
    audit.updated(session=session, actor=actor, changed=application, before=before)
    if not data.approve:
        await session.commit()
        return _out(application)
    session.add(
        SchoolingStatusChange(
            child_id=child.id,
            from_status=child.schooling_status,
            to_status=application.requested_status,
            source=StatusSource.MANUAL,
            reason=application.reason,
            evidence=f"申请 {application.id} 已批准; 证明 {application.certificate_id}",
            changed_by_id=actor.user_id,
            changed_at=now,
        )
    )
    await records.update_versioned(  # commits the application, the history and the child
        session=session,
        actor=actor,
        record=child,
        changes={"schooling_status": application.requested_status, "status_changed_at": now},
        expected_version=None,
    )
    return _out(application)


async def for_child(
    *, session: AsyncSession, actor: Actor, settings: Settings, child_id: uuid.UUID
) -> list[StatusApplicationOut]:
    permissions.require(actor, Resource.CHILD, Action.READ)
    child = await children.visible_child(
        session=session, actor=actor, settings=settings, child_id=child_id
    )
    rows = await session.exec(
        select(StatusApplication)
        .where(col(StatusApplication.child_id) == child.id)
        .order_by(col(StatusApplication.created_at).desc())
        .limit(100)
    )
    return [_out(a) for a in rows.all()]


async def pending(
    *, session: AsyncSession, actor: Actor, settings: Settings, limit: int, offset: int
) -> tuple[list[StatusApplicationOut], int]:
    """What waits for the caller's decision, oldest first."""
    permissions.require(actor, Resource.STATUS_APPROVAL, Action.READ)
    where = [
        col(StatusApplication.state) == ApplicationState.PENDING,
        col(StatusApplication.child_id).in_(
            select(Child.id).where(scoping.children(actor, settings=settings))
        ),
    ]
    total = (
        await session.exec(select(func.count()).select_from(StatusApplication).where(*where))
    ).one()
    rows = await session.exec(
        select(StatusApplication)
        .where(*where)
        .order_by(col(StatusApplication.created_at), col(StatusApplication.id))
        .limit(limit)
        .offset(offset)
    )
    return [_out(a) for a in rows.all()], total


@attachments.owner(AttachmentOwner.STATUS_APPLICATION)
async def check_can_see_attachment(
    *, session: AsyncSession, actor: Actor, settings: Settings, attachment: Attachment
) -> None:
    """A certificate is for whoever may see the application it proves."""
    if attachment.owner_id is None:
        raise NotFound(f"No attachment {attachment.id} here.")
    await _visible_application(
        session=session, actor=actor, settings=settings, application_id=attachment.owner_id
    )
