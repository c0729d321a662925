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
