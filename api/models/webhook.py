"""Webhooks: third-party systems' subscriptions, the outbox of events, and each delivery."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import AreaCodeType, UTCDateTime, UUIDKeyed, str_enum, utcnow
from api.models.vocabulary import DeliveryStatus


class WebhookSubscription(UUIDKeyed, table=True):
    """A receiver's URL and the events it wants, of the areas within ``area_code``.

    ``secret`` signs every delivery, so it is kept as given out (a hash could not sign); it
    is shown once, when the subscription is made, and never again."""

    __tablename__ = "webhook_subscription"

    url: str = Field(max_length=2000)
    secret: str = Field(max_length=100)
    event_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    area_code: str = Field(sa_type=AreaCodeType)
    active: bool = True
    description: str | None = Field(default=None, max_length=200)
    created_by_id: uuid.UUID = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookEvent(UUIDKeyed, table=True):
    """The outbox: an event written in the same transaction as the change it tells of, so
    that a change committed is an event committed, and one rolled back never was."""

    __tablename__ = "webhook_event"

    type: str = Field(max_length=40)
    version: int = 1
    area_code: str = Field(sa_type=AreaCodeType)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(UUIDKeyed, table=True):
    """One event to one subscription, and how its sending has gone."""

    __tablename__ = "webhook_delivery"

    event_id: uuid.UUID = Field(foreign_key="webhook_event.id")
    subscription_id: uuid.UUID = Field(foreign_key="webhook_subscription.id")
    status: DeliveryStatus = Field(default=DeliveryStatus.PENDING, sa_type=str_enum(DeliveryStatus))
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("event_id", "subscription_id"),
        # The worker's scan: the due ones, from the index alone (delivered and dead are null).
        sa.Index("ix_webhook_delivery_due", "next_attempt_at"),
        # A subscription's log, newest first.
        sa.Index("ix_webhook_delivery_log", "subscription_id", "created_at"),
    )
