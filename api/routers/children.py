import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, SessionDep, SettingsDep
from api.models.vocabulary import SchoolingStatus
from api.schemas.children import ChildDetail, ChildListItem
from api.schemas.common import AreaQuery, Limit, Offset, Page, SearchQuery
from api.services import children
from api.services.children import ChildFilter

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
    status: Annotated[list[SchoolingStatus] | None, Query()] = None,
    q: SearchQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ChildListItem]:
    filters = ChildFilter(area=area, school_id=school, statuses=tuple(status or ()), q=q)
    items, total = await children.search(
        session=session, actor=actor, settings=settings, filters=filters, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{child_id}",
    summary="One child whole; a full read of personal data is audited",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_child(
    child_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> ChildDetail:
    return await children.get(session=session, actor=actor, settings=settings, child_id=child_id)
