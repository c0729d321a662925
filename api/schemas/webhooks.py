import uuid
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field

from api.models.vocabulary import DeliveryStatus, WebhookEventType


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an http:// or https:// URL with a host")
    return value


def _distinct(value: list[WebhookEventType]) -> list[WebhookEventType]:
    return list(dict.fromkeys(value))


Url = Annotated[
    str,
    Field(min_length=8, max_length=2000, examples=["https://dashboard.example.cn/baoxue/hooks"]),
    AfterValidator(_http_url),
]
Events = Annotated[
    list[WebhookEventType],
    Field(min_length=1, max_length=len(WebhookEventType), description="the event types sent"),
    AfterValidator(_distinct),
]
AreaCode = Annotated[
    str,
    Field(
        pattern=r"^\d{6}(\d{3}){0,3}$",
        description="only the events of this area's subtree (default: the caller's area)",
        examples=["519901"],
    ),
]


class WebhookCreate(BaseModel):
    url: Url
    events: Events
    area_code: AreaCode | None = None
    description: str | None = Field(default=None, max_length=200)
    active: bool = True


class WebhookUpdate(BaseModel):
    url: Url | None = None
    events: Events | None = None
    area_code: AreaCode | None = None
    description: str | None = Field(default=None, max_length=200)
    active: bool | None = None


class WebhookOut(BaseModel):
    id: uuid.UUID
    url: str
    events: list[WebhookEventType]
    area_code: str
    description: str | None
    active: bool
    created_by_id: uuid.UUID
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="signs every delivery (X-Baoxue-Signature); shown this once, keep it"
    )


class WebhookDeliveryOut(BaseModel):
    id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="when it is tried next, if it is")
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
