"""In-app notifications: who must act on which case, read by the PWA from its inbox.

Each is about something (``dedupe_key``): inserted with ON CONFLICT DO NOTHING, so a scan
that runs twice, or on two servers at once, tells each person once.
"""

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Notification
from api.models.base import utcnow
from api.models.vocabulary import AuditAction
from api.schemas.common import Page
from api.schemas.notifications import NotificationOut
from api.services.core import audit
from api.services.core.actors import Actor
from api.services.core.errors import NotFound


async def insert_new(*, session: AsyncSession, table: sa.Table, rows: list[dict[str, Any]]) -> int:
    """Insert those of ``rows`` not there yet (by the table's unique keys); how many were."""
    if not rows:
        return 0
    connection = await session.connection()
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    done = await connection.execute(
        insert(table).values(rows).on_conflict_do_nothing().returning(table.c.id)
    )
    return len(done.all())


async def send(*, session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Tell each row's ``user_id`` (in the caller's transaction); how many were new."""
    now = utcnow()
    return await insert_new(
        session=session,
        table=Notification.__table__,  # type: ignore[attr-defined]
        rows=[{"id": uuid.uuid4(), "created_at": now, "read_at": None, **row} for row in rows],
    )


async def inbox(
    *, session: AsyncSession, actor: Actor, unread: bool | None, limit: int, offset: int
) -> Page[NotificationOut]:
    """The caller's own notifications, the newest first."""
    where = [col(Notification.user_id) == actor.user_id]
    if unread is not None:
        where.append(
            col(Notification.read_at).is_(None)
            if unread
            else col(Notification.read_at).is_not(None)
        )
    total = (await session.exec(select(func.count()).select_from(Notification).where(*where))).one()
    found = await session.exec(
        select(Notification)
        .where(*where)
        .order_by(col(Notification.created_at).desc(), col(Notification.id))
        .limit(limit)
        .offset(offset)
    )
    items = [NotificationOut.model_validate(n, from_attributes=True) for n in found.all()]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def mark_read(
    *, session: AsyncSession, actor: Actor, notification_id: uuid.UUID
) -> NotificationOut:
    """One of the caller's notifications read (reading it again changes nothing)."""
    found = await session.get(Notification, notification_id)
    if found is None or found.user_id != actor.user_id:
        raise NotFound(f"No notification {notification_id} here.")
    if found.read_at is None:
        before = audit.snapshot(found)
        found.read_at = utcnow()
        session.add(found)
        audit.updated(session=session, actor=actor, changed=found, before=before)
        await session.commit()
        await session.refresh(found)
    return NotificationOut.model_validate(found, from_attributes=True)


async def mark_all_read(*, session: AsyncSession, actor: Actor) -> int:
    done = await session.exec(
        update(Notification)
        .where(col(Notification.user_id) == actor.user_id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )
    audit.record(session=session, action=AuditAction.UPDATE, actor=actor,
                 object_type="inbox", object_id=actor.user_id,
                 changes={"read": {"after": done.rowcount}})  # fmt: skip
    await session.commit()
    return int(done.rowcount)
