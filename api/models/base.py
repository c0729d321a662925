"""Column types and mixins shared by every table."""

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

# Constraint names that Alembic and both databases agree on; set before any table is declared.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Official area codes are digit strings compared by prefix; PostgreSQL's "C" collation keeps
# range scans on them byte-wise whatever the database's locale.
AreaCodeType = sa.String(15).with_variant(sa.String(15, collation="C"), "postgresql")


def byte_ordered(length: int) -> sa.types.TypeEngine[str]:
    """Text compared byte by byte on both databases (SQLite's default), so that a prefix
    search is an index range ``[prefix, next prefix)`` whatever PostgreSQL's locale."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def partial(where: str) -> dict[str, Any]:
    """An index's keyword arguments making it partial, on both databases."""
    clause = sa.text(where)
    return {"sqlite_where": clause, "postgresql_where": clause}


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored in UTC on both databases.

    SQLite has no time zone type, so values are normalised to UTC on the way in and marked
    UTC on the way out; a naive datetime is a programming error and is refused.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store times with a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# How far ahead of the server a phone's clock may run before its time counts as the future.
CLOCK_SLACK = timedelta(minutes=10)


def str_enum(enum_cls: type[StrEnum]) -> sa.Enum:
    """Store an enum as its value in a VARCHAR, so adding a value never needs a type migration."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def area_code_field(*, foreign: bool = True, index: bool = True, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_type=AreaCodeType,
        foreign_key="area.code" if foreign else None,
        index=index,
        nullable=nullable,
    )


class UUIDKeyed(SQLModel):
    # Client-made UUIDs let a phone create records offline that merge without collisions.
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)


class Timestamped(SQLModel):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


class Versioned(SQLModel):
    """An optimistic-concurrency counter, the source of ETags."""

    version: int = Field(default=1, nullable=False)


class SoftRemoved(SQLModel):
    """Personal records are never hard-deleted; a removal records when and why."""

    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_reason: str | None = Field(default=None, max_length=200)
