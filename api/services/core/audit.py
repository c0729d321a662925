"""The audit log: every write, every full read of personal data, every login; append-only.

Personal identifiers (PIPL) are never kept in full in it: an ID number, a student number made
of one, a phone or mobile number is stored masked as the app shows it to anyone without the
right to see it in full (510821********1234, 138****5678) and followed by a short keyed digest
of the full value (``#`` and 12 hex digits, HMAC-SHA256 under a key derived from the app's
signing key), so that a reader can tell whether two entries hold the same value, and so see a
change, without the value being recoverable. Names and addresses are kept as written: every
reader of the log may see them in the app, and an entry naming nobody would be of no use.
"""

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent
from api.models.base import UUIDKeyed
from api.models.vocabulary import AuditAction
from api.observability import current_client_ip, current_request_id
from api.services.core import masking
from api.services.core.actors import Actor

# Fields every write touches; the diff shows what the writer changed.
_BOOKKEEPING = {"id", "created_at", "updated_at", "version"}

# Personal fields by the end of their name (``id_number``, ``head_id_number``, ``phone``,
# ``guardian_phone``, ``applicant_phone``...), at any depth of a diff or ``detail``'s JSON, and
# how each is masked.
PERSONAL: tuple[tuple[str, Callable[[str], str | None]], ...] = (
    ("student_number", masking.student_number),
    ("id_number", masking.id_number),
    ("phone", masking.phone),
    ("mobile", masking.phone),
)
DIGEST_KEY = "audit_digest_key"
"""Where a session's ``info`` holds the digest key (``api.db.create_sessionmaker`` puts it)."""
DIGEST_LENGTH = 12
# A value already kept as the log keeps it: masked, "#", the digest.
_KEPT = re.compile(rf"[^#]*\*[^#]*#[0-9a-f]{{{DIGEST_LENGTH}}}")


def digest_key(signing_key: str) -> bytes:
    """The digests' key, derived from the app's signing key (never the signing key itself)."""
    return hmac.new(signing_key.encode(), b"baoxue audit digest", hashlib.sha256).digest()


def digest(value: str, *, key: bytes) -> str:
    """A short keyed digest of ``value``: equal for equal values, telling nothing of them."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:DIGEST_LENGTH]


def _mask_for(name: str) -> Callable[[str], str | None] | None:
    lowered = name.lower()
    return next((mask for ending, mask in PERSONAL if lowered.endswith(ending)), None)


def _kept(value: Any, mask: Callable[[str], str | None], key: bytes) -> Any:
    if isinstance(value, Mapping):  # {"before": ..., "after": ...}
        return {name: _kept(item, mask, key) for name, item in value.items()}
    if isinstance(value, list):
        return [_kept(item, mask, key) for item in value]
    if value is None or value == "" or isinstance(value, bool):
        return value
    text = str(value)
    masked = mask(text)
    if masked == text or _KEPT.fullmatch(text):  # nothing to hide, or already kept so
        return text
    return f"{masked}#{digest(text, key=key)}"


def protected(value: Any, *, key: bytes) -> Any:
    """``value`` (a diff, a snapshot, any JSON) as the log keeps it: each personal field
    masked, with the digest of its full value."""
    if isinstance(value, Mapping):
        kept = {}
        for name, item in value.items():
            mask = _mask_for(str(name))
            kept[name] = _kept(item, mask, key) if mask else protected(item, key=key)
        return kept
    if isinstance(value, list):
        return [protected(item, key=key) for item in value]
    return value


def _protected_detail(detail: str | None, *, key: Callable[[], bytes]) -> str | None:
    """A ``detail`` written as JSON is kept as a diff is; plain words are kept as they are."""
    if not detail or detail[0] not in "{[":
        return detail
    try:
        parsed = json.loads(detail)
    except ValueError:
        return detail
    kept = protected(parsed, key=key())
    return detail if kept == parsed else json.dumps(kept, ensure_ascii=False)


def _key_of(session: AsyncSession) -> bytes:
    key = session.info.get(DIGEST_KEY)
    if not isinstance(key, bytes):
        raise RuntimeError(
            "this session has no audit digest key: make sessions with"
            " api.db.create_sessionmaker(engine, settings=settings)"
        )
    return key


def _has_personal(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_mask_for(str(name)) or _has_personal(item) for name, item in value.items())
    if isinstance(value, list):
        return any(_has_personal(item) for item in value)
    return False


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
    """Add an entry to the caller's transaction, so it commits (or not) with the change itself.

    Personal fields in ``changes`` (and in a JSON ``detail``) are kept masked, with a digest.
    """
    if changes and _has_personal(changes):
        changes = protected(changes, key=_key_of(session))
    detail = _protected_detail(detail, key=lambda: _key_of(session))
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
