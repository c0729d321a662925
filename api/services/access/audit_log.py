"""Reading the audit log (writing it is ``audit.record``); nothing changes or deletes an entry."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent
from api.models.vocabulary import AuditAction
from api.services.access import permissions
from api.services.access.permissions import Action, Resource
from api.services.core.actors import Actor


@dataclass(frozen=True)
class AuditFilter:
    action: AuditAction | None = None
    actor_id: uuid.UUID | None = None
    actor_username: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def search(
    *, session: AsyncSession, actor: Actor, filters: AuditFilter, limit: int, offset: int
) -> tuple[list[AuditEvent], int]:
    permissions.require(actor, Resource.AUDIT, Action.READ)
    conditions = []
    if filters.action:
        conditions.append(col(AuditEvent.action) == filters.action)
    if filters.actor_id:
        conditions.append(col(AuditEvent.actor_id) == filters.actor_id)
    if filters.actor_username:
        conditions.append(col(AuditEvent.actor_username) == filters.actor_username)
    if filters.object_type:
        conditions.append(col(AuditEvent.object_type) == filters.object_type)
    if filters.object_id:
        conditions.append(col(AuditEvent.object_id) == filters.object_id)
    if filters.since:
        conditions.append(col(AuditEvent.occurred_at) >= filters.since)
    if filters.until:
        conditions.append(col(AuditEvent.occurred_at) < filters.until)
    total = (
        await session.exec(select(func.count()).select_from(AuditEvent).where(*conditions))
    ).one()
    rows = await session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id))
        .limit(limit)
        .offset(offset)
    )
    return list(rows.all()), total
