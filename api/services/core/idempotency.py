"""Idempotent writes: the same ``Idempotency-Key`` from the same user gets the first answer.

The key's row is added to the session before the write runs, so the write's own commit stores
both or neither; a write that fails takes its key with it, and the caller may try again with
the same key. A key reused for a different request is refused rather than answered wrongly.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import IdempotencyKey
from api.models.base import utcnow
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput

KEEP_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict[str, Any]
    replayed: bool


def fingerprint(method: str, path: str, body: BaseModel) -> str:
    content = json.dumps([method, path, body.model_dump(mode="json")], sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()


async def once(
    *,
    session: AsyncSession,
    actor: Actor,
    key: str | None,
    fingerprint: str,
    status_code: int,
    write: Callable[[], Awaitable[BaseModel]],
) -> Answer:
    """Run ``write`` once per key; without a key, simply run it."""
    if key is None:
        return Answer(status_code, (await write()).model_dump(mode="json"), replayed=False)
    if not 1 <= len(key) <= 255:
        raise InvalidInput("Idempotency-Key", "must be 1 to 255 characters", location="header")
    earlier = (
        await session.exec(
            select(IdempotencyKey).where(
                col(IdempotencyKey.user_id) == actor.user_id,
                col(IdempotencyKey.key) == key,
                col(IdempotencyKey.created_at) >= utcnow() - KEEP_FOR,
            )
        )
    ).first()
    if earlier is not None:
        return _replay(earlier, fingerprint)
    await session.exec(  # an expired key may be used afresh
        delete(IdempotencyKey).where(
            col(IdempotencyKey.user_id) == actor.user_id, col(IdempotencyKey.key) == key
        )
    )
    row = IdempotencyKey(user_id=actor.user_id, key=key, fingerprint=fingerprint)
    session.add(row)
    try:
        result = await write()
    except IntegrityError as exc:
        await session.rollback()
        if _is_key_clash(exc):
            raise Conflict("A request with this Idempotency-Key is still being processed.") from exc
        raise
    except BaseException:
        await session.rollback()
        raise
    body = result.model_dump(mode="json")
    row.status_code, row.response = status_code, body
    session.add(row)
    await session.commit()
    return Answer(status_code, body, replayed=False)


def _replay(earlier: IdempotencyKey, fingerprint: str) -> Answer:
    if earlier.fingerprint != fingerprint:
        raise InvalidInput(
            "Idempotency-Key",
            "already used for a different request; use a new key for this one",
            location="header",
        )
    if earlier.status_code is None or earlier.response is None:
        raise Conflict("A request with this Idempotency-Key is still being processed.")
    return Answer(earlier.status_code, earlier.response, replayed=True)


def _is_key_clash(exc: IntegrityError) -> bool:
    return "idempotency_key" in str(exc.orig).lower() or "uq_idempotency_key" in str(exc)
