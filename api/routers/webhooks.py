import uuid

from fastapi import APIRouter

from api.deps import ActorDep, SessionDep
from api.schemas.common import Limit, Offset, Page
from api.schemas.webhooks import (
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryOut,
    WebhookOut,
    WebhookUpdate,
)
from api.services.integrations import webhooks

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_SIGNED = (
    "Each delivery is a POST of JSON `{id, type, version, occurred_at, data}` with the headers"
    " `X-Baoxue-Event`, `X-Baoxue-Delivery`, `X-Baoxue-Timestamp` and `X-Baoxue-Signature:"
    ' sha256=<hex HMAC-SHA256 of the secret over "<timestamp>.<body>">`. A 2xx answer'
    " delivers it; anything else is retried with exponential backoff and jitter, then left"
    " dead until redelivered."
)


@router.post(
    "",
    status_code=201,
    summary="Subscribe a receiver to events of an area; its signing secret is shown this once",
    description=_SIGNED,
    responses={401: {}, 403: {}, 422: {}},
)
async def create_webhook(
    body: WebhookCreate, actor: ActorDep, session: SessionDep
) -> WebhookCreated:
    return await webhooks.create(session=session, actor=actor, data=body)


@router.get("", summary="The webhook subscriptions of one's areas", responses={401: {}, 403: {}})
async def list_webhooks(
    actor: ActorDep, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> Page[WebhookOut]:
    return await webhooks.list_subscriptions(
        session=session, actor=actor, limit=limit, offset=offset
    )


@router.get(
    "/{webhook_id}", summary="One webhook subscription", responses={401: {}, 403: {}, 404: {}}
)
async def get_webhook(webhook_id: uuid.UUID, actor: ActorDep, session: SessionDep) -> WebhookOut:
    return await webhooks.get(session=session, actor=actor, subscription_id=webhook_id)


@router.patch(
    "/{webhook_id}",
    summary="Change a subscription's URL, events or area, or pause and resume it",
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def update_webhook(
    webhook_id: uuid.UUID, body: WebhookUpdate, actor: ActorDep, session: SessionDep
) -> WebhookOut:
    return await webhooks.update(
        session=session, actor=actor, subscription_id=webhook_id, data=body
    )


@router.delete(
    "/{webhook_id}",
    status_code=204,
    summary="Delete a subscription and its delivery log",
    responses={401: {}, 403: {}, 404: {}},
)
async def delete_webhook(webhook_id: uuid.UUID, actor: ActorDep, session: SessionDep) -> None:
    await webhooks.remove(session=session, actor=actor, subscription_id=webhook_id)


@router.post(
    "/{webhook_id}/ping",
    status_code=202,
    summary="Send a test `ping` event to this subscription alone",
    responses={401: {}, 403: {}, 404: {}, 409: {}},
)
async def ping_webhook(
    webhook_id: uuid.UUID, actor: ActorDep, session: SessionDep
) -> WebhookDeliveryOut:
    return await webhooks.ping(session=session, actor=actor, subscription_id=webhook_id)


@router.get(
    "/{webhook_id}/deliveries",
    summary="A subscription's delivery log, newest first",
    responses={401: {}, 403: {}, 404: {}},
)
async def list_deliveries(
    webhook_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[WebhookDeliveryOut]:
    return await webhooks.deliveries(
        session=session, actor=actor, subscription_id=webhook_id, limit=limit, offset=offset
    )


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    status_code=202,
    summary="Send a dead or failed delivery again now, its attempts counted afresh",
    responses={401: {}, 403: {}, 404: {}, 409: {}},
)
async def redeliver(
    delivery_id: uuid.UUID, actor: ActorDep, session: SessionDep
) -> WebhookDeliveryOut:
    return await webhooks.redeliver(session=session, actor=actor, delivery_id=delivery_id)
