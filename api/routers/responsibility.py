import uuid
from datetime import date

from fastapi import APIRouter

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.common import AreaQuery, Limit, Offset
from api.schemas.responsibility import GapReport, Responsibility
from api.services import responsibility, responsibility_gaps

router = APIRouter(tags=["responsibility"])


@router.get(
    "/children/{child_id}/responsibility",
    summary="The dual-line chain (双线控辍) for one child, gaps shown as such",
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def child_responsibility(
    child_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    on: date | None = None,
) -> Responsibility:
    return await responsibility.chain(
        session=session, actor=actor, settings=settings, child_id=child_id, on=on
    )


@router.get(
    "/responsibility/gaps",
    summary="Villages, groups, schools, classes and children nobody answers for",
    responses={401: {}, 403: {}, 422: {}},
)
async def responsibility_gaps_report(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> GapReport:
    return await responsibility_gaps.report(
        session=session, actor=actor, settings=settings, area=area, limit=limit, offset=offset
    )
