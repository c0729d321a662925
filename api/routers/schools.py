import uuid

from fastapi import APIRouter, Response

from api import responses
from api.deps import ActorDep, IfMatchDep, SessionDep, SettingsDep
from api.models.vocabulary import SchoolKind
from api.schemas.common import AreaQuery, Limit, Offset, Page, SearchQuery
from api.schemas.schools import (
    SchoolClassCreate,
    SchoolClassOut,
    SchoolCreate,
    SchoolDetail,
    SchoolOut,
    SchoolUpdate,
)
from api.services.registry import school_registry, schools
from api.services.registry.schools import SchoolFilter

router = APIRouter(prefix="/schools", tags=["schools"])


@router.get("", summary="Schools within the caller's scope", responses={401: {}, 403: {}})
async def list_schools(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    kind: SchoolKind | None = None,
    q: SearchQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SchoolOut]:
    filters = SchoolFilter(area=area, kind=kind, q=q)
    items, total = await schools.search(
        session=session,
        actor=actor,
        settings=settings,
        filters=filters,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{school_id}", summary="One school with its classes", responses={401: {}, 403: {}, 404: {}}
)
async def get_school(
    school_id: uuid.UUID,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> SchoolDetail:
    detail = await schools.get(session=session, actor=actor, settings=settings, school_id=school_id)
    responses.set_etag(response, detail.version)
    return detail


@router.post(
    "",
    status_code=201,
    summary="Register a school (county administrators)",
    responses={401: {}, 403: {}, 409: {}, 422: {}},
)
async def create_school(
    body: SchoolCreate,
    once: responses.OnceDep,
    actor: ActorDep,
    session: SessionDep,
) -> SchoolDetail:
    created = await once.create(
        body=body,
        write=lambda: school_registry.create(session=session, actor=actor, data=body),
    )
    return SchoolDetail.model_validate(created)


@router.patch(
    "/{school_id}",
    summary="Change a school's name, address, phone or grades; send If-Match",
    responses={401: {}, 403: {}, 404: {}, 412: {}, 422: {}},
)
async def update_school(
    school_id: uuid.UUID,
    body: SchoolUpdate,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    expected_version: IfMatchDep,
) -> SchoolDetail:
    detail = await school_registry.update(
        session=session,
        actor=actor,
        school_id=school_id,
        data=body,
        expected_version=expected_version,
    )
    responses.set_etag(response, detail.version)
    return detail


@router.post(
    "/{school_id}/classes",
    status_code=201,
    summary="Open a class for a school year",
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def add_class(
    school_id: uuid.UUID, body: SchoolClassCreate, actor: ActorDep, session: SessionDep
) -> SchoolClassOut:
    return await school_registry.add_class(
        session=session, actor=actor, school_id=school_id, data=body
    )
