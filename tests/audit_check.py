"""Checked on every response of the test suite: each write leaves exactly one audit entry per
object it changed, with the changed fields; a refused write leaves none."""

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent
from api.models.vocabulary import AuditAction

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
CHANGES = {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.REMOVE}
# Logging in and out and rotating tokens are recorded as login events, checked in test_auth;
# the probes of test_problems store nothing.
EXEMPT_PATHS = ("/api/v1/auth/", "/api/v1/_probe")


async def check(*, engine: AsyncEngine, response: httpx.Response) -> None:
    request = response.request
    if request.method not in WRITES or request.url.path.startswith(EXEMPT_PATHS):
        return
    request_id = response.headers.get("x-request-id")
    assert request_id, "every response carries its request id"
    async with AsyncSession(engine) as session:
        events = (
            await session.exec(select(AuditEvent).where(col(AuditEvent.request_id) == request_id))
        ).all()
    where = f"{request.method} {request.url.path} -> {response.status_code}"
    if response.status_code >= 400:
        assert not [e for e in events if e.action in CHANGES], f"{where}: a refused write changed"
        return
    if response.headers.get("idempotent-replayed") == "true":  # the first answer, replayed
        assert not events, f"{where}: a replay wrote again"
        return
    assert events, f"{where}: a write left no audit entry"
    objects = [(e.object_type, e.object_id) for e in events]
    assert len(objects) == len(set(objects)), f"{where}: an object audited twice: {objects}"
    for event in events:
        assert event.object_type, f"{where}: entry names no kind of object"
        assert event.object_id, f"{where}: entry names no object"
        assert event.actor_username, f"{where}: entry names no one"
        if event.action in CHANGES:
            assert event.changes, f"{where}: {event.action} without its changed fields"
