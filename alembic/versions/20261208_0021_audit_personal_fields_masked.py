"""The audit log keeps no personal identifier in full: entries written before are rewritten.

ID numbers, student numbers made of one, and phone or mobile numbers in an entry's ``changes``
(and in a ``detail`` written as JSON) become what ``api.services.core.audit`` now writes: the
masked value, "#", and a 12-hex keyed digest of the full value (HMAC-SHA256 under a key derived
from the app's signing key, BAOXUE_JWT_SECRET). The rules are copied here, not imported, so
that this migration does what it did when the app's code moves on; a test checks that the two
agree. SQL cannot compute the digest on SQLite, so the rows that may hold such a field are
read and written back in batches, with the log's append-only triggers set aside meanwhile.

Downgrade leaves the entries as they are: the full values are gone, as intended.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 01:30:00.000000
"""

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
DIGEST_LENGTH = 12
_KEPT = re.compile(rf"[^#]*\*[^#]*#[0-9a-f]{{{DIGEST_LENGTH}}}")

_audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Uuid()),
    sa.column("changes", sa.JSON()),
    sa.column("detail", sa.String()),
)

# As migration 0002 made them.
_TRIGGERS_OFF = {
    "postgresql": ["ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"],
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_event_no_update",
        "DROP TRIGGER IF EXISTS audit_event_no_delete",
    ],
}
_TRIGGERS_ON = {
    "postgresql": ["ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"],
    "sqlite": [
        """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
        """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    ],
}


def _id_number(value: str) -> str:
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _student_number(value: str) -> str:
    return "G" + _id_number(value[1:]) if value.startswith("G") and value[1:] else value


def _phone(value: str) -> str:
    if len(value) <= 7:
        return "*" * (len(value) - 2) + value[-2:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


PERSONAL: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("student_number", _student_number),
    ("id_number", _id_number),
    ("phone", _phone),
    ("mobile", _phone),
)


def digest_key(signing_key: str) -> bytes:
    return hmac.new(signing_key.encode(), b"baoxue audit digest", hashlib.sha256).digest()


def _mask_for(name: str) -> Callable[[str], str] | None:
    lowered = name.lower()
    return next((mask for ending, mask in PERSONAL if lowered.endswith(ending)), None)


def _kept(value: Any, mask: Callable[[str], str], key: bytes) -> Any:
    if isinstance(value, dict):
        return {name: _kept(item, mask, key) for name, item in value.items()}
    if isinstance(value, list):
        return [_kept(item, mask, key) for item in value]
    if value is None or value == "" or isinstance(value, bool):
        return value
    text = str(value)
    masked = mask(text)
    if masked == text or _KEPT.fullmatch(text):
        return text
    digest = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:DIGEST_LENGTH]
    return f"{masked}#{digest}"


def protected(value: Any, *, key: bytes) -> Any:
    """``value`` with each personal field masked and followed by its digest, at any depth."""
    if isinstance(value, dict):
        kept = {}
        for name, item in value.items():
            mask = _mask_for(str(name))
            kept[name] = _kept(item, mask, key) if mask else protected(item, key=key)
        return kept
    if isinstance(value, list):
        return [protected(item, key=key) for item in value]
    return value


def _detail(detail: str | None, key: bytes) -> str | None:
    if not detail or detail[0] not in "{[":
        return detail
    try:
        parsed = json.loads(detail)
    except ValueError:
        return detail
    kept = protected(parsed, key=key)
    return detail if kept == parsed else json.dumps(kept, ensure_ascii=False)


def _signing_key() -> str:
    """The app's signing key: the one the migration is given (tests), else the app's own."""
    given = context.config.attributes.get("signing_key")
    if given:
        return str(given)
    from api.settings import get_settings  # only when there is work to do

    return get_settings().signing_key()


def rewrite(connection: sa.Connection, *, key: Callable[[], bytes], batch: int = BATCH) -> int:
    """Rewrite, batch by batch in id order, the entries that may hold a personal field; the
    key is asked for only when one does. Returns the number of entries rewritten."""
    text = sa.func.lower(
        sa.func.coalesce(sa.cast(_audit_event.c.changes, sa.Text), "")
        + sa.func.coalesce(_audit_event.c.detail, "")
    )
    may_hold = sa.or_(*(text.contains(ending) for ending, _ in PERSONAL))
    dialect = connection.dialect.name
    rewritten, after, switched_off = 0, None, False
    while True:
        query = (
            sa.select(_audit_event.c.id, _audit_event.c.changes, _audit_event.c.detail)
            .where(may_hold)
            .order_by(_audit_event.c.id)
            .limit(batch)
        )
        if after is not None:
            query = query.where(_audit_event.c.id > after)
        rows = connection.execute(query).all()
        if not rows:
            break
        after = rows[-1].id
        changed = []
        for row in rows:
            changes = protected(row.changes, key=key()) if row.changes else row.changes
            detail = _detail(row.detail, key()) if row.detail else row.detail
            if changes != row.changes or detail != row.detail:
                changed.append({"row_id": row.id, "changes": changes, "detail": detail})
        if not changed:
            continue
        if not switched_off:  # in the migration's transaction: a failure puts them back too
            for statement in _TRIGGERS_OFF[dialect]:
                connection.execute(sa.text(statement))
            switched_off = True
        connection.execute(
            _audit_event.update()
            .where(_audit_event.c.id == sa.bindparam("row_id"))
            .values(changes=sa.bindparam("changes"), detail=sa.bindparam("detail")),
            changed,
        )
        rewritten += len(changed)
    if switched_off:
        for statement in _TRIGGERS_ON[dialect]:
            connection.execute(sa.text(statement))
    return rewritten


def upgrade() -> None:
    found: list[bytes] = []

    def key() -> bytes:
        if not found:
            found.append(digest_key(_signing_key()))
        return found[0]

    rewrite(op.get_bind(), key=key)


def downgrade() -> None:
    pass  # the full values are not kept anywhere, by design
