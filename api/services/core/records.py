"""Changing a versioned record safely: optimistic concurrency, soft removal, one audit entry.

Updates are a conditional UPDATE on the version the caller saw, so two people editing the same
child at once cannot silently overwrite each other: the second gets "precondition failed".
"""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models.base import Versioned, utcnow
from api.models.vocabulary import AuditAction
from api.services.core import audit
from api.services.core.actors import Actor
from api.services.core.errors import PreconditionFailed


def blanked(changes: dict[str, Any], required: Iterable[str]) -> list[tuple[str, str]]:
    """Required fields a partial update tries to empty."""
    return [
        (name, "不能为空 (may not be empty)")
        for name in sorted(required)
        if name in changes and changes[name] is None
    ]


def etag(record: Versioned) -> str:
    return f'"{record.version}"'


def check_version(record: Versioned, expected: int | None) -> None:
    if expected is not None and expected != record.version:
        raise PreconditionFailed(
            "这条记录已被他人修改，请刷新后再改 (changed since you read it: reload and retry)",
            current_version=record.version,
        )


async def update_versioned(
    *,
    session: AsyncSession,
    actor: Actor,
    record: Versioned,
    changes: dict[str, Any],
    expected_version: int | None,
) -> dict[str, Any]:
    """Apply ``changes`` if the record is still at the version read; audit the diff once.

    Returns the diff (empty when nothing changed, in which case nothing is written).
    """
    check_version(record, expected_version)
    before = audit.snapshot(record)
    diff = audit.diff(before, {**before, **changes})
    if not diff:
        return diff
    table: sa.Table = record.__table__  # type: ignore[attr-defined]
    record_id = getattr(record, "id")  # noqa: B009 - every versioned table is keyed by id
    result = await session.exec(
        update(table)
        .where(table.c.id == record_id, table.c.version == record.version)
        .values(**changes, version=record.version + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:
        raise PreconditionFailed("这条记录刚被他人修改，请刷新后再改 (changed meanwhile: reload)")
    audit.record(
        session=session,
        action=AuditAction.REMOVE if "removed_at" in changes else AuditAction.UPDATE,
        actor=actor,
        object_type=table.name,
        object_id=record_id,
        changes=diff,
    )
    await session.commit()
    await session.refresh(record)
    return diff


async def soft_remove(
    *,
    session: AsyncSession,
    actor: Actor,
    record: Versioned,
    reason: str,
    expected_version: int | None,
) -> None:
    """Personal records are never deleted: the removal is a change with its reason."""
    await update_versioned(
        session=session,
        actor=actor,
        record=record,
        changes={"removed_at": utcnow(), "removed_reason": reason},
        expected_version=expected_version,
    )
