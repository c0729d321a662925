import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.models.base import UTCDateTime, UUIDKeyed, str_enum
from api.models.vocabulary import DropoutReason, ObservedSchooling, VisitOutcome


class Visit(UUIDKeyed, table=True):
    """入户走访: a household visited, made on a phone, often offline.

    The id is the phone's: the primary key makes a visit sent twice stored once, whatever the
    code around it does. ``content_sha256`` tells a resend of the same visit from a different
    visit under a reused id."""

    campaign_id: uuid.UUID | None = Field(default=None, foreign_key="campaign.id", index=True)
    household_id: uuid.UUID = Field(foreign_key="household.id", index=True)
    visitor_id: uuid.UUID = Field(foreign_key="user.id")  # never searched by: no index
    visited_at: datetime = Field(sa_type=UTCDateTime)  # the phone's clock
    received_at: datetime = Field(sa_type=UTCDateTime)  # the server's
    outcome: VisitOutcome = Field(sa_type=str_enum(VisitOutcome))
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0)
    note: str | None = Field(default=None, max_length=500)
    content_sha256: str = Field(max_length=64)


class VisitObservation(SQLModel, table=True):
    """What a visit found of one child: at school and where, out of school and why, or away
    and where. ``applied`` says whether it changed the child's schooling status (an
    observation older than the child's last recorded change does not). A visit observes a
    child once: the pair is the key."""

    __tablename__ = "visit_observation"

    visit_id: uuid.UUID = Field(foreign_key="visit.id", primary_key=True)
    child_id: uuid.UUID = Field(foreign_key="child.id", primary_key=True)
    observed_at: datetime = Field(sa_type=UTCDateTime)  # the visit's time, kept beside it
    schooling: ObservedSchooling = Field(sa_type=str_enum(ObservedSchooling))
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id")
    school_name: str | None = Field(default=None, max_length=100)
    grade: int | None = Field(default=None, ge=1, le=9)
    reason: DropoutReason | None = Field(default=None, sa_type=str_enum(DropoutReason))
    whereabouts: str | None = Field(default=None, max_length=200)
    applied: bool = False

    __table_args__ = (
        # A child's observations, and the latest that stands, from the index alone.
        sa.Index("ix_visit_observation_child_seen", "child_id", "applied", "observed_at"),
    )
