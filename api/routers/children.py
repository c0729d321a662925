import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import responses
from api.deps import ActorDep, IfMatchDep, SessionDep, SettingsDep
from api.models.vocabulary import LeftBehind, SchoolingStatus
from api.schemas.children import ChildCreate, ChildDetail, ChildListItem, ChildUpdate
from api.schemas.common import AreaQuery, Limit, Offset, Page, Reason, SearchQuery
from api.schemas.enrolments import ChildTransferCreate, EnrolmentOut
from api.schemas.schooling_status import StatusChangeCreate, StatusChangeOut
from api.services.registry import child_search, children, enrolments
from api.services.registry.child_search import ChildFilter, ChildSort
from api.services.status import schooling_status

router = APIRouter(prefix="/children", tags=["children"])


@router.get(
    "",
    summary="Children within the caller's scope; ID numbers masked",
    responses={401: {}, 403: {}},
)
async def list_children(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    school: uuid.UUID | None = None,
    grade: Annotated[int | None, Query(ge=1, le=9, description="enrolled this school year")] = None,
    status: Annotated[list[SchoolingStatus] | None, Query()] = None,
    q: SearchQuery = None,
    compulsory_age: bool | None = None,
    left_behind: LeftBehind | None = None,
    has_disability: bool | None = None,
    is_orphan: bool | None = None,
    is_unattended: bool | None = None,
    is_in_hardship: bool | None = None,
    is_migrant: bool | None = None,
    poverty_registered: bool | None = None,
    sort: ChildSort = ChildSort.AREA,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ChildListItem]:
    filters = ChildFilter(
        area=area,
        school_id=school,
        grade=grade,
        statuses=tuple(status or ()),
        q=q,
        compulsory_age=compulsory_age,
        left_behind=left_behind,
        has_disability=has_disability,
        is_orphan=is_orphan,
        is_unattended=is_unattended,
        is_in_hardship=is_in_hardship,
        is_migrant=is_migrant,
        poverty_registered=poverty_registered,
    )
    items, total = await child_search.search(
        session=session,
        actor=actor,
        settings=settings,
        filters=filters,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "",
    status_code=201,
    summary="Register a child in a household; an ID number already registered is a 409",
    responses={401: {}, 403: {}, 409: {}, 422: {}},
)
async def create_child(
    body: ChildCreate,
    once: responses.OnceDep,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ChildDetail:
    created = await once.create(
        body=body,
        write=lambda: children.create(session=session, actor=actor, settings=settings, data=body),
    )
    return ChildDetail.model_validate(created)


@router.get(
    "/{child_id}",
    summary="One child whole; a full read of personal data is audited",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_child(
    child_id: uuid.UUID,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ChildDetail:
    detail = await children.get(session=session, actor=actor, settings=settings, child_id=child_id)
    responses.set_etag(response, detail.version)
    return detail


@router.patch(
    "/{child_id}",
    summary="Change what is recorded of a child; send If-Match with the ETag read",
    responses={401: {}, 403: {}, 404: {}, 409: {}, 412: {}, 422: {}},
)
async def update_child(
    child_id: uuid.UUID,
    body: ChildUpdate,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    expected_version: IfMatchDep,
) -> ChildDetail:
    detail = await children.update(
        session=session,
        actor=actor,
        settings=settings,
        child_id=child_id,
        data=body,
        expected_version=expected_version,
    )
    responses.set_etag(response, detail.version)
    return detail


@router.delete(
    "/{child_id}",
    status_code=204,
    summary="Remove a child registered by mistake; the record is kept with the reason",
    responses={401: {}, 403: {}, 404: {}, 412: {}},
)
async def remove_child(
    child_id: uuid.UUID,
    reason: Reason,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    expected_version: IfMatchDep,
) -> Response:
    await children.remove(
        session=session,
        actor=actor,
        settings=settings,
        child_id=child_id,
        reason=reason,
        expected_version=expected_version,
    )
    return Response(status_code=204)


@router.post(
    "/{child_id}/status-changes",
    status_code=201,
    summary="Change a child's schooling status; a change the rules do not allow is a 409 "
    "listing the allowed ones",
    responses={401: {}, 403: {}, 404: {}, 409: {}, 412: {}, 422: {}},
)
async def change_status(
    child_id: uuid.UUID,
    body: StatusChangeCreate,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    expected_version: IfMatchDep,
) -> StatusChangeOut:
    return await schooling_status.change(
        session=session,
        actor=actor,
        settings=settings,
        child_id=child_id,
        data=body,
        expected_version=expected_version,
    )


@router.get(
    "/{child_id}/status-changes",
    summary="The history of a child's schooling status, newest first",
    responses={401: {}, 403: {}, 404: {}},
)
async def status_history(
    child_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[StatusChangeOut]:
    items, total = await schooling_status.history(
        session=session,
        actor=actor,
        settings=settings,
        child_id=child_id,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/{child_id}/transfers",
    status_code=201,
    summary="Transfer this term's registration to another school (籍随人走); the old one is kept",
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def transfer(
    child_id: uuid.UUID,
    body: ChildTransferCreate,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> EnrolmentOut:
    return await enrolments.transfer(
        session=session, actor=actor, settings=settings, child_id=child_id, data=body
    )
