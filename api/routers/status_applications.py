import uuid

from fastapi import APIRouter

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.common import Limit, Offset, Page
from api.schemas.status_applications import (
    StatusApplicationCreate,
    StatusApplicationOut,
    StatusDecision,
)
from api.services.status import status_applications

router = APIRouter(tags=["status applications"])


@router.post(
    "/children/{child_id}/status-applications",
    status_code=201,
    summary="Apply for suspension, deferral or exemption, with the certificate",
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def submit(
    child_id: uuid.UUID,
    body: StatusApplicationCreate,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> StatusApplicationOut:
    return await status_applications.submit(
        session=session, actor=actor, settings=settings, child_id=child_id, data=body
    )


@router.get(
    "/children/{child_id}/status-applications",
    summary="A child's applications, newest first",
    responses={401: {}, 403: {}, 404: {}},
)
async def for_child(
    child_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> list[StatusApplicationOut]:
    return await status_applications.for_child(
        session=session, actor=actor, settings=settings, child_id=child_id
    )


@router.get(
    "/status-applications",
    summary="Applications waiting for a decision (township officers, county administrators)",
    responses={401: {}, 403: {}},
)
async def pending(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[StatusApplicationOut]:
    items, total = await status_applications.pending(
        session=session, actor=actor, settings=settings, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/status-applications/{application_id}/decision",
    summary="Approve (the status changes) or refuse an application",
    responses={401: {}, 403: {}, 404: {}, 409: {}},
)
async def decide(
    application_id: uuid.UUID,
    body: StatusDecision,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> StatusApplicationOut:
    return await status_applications.decide(
        session=session,
        actor=actor,
        settings=settings,
        application_id=application_id,
        data=body,
    )
