import uuid

from fastapi import APIRouter, Response

from api import responses
from api.deps import ActorDep, IfMatchDep, SessionDep, SettingsDep
from api.schemas.common import AreaQuery, Limit, Offset, Page, Reason, SearchQuery
from api.schemas.households import (
    HouseholdCreate,
    HouseholdDetail,
    HouseholdListItem,
    HouseholdUpdate,
)
from api.schemas.visits import VisitOut
from api.services.registry import households
from api.services.registry.households import HouseholdFilter
from api.services.sweeps import visits

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
    household_id: uuid.UUID,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> HouseholdDetail:
    detail = await households.get(
        session=session, actor=actor, settings=settings, household_id=household_id
    )
    responses.set_etag(response, detail.version)
    return detail


@router.get(
    "/{household_id}/visits",
    summary="A household's visits, the latest first: what each found, and its photos",
    description="Each visit's `attachment_ids` are its photos, at `GET /attachments/{id}`.",
    responses={401: {}, 403: {}, 404: {}},
)
async def list_household_visits(
    household_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[VisitOut]:
    items, total = await visits.of_household(
        session=session,
        actor=actor,
        settings=settings,
        household_id=household_id,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "",
    status_code=201,
    summary="Register a household in a village or group of one's areas",
    responses={401: {}, 403: {}, 409: {}, 422: {}},
)
async def create_household(
    body: HouseholdCreate,
    once: responses.OnceDep,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> HouseholdDetail:
    created = await once.create(
        body=body,
        write=lambda: households.create(session=session, actor=actor, settings=settings, data=body),
    )
    return HouseholdDetail.model_validate(created)


@router.patch(
    "/{household_id}",
    summary="Change what is recorded of a household; send If-Match with the ETag read",
    responses={401: {}, 403: {}, 404: {}, 412: {}, 422: {}},
)
async def update_household(
    household_id: uuid.UUID,
    body: HouseholdUpdate,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    expected_version: IfMatchDep,
) -> HouseholdDetail:
    detail = await households.update(
        session=session,
        actor=actor,
        settings=settings,
        household_id=household_id,
        data=body,
        expected_version=expected_version,
    )
    responses.set_etag(response, detail.version)
    return detail


@router.delete(
    "/{household_id}",
    status_code=204,
    summary="Remove a household registered by mistake; the record is kept with the reason",
    responses={401: {}, 403: {}, 404: {}, 409: {}, 412: {}},
)
async def remove_household(
    household_id: uuid.UUID,
    reason: Reason,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    expected_version: IfMatchDep,
) -> Response:
    await households.remove(
        session=session,
        actor=actor,
        settings=settings,
        household_id=household_id,
        reason=reason,
        expected_version=expected_version,
    )
    return Response(status_code=204)
