import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.common import Limit, Offset, Page
from api.schemas.notifications import EscalationRun, NotificationOut
from api.services.cases import escalations
from api.services.integrations import notifications

router = APIRouter(tags=["notifications"])


@router.get(
    "/notifications",
    summary="The caller's inbox: deadlines near or passed, escalations, follow-ups due",
    responses={401: {}, 403: {}},
)
async def list_notifications(
    actor: ActorDep,
    session: SessionDep,
    unread: Annotated[bool | None, Query(description="true: only those not yet read")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[NotificationOut]:
    return await notifications.inbox(
        session=session, actor=actor, unread=unread, limit=limit, offset=offset
    )


@router.post(
    "/notifications/{notification_id}/read",
    summary="Mark one of the caller's notifications read",
    responses={401: {}, 403: {}, 404: {}},
)
async def read_notification(
    notification_id: uuid.UUID, actor: ActorDep, session: SessionDep
) -> NotificationOut:
    return await notifications.mark_read(
        session=session, actor=actor, notification_id=notification_id
    )


@router.post(
    "/notifications/read-all",
    summary="Mark all the caller's notifications read; how many were unread",
    responses={401: {}, 403: {}},
)
async def read_all_notifications(actor: ActorDep, session: SessionDep) -> int:
    return await notifications.mark_all_read(session=session, actor=actor)


@router.post(
    "/escalations/run",
    summary="Run the deadline scan now: overdue cases escalated on both lines, people told",
    description=(
        "The app runs it every `BAOXUE_ESCALATION_INTERVAL_MINUTES`; a county's own scheduler"
        " may call it with an API client granted `escalations:write`. Each deadline and line"
        " is escalated once, and nobody is told the same thing twice."
    ),
    responses={401: {}, 403: {}},
)
async def run_escalations(
    actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> EscalationRun:
    return await escalations.run(session=session, settings=settings, actor=actor)
