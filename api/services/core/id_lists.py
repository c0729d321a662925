"""Membership in a list of ids the caller brought (a phone's batch, a page of rows).

On PostgreSQL the list is one array parameter (``= ANY($1)``): the statement's text, and so
its prepared plan on asyncpg, is the same whatever the count, where an IN list of n
parameters is a new statement to prepare and plan for every n. SQLite has no arrays and
prepares nothing ahead: an IN list there.
"""

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession


def among(
    where: AsyncSession | AsyncConnection, column: Any, values: Collection[Any]
) -> ColumnElement[bool]:
    """``column`` is one of ``values``, said the way ``where``'s database takes it best."""
    column = col(column)
    bind = where if isinstance(where, AsyncConnection) else where.bind
    clause: ColumnElement[bool]
    if bind is not None and bind.dialect.name == "postgresql":
        clause = column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    else:
        clause = column.in_(values)
    return clause
