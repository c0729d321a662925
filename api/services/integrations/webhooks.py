"""Webhook subscriptions, kept by county administrators for the systems they connect, the
events told to them, and their delivery.

Events go through an outbox: ``emit`` adds the event and a delivery per subscription that
wants it to the caller's transaction, so an event is sent exactly when its change committed.
``deliver_due`` (the scheduler's job) posts the deliveries due, signed, and retries the failed
ones with backoff until they are dead; all its state is in the database, so a restart loses
nothing and a receiver that was down gets everything once it is back.
"""

import asyncio
import hashlib
import hmac
import json
import random
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Case, Child, Household, metadata
from api.models.base import utcnow
from api.models.vocabulary import AuditAction, DeliveryStatus, WebhookEventType
from api.models.webhook import WebhookDelivery, WebhookEvent, WebhookSubscription
from api.schemas.common import Page
from api.schemas.webhooks import (
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryOut,
    WebhookOut,
    WebhookUpdate,
)
from api.services.access import scoping
from api.services.access.permissions import Action, Resource, require
from api.services.core import audit, records
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput
from api.settings import Settings

PING = "ping"  # sent to one subscription on request, whatever events it wants
VERSION = 1  # of the payloads; a change that breaks a receiver makes a new one


# The outbox -------------------------------------------------------------------------------


async def emit(
    *,
    session: AsyncSession,
    type: str,  # the event's field, as receivers see it
    area_code: str,
    payload: dict[str, Any],
    only: uuid.UUID | None = None,
) -> WebhookEvent | None:
    """Add the event, and a delivery to each active subscription of its type whose area holds
    ``area_code`` (only to ``only``, given one), to the caller's transaction: no commit. An
    event nobody subscribes to is not kept."""
    made = await emit_many(session=session, events=[(type, area_code, payload)], only=only)
    return made[0] if made else None


async def _subscriptions(
    session: AsyncSession, only: uuid.UUID | None = None
) -> Sequence[WebhookSubscription]:
    # A county has a handful of subscriptions: matched in Python, not per event in SQL.
    query = select(WebhookSubscription).where(col(WebhookSubscription.active))
    if only is not None:
        query = select(WebhookSubscription).where(col(WebhookSubscription.id) == only)
    with session.no_autoflush:  # the caller's rows are the caller's to flush (see emit_many)
        return (await session.exec(query)).all()


async def emit_many(
    *,
    session: AsyncSession,
    events: Sequence[tuple[str, str, dict[str, Any]]],
    only: uuid.UUID | None = None,
    subscriptions: Sequence[WebhookSubscription] | None = None,
) -> list[WebhookEvent]:
    """``emit`` for several events (type, area, payload): the subscriptions read once."""
    if subscriptions is None:
        subscriptions = await _subscriptions(session, only) if events else []
    made: list[WebhookEvent] = []
    deliveries: list[WebhookDelivery] = []
    for kind, area_code, payload in events:
        event = WebhookEvent(type=kind, version=VERSION, area_code=area_code, payload=payload)
        wanting = [
            subscription.id
            for subscription in subscriptions
            if (only is not None or kind in subscription.event_types)
            and area_code.startswith(subscription.area_code)
        ]
        if wanting:
            made.append(event)
            deliveries.extend(
                WebhookDelivery(event_id=event.id, subscription_id=each) for each in wanting
            )
    if made:
        # Inserted now, in the caller's transaction, and not flushed with the rest of it: the
        # caller's own rows (a case against the one-open-case index) fail at its commit.
        connection = await session.connection()
        for table, rows in (("webhook_event", made), ("webhook_delivery", deliveries)):
            await connection.execute(
                sa.insert(metadata.tables[table]), [row.model_dump() for row in rows]
            )
    return made


async def _areas_of_children(
    session: AsyncSession, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    with session.no_autoflush:
        rows = await session.exec(
            select(Child.id, Child.area_code).where(col(Child.id).in_(list(set(child_ids))))
        )
        return dict(rows.all())


async def _listened(session: AsyncSession, kind: str) -> Sequence[WebhookSubscription]:
    """The active subscriptions to ``kind``; none, and the caller skips its lookups."""
    return [s for s in await _subscriptions(session) if kind in s.event_types]


async def _about_cases(
    session: AsyncSession,
    kind: WebhookEventType,
    cases: Sequence[Case],
    detail: Callable[[Case], dict[str, Any]],
) -> None:
    """``kind`` for each of these cases, filed under the child's area: the case, the child,
    the status and the area, and the event's own ``detail``."""
    if not cases or not (listening := await _listened(session, kind)):
        return
    areas = await _areas_of_children(session, [case.child_id for case in cases])
    events = [
        (
            kind,
            areas[case.child_id],
            {
                "case_id": str(case.id),
                "child_id": str(case.child_id),
                "status": case.status.value,
                "area_code": areas[case.child_id],
                **detail(case),
            },
        )
        for case in cases
    ]
    await emit_many(session=session, subscriptions=listening, events=events)


async def cases_opened(*, session: AsyncSession, cases: Sequence[Case]) -> None:
    """``case.created`` for each of these cases (Case rows)."""
    await _about_cases(
        session,
        WebhookEventType.CASE_CREATED,
        cases,
        lambda case: {
            "source": case.source.value,
            "school_id": str(case.school_id) if case.school_id else None,
            "reported_at": case.reported_at.isoformat(),
        },
    )


async def cases_overdue(*, session: AsyncSession, cases: Sequence[Case]) -> None:
    """``case.overdue`` for each of these cases, found past the county deadline (不过周)."""
    await _about_cases(
        session,
        WebhookEventType.CASE_OVERDUE,
        cases,
        lambda case: {"county_due_at": case.county_due_at.isoformat()},
    )


async def case_moved(
    *, session: AsyncSession, case: Case, action: str, from_status: str, to_status: str
) -> None:
    """``case.status_changed``, filed under the child's area."""
    kind = WebhookEventType.CASE_STATUS_CHANGED
    if not (listening := await _listened(session, kind)):
        return
    area = (await _areas_of_children(session, [case.child_id]))[case.child_id]
    payload = {"case_id": str(case.id), "child_id": str(case.child_id), "action": action,
               "from_status": from_status, "to_status": to_status, "area_code": area}  # fmt: skip
    await emit_many(session=session, events=[(kind, area, payload)], subscriptions=listening)


async def visit_batch_received(
    *, session: AsyncSession, actor: Actor, household_ids: Sequence[uuid.UUID], counts: Any
) -> None:
    """``visit.batch_received``, once per batch, filed under the narrowest area holding every
    household visited (a receiver of a village hears of the batches of its village)."""
    kind = WebhookEventType.VISIT_BATCH_RECEIVED
    if not (listening := await _listened(session, kind)):
        return
    with session.no_autoflush:
        codes = (
            await session.exec(
                select(Household.area_code)
                .where(col(Household.id).in_(list(set(household_ids))))
                .distinct()
            )
        ).all()
    area = _common_area([*codes] or list(actor.area_codes))
    payload = {"area_code": area, "visitor_id": str(actor.user_id), "counts": counts}
    await emit_many(session=session, events=[(kind, area, payload)], subscriptions=listening)


def _common_area(codes: list[str]) -> str:
    shared = min(codes, key=len) if codes else ""
    while shared and not all(code.startswith(shared) for code in codes):
        shared = shared[: len(shared) - 3]
    return shared if len(shared) >= 6 else (codes[0][:6] if codes else "")


# Subscriptions ----------------------------------------------------------------------------


def _out(subscription: WebhookSubscription) -> WebhookOut:
    return WebhookOut(
        id=subscription.id,
        url=subscription.url,
        events=[WebhookEventType(kind) for kind in subscription.event_types],
        area_code=subscription.area_code,
        description=subscription.description,
        active=subscription.active,
        created_by_id=subscription.created_by_id,
        created_at=subscription.created_at,
    )


def _audited(subscription: WebhookSubscription) -> dict[str, Any]:
    return audit.snapshot(subscription, exclude={"secret"})


def _area(actor: Actor, area_code: str | None) -> str:
    if area_code is None:
        if len(actor.area_codes) != 1:
            raise InvalidInput("area_code", "请指定区划 (name the area: you cover several)")
        return actor.area_codes[0]
    if scoping.outside_areas(actor, [area_code]):
        raise InvalidInput("area_code", "不在您的管辖范围内 (outside your areas)")
    return area_code


async def _visible(
    *, session: AsyncSession, actor: Actor, subscription_id: uuid.UUID
) -> WebhookSubscription:
    return await scoping.one(
        session=session,
        model=WebhookSubscription,
        object_id=subscription_id,
        visible=scoping.in_areas(actor, WebhookSubscription.area_code),
    )


async def create(*, session: AsyncSession, actor: Actor, data: WebhookCreate) -> WebhookCreated:
    require(actor, Resource.WEBHOOK, Action.WRITE)
    subscription = WebhookSubscription(
        url=data.url,
        secret=secrets.token_urlsafe(32),
        event_types=[kind.value for kind in data.events],
        area_code=_area(actor, data.area_code),
        description=data.description,
        active=data.active,
        created_by_id=actor.user_id,
    )
    session.add(subscription)
    audit.created(session=session, actor=actor, new=subscription, exclude={"secret"})
    await session.commit()
    return WebhookCreated(**_out(subscription).model_dump(), secret=subscription.secret)


async def list_subscriptions(
    *, session: AsyncSession, actor: Actor, limit: int, offset: int
) -> Page[WebhookOut]:
    require(actor, Resource.WEBHOOK, Action.READ)
    visible = scoping.in_areas(actor, WebhookSubscription.area_code)
    total = (
        await session.exec(select(func.count()).select_from(WebhookSubscription).where(visible))
    ).one()
    rows = await session.exec(
        select(WebhookSubscription)
        .where(visible)
        .order_by(col(WebhookSubscription.created_at).desc(), col(WebhookSubscription.id))
        .limit(limit)
        .offset(offset)
    )
    return Page(items=[_out(s) for s in rows.all()], total=total, limit=limit, offset=offset)


async def get(*, session: AsyncSession, actor: Actor, subscription_id: uuid.UUID) -> WebhookOut:
    require(actor, Resource.WEBHOOK, Action.READ)
    return _out(await _visible(session=session, actor=actor, subscription_id=subscription_id))


async def update(
    *, session: AsyncSession, actor: Actor, subscription_id: uuid.UUID, data: WebhookUpdate
) -> WebhookOut:
    require(actor, Resource.WEBHOOK, Action.WRITE)
    subscription = await _visible(session=session, actor=actor, subscription_id=subscription_id)
    before = _audited(subscription)
    given = data.model_dump(exclude_unset=True)
    if faults := records.blanked(given, {"url"}):
        raise InvalidInput.of(faults)
    for name in ("url", "description"):
        if name in given:
            setattr(subscription, name, given[name])
    if given.get("active") is not None:
        subscription.active = given["active"]
    if data.events is not None:
        subscription.event_types = [kind.value for kind in data.events]
    if data.area_code is not None:
        subscription.area_code = _area(actor, data.area_code)
    changes = audit.diff(before, _audited(subscription))
    if changes:
        audit.record(
            session=session,
            action=AuditAction.UPDATE,
            actor=actor,
            object_type=WebhookSubscription.__tablename__,
            object_id=subscription.id,
            changes=changes,
        )
        await session.commit()
    return _out(subscription)


async def remove(*, session: AsyncSession, actor: Actor, subscription_id: uuid.UUID) -> None:
    """Delete the subscription and its delivery log; its events stay, others may want them."""
    require(actor, Resource.WEBHOOK, Action.WRITE)
    subscription = await _visible(session=session, actor=actor, subscription_id=subscription_id)
    audit.record(
        session=session,
        action=AuditAction.REMOVE,
        actor=actor,
        object_type=WebhookSubscription.__tablename__,
        object_id=subscription.id,
        changes=audit.diff(_audited(subscription), None),
    )
    await session.exec(
        delete(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == subscription.id)
    )
    await session.delete(subscription)
    await session.commit()


# Deliveries -------------------------------------------------------------------------------


def _delivery_out(delivery: WebhookDelivery, event_type: str) -> WebhookDeliveryOut:
    return WebhookDeliveryOut(**delivery.model_dump(), event_type=event_type)


async def ping(
    *, session: AsyncSession, actor: Actor, subscription_id: uuid.UUID
) -> WebhookDeliveryOut:
    """A ``ping`` event to this subscription alone, sent by the worker like any other."""
    require(actor, Resource.WEBHOOK, Action.WRITE)
    subscription = await _visible(session=session, actor=actor, subscription_id=subscription_id)
    if not subscription.active:
        raise Conflict("订阅已停用 (the subscription is paused: activate it first)")
    event = await emit(
        session=session,
        type=PING,
        area_code=subscription.area_code,
        payload={"subscription_id": str(subscription.id), "by": actor.username},
        only=subscription.id,
    )
    assert event is not None  # its one subscriber is this one
    audit.record(
        session=session,
        action=AuditAction.CREATE,
        actor=actor,
        object_type=WebhookEvent.__tablename__,
        object_id=event.id,
        changes=audit.diff(None, {"type": PING, "subscription_id": str(subscription.id)}),
    )
    await session.commit()
    delivery = (
        await session.exec(select(WebhookDelivery).where(col(WebhookDelivery.event_id) == event.id))
    ).one()
    return _delivery_out(delivery, PING)


async def deliveries(
    *, session: AsyncSession, actor: Actor, subscription_id: uuid.UUID, limit: int, offset: int
) -> Page[WebhookDeliveryOut]:
    """The subscription's delivery log, newest first."""
    require(actor, Resource.WEBHOOK, Action.READ)
    subscription = await _visible(session=session, actor=actor, subscription_id=subscription_id)
    mine = col(WebhookDelivery.subscription_id) == subscription.id
    total = (
        await session.exec(select(func.count()).select_from(WebhookDelivery).where(mine))
    ).one()
    rows = await session.exec(
        select(WebhookDelivery, WebhookEvent.type)
        .join(WebhookEvent, col(WebhookEvent.id) == col(WebhookDelivery.event_id))
        .where(mine)
        .order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc())
        .limit(limit)
        .offset(offset)
    )
    items = [_delivery_out(delivery, kind) for delivery, kind in rows.all()]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def redeliver(
    *, session: AsyncSession, actor: Actor, delivery_id: uuid.UUID, now: datetime | None = None
) -> WebhookDeliveryOut:
    """A dead or failed delivery sent again now, with its attempts counted afresh."""
    require(actor, Resource.WEBHOOK, Action.WRITE)
    visible = col(WebhookDelivery.subscription_id).in_(
        select(WebhookSubscription.id).where(scoping.in_areas(actor, WebhookSubscription.area_code))
    )
    delivery = await scoping.one(
        session=session, model=WebhookDelivery, object_id=delivery_id, visible=visible
    )
    if delivery.status not in (DeliveryStatus.DEAD, DeliveryStatus.FAILED):
        raise Conflict(
            f"这次投递处于 {delivery.status.value}，无需重发 (only a dead or failed one is resent)",
            delivery_status=delivery.status.value,
        )
    before = audit.snapshot(delivery)
    delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
    delivery.next_attempt_at = now or utcnow()
    audit.record(
        session=session,
        action=AuditAction.UPDATE,
        actor=actor,
        object_type=WebhookDelivery.__tablename__,
        object_id=delivery.id,
        changes=audit.diff(before, audit.snapshot(delivery)),
    )
    kind = (
        await session.exec(
            select(WebhookEvent.type).where(col(WebhookEvent.id) == delivery.event_id)
        )
    ).one()
    await session.commit()
    return _delivery_out(delivery, kind)


# Sending ----------------------------------------------------------------------------------

_BATCH = 50  # deliveries claimed per run; the rest wait for the next, seconds later


@dataclass(frozen=True)
class _Claimed:
    delivery_id: uuid.UUID
    attempts: int
    url: str
    secret: str
    event: WebhookEvent


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The X-Baoxue-Signature of a delivery: HMAC-SHA256 over "<timestamp>.<body>"."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def body(event: WebhookEvent) -> bytes:
    return json.dumps(
        {
            "id": str(event.id),
            "type": event.type,
            "version": event.version,
            "occurred_at": event.occurred_at.isoformat(),
            "data": event.payload,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling from the base up to the cap, and
    jittered so that receivers coming back are not hit by every retry at once."""
    exponent = min(attempts - 1, 30)  # 2^30 bases exceed any cap; keeps the float finite
    seconds = min(
        settings.webhook_retry_cap_seconds, settings.webhook_retry_base_seconds * 2**exponent
    )
    return timedelta(seconds=seconds * random.uniform(0.5, 1.0))  # jitter, not a secret


async def _claim(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, now: datetime
) -> list[_Claimed]:
    """Take the due deliveries of active subscriptions, each for one sender: on PostgreSQL
    the rows are locked and others skip them; the lease (next_attempt_at pushed past the
    send's timeout) keeps the next run off them, and hands them back if this one dies."""
    lease = now + timedelta(seconds=settings.webhook_timeout_seconds + 30)
    async with sessionmaker() as session:
        rows = (
            await session.exec(
                select(WebhookDelivery, WebhookSubscription.url, WebhookSubscription.secret)
                .join(
                    WebhookSubscription,
                    col(WebhookSubscription.id) == col(WebhookDelivery.subscription_id),
                )
                .where(
                    col(WebhookDelivery.next_attempt_at) <= now,
                    col(WebhookDelivery.status).in_(
                        [DeliveryStatus.PENDING, DeliveryStatus.FAILED]
                    ),
                    col(WebhookSubscription.active),
                )
                .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
                .limit(_BATCH)
                .with_for_update(skip_locked=True, of=WebhookDelivery)  # SQLite: none, one writer
            )
        ).all()
        if not rows:
            return []
        ids = [delivery.id for delivery, _, _ in rows]
        await session.exec(
            sa.update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(ids))
            .values(next_attempt_at=lease)
        )
        events = {
            event.id: event
            for event in (
                await session.exec(
                    select(WebhookEvent).where(
                        col(WebhookEvent.id).in_({d.event_id for d, _, _ in rows})
                    )
                )
            ).all()
        }
        await session.commit()
    return [
        _Claimed(delivery.id, delivery.attempts, url, secret, events[delivery.event_id])
        for delivery, url, secret in rows
    ]


async def _send(client: httpx.AsyncClient, claimed: _Claimed) -> tuple[int | None, str | None]:
    """The receiver's status code, or why there is none."""
    content = body(claimed.event)
    timestamp = str(int(utcnow().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Baoxue-Webhooks/1",
        "X-Baoxue-Event": claimed.event.type,
        "X-Baoxue-Delivery": str(claimed.delivery_id),
        "X-Baoxue-Timestamp": timestamp,
        "X-Baoxue-Signature": signature(secret=claimed.secret, timestamp=timestamp, body=content),
    }
    try:
        response = await client.post(claimed.url, content=content, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if response.is_success:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}: {response.text[:200]}"


def _outcome(
    settings: Settings, claimed: _Claimed, code: int | None, error: str | None, now: datetime
) -> dict[str, Any]:
    attempts = claimed.attempts + 1
    if error is None:
        return {"status": DeliveryStatus.DELIVERED, "attempts": attempts, "next_attempt_at": None,
                "last_status_code": code, "last_error": None, "delivered_at": now}  # fmt: skip
    dead = attempts >= settings.webhook_max_attempts
    return {
        "status": DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED,
        "attempts": attempts,
        "next_attempt_at": None if dead else now + backoff(settings, attempts),
        "last_status_code": code,
        "last_error": error,
    }


async def deliver_due(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    client: httpx.AsyncClient,
    now: datetime | None = None,
) -> dict[str, int]:
    """Send the deliveries due, at once, and record each outcome: how many went and failed."""
    claimed = await _claim(sessionmaker, settings, now or utcnow())
    if not claimed:
        return {"delivered": 0, "failed": 0}
    sent = await asyncio.gather(*(_send(client, each) for each in claimed))
    done = utcnow()
    async with sessionmaker() as session:
        for each, (code, error) in zip(claimed, sent, strict=True):
            await session.exec(
                sa.update(WebhookDelivery)
                .where(col(WebhookDelivery.id) == each.delivery_id)
                .values(**_outcome(settings, each, code, error, done))
            )
        await session.commit()
    failed = sum(error is not None for _, error in sent)
    return {"delivered": len(sent) - failed, "failed": failed}
