import uuid

from fastapi import APIRouter

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.common import AreaQuery, Limit, Offset, Page, SearchQuery
from api.schemas.households import HouseholdDetail, HouseholdListItem
from api.services import households
from api.services.households import HouseholdFilter

router = APIRouter(prefix="/households", tags=["households"])


@router.get(
    "",
    summary="Households within the caller's scope; phone numbers masked",
    responses={401: {}, 403: {}},
)
async def list_households(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    poverty_registered: bool | None = None,
    q: SearchQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[HouseholdListItem]:
    filters = HouseholdFilter(area=area, q=q, poverty_registered=poverty_registered)
    items, total = await households.search(
        session=session, actor=actor, settings=settings, filters=filters, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{household_id}",
    summary="One household with its members; a full read of personal data is audited",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_household(
    household_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> HouseholdDetail:
    return await households.get(
        session=session, actor=actor, settings=settings, household_id=household_id
    )
