"""The audit log: every write, every full read of personal data, every login; append-only."""

import uuid
from collections.abc import Collection, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent
from api.models.base import UUIDKeyed
from api.models.vocabulary import AuditAction
from api.observability import current_client_ip, current_request_id
from api.services.core.actors import Actor

# Fields every write touches; the diff shows what the writer changed.
_BOOKKEEPING = {"id", "created_at", "updated_at", "version"}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID | date | datetime):
        return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
    return value


def snapshot(record: SQLModel, *, exclude: Collection[str] = ()) -> dict[str, Any]:
    """A record's audited fields as they stand: bookkeeping and secrets left out."""
    return record.model_dump(exclude={*_BOOKKEEPING, *exclude})


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """Changed fields as {field: {"before": ..., "after": ...}}; a create has no "before"."""
    before, after = before or {}, after or {}
    changed = {}
    for name in sorted(set(before) | set(after)):
        old, new = _plain(before.get(name)), _plain(after.get(name))
        if old != new:
            changed[name] = {"before": old, "after": new}
    return changed


def record(
    *,
    session: AsyncSession,
    action: AuditAction,
    actor: Actor | None = None,
    username: str | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    changes: dict[str, Any] | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add an entry to the caller's transaction, so it commits (or not) with the change itself."""
    event = AuditEvent(
        action=action,
        actor_id=actor.user_id if actor else None,
        actor_username=actor.username if actor else username,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        changes=changes,
        detail=detail,
        request_id=current_request_id(),
        client_ip=current_client_ip(),
    )
    session.add(event)
    return event


async def read_in_full(
    *,
    session: AsyncSession,
    actor: Actor,
    object_type: str,
    object_id: Any,
    detail: str | None = None,
) -> None:
    """Record that ``actor`` read personal data in full, committed at once: a read changes
    nothing else, so the entry is the whole transaction."""
    record(
        session=session,
        action=AuditAction.READ_PERSONAL,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    await session.commit()


def created(
    *,
    session: AsyncSession,
    actor: Actor,
    new: UUIDKeyed,
    exclude: Collection[str] = (),
    also: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """The creation of ``new``: its whole state (less ``exclude``, with ``also``: what was
    written beside it) as the change, under its table's name."""
    return record(
        session=session,
        action=AuditAction.CREATE,
        actor=actor,
        object_type=str(new.__tablename__),
        object_id=new.id,
        changes=diff(None, {**snapshot(new, exclude=exclude), **(also or {})}),
    )


def updated(
    *, session: AsyncSession, actor: Actor, changed: UUIDKeyed, before: Mapping[str, Any]
) -> AuditEvent:
    """A change to ``changed`` since its snapshot ``before``, under its table's name."""
    return record(
        session=session,
        action=AuditAction.UPDATE,
        actor=actor,
        object_type=str(changed.__tablename__),
        object_id=changed.id,
        changes=diff(before, snapshot(changed)),
    )
