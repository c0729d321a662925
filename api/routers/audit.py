import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from api.deps import ActorDep, SessionDep
from api.models.vocabulary import AuditAction
from api.schemas.audit import AuditEventOut
from api.schemas.common import Limit, Offset, Page
from api.services.access import audit_log
from api.services.access.audit_log import AuditFilter

router = APIRouter(tags=["audit"])


@router.get(
    "/audit-events",
    summary="The audit log, newest first (county administrators and supervisors)",
    description=(
        "Every write with the fields it changed (`changes`: `{field: {before, after}}`), every"
        " full read of personal data, every login. Personal identifiers are never kept in full,"
        " in `changes` nor in a `detail` written as JSON: an ID number (any field ending in"
        " `id_number`, and a `G` student number made of one) or a phone or mobile number (any"
        " field ending in `phone` or `mobile`) is kept masked as lists show it, then `#` and a"
        " 12-hex keyed digest of the full value: `510821********1234#3f9a0c5e7b21`,"
        " `138****5678#a1b2c3d4e5f6`. Equal digests mean the same value, so a change shows even"
        " where the masked values look alike; the value cannot be got back from them. Names and"
        " addresses are kept as written."
    ),
    responses={401: {}, 403: {}},
)
async def list_audit_events(
    actor: ActorDep,
    session: SessionDep,
    action: AuditAction | None = None,
    actor_id: uuid.UUID | None = None,
    actor_username: Annotated[str | None, Query(max_length=60)] = None,
    object_type: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AuditEventOut]:
    filters = AuditFilter(action, actor_id, actor_username, object_type, object_id, since, until)
    events, total = await audit_log.search(
        session=session, actor=actor, filters=filters, limit=limit, offset=offset
    )
    return Page(
        items=[AuditEventOut.model_validate(e, from_attributes=True) for e in events],
        total=total,
        limit=limit,
        offset=offset,
    )
