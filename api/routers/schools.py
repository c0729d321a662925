import uuid

from fastapi import APIRouter

from api.deps import ActorDep, SessionDep, SettingsDep
from api.models.vocabulary import SchoolKind
from api.schemas.common import AreaQuery, Limit, Offset, Page, SearchQuery
from api.schemas.schools import SchoolDetail, SchoolOut
from api.services import schools
from api.services.schools import SchoolFilter

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
    school_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> SchoolDetail:
    return await schools.get(session=session, actor=actor, settings=settings, school_id=school_id)
