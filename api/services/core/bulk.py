"""Many new rows into a table, the fastest way each database takes them, in the caller's
transaction: PostgreSQL's binary COPY, SQLite's executemany of ready tuples.

Both skip SQLAlchemy's per-row work (a dict of parameters built and checked for every row, and
on PostgreSQL an array's items type-checked one by one), which cost more than the database's
own: the column types' bind processors are looked up once and applied in one pass. Rows go in
primary-key order, so each primary-key index grows at its end instead of everywhere.
"""

import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from operator import itemgetter
from typing import Any, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy import insert, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

_SQLITE_CHUNK = 20_000  # rows per executemany: a county's file in a few
_SQLITE_CACHE_KIB = 131_072

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@asynccontextmanager
async def large_cache(connection: AsyncConnection) -> AsyncIterator[None]:
    """A county's rows go into many B-trees at scattered places, where SQLite's default 2 MB
    page cache thrashes: a larger one while they go in, given back before the connection
    returns to the pool. PostgreSQL's shared buffers are the server's to size."""
    if connection.dialect.name != "sqlite":
        yield
        return
    held = (await connection.execute(text("PRAGMA cache_size"))).scalar_one()
    await connection.execute(text(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}"))
    try:
        yield
    finally:
        await connection.execute(text(f"PRAGMA cache_size = {int(held)}"))


async def insert_rows(
    *, connection: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]
) -> None:
    """``rows``, each with a value for every column of ``table``, inserted."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name == "postgresql":
        records = _records(table, rows, dialect, [column.name for column in table.c])
        await _copy(connection, table, _in_key_order(table, rows, records))
        return
    statement = insert(table).compile(dialect=dialect, column_keys=[c.name for c in table.c])
    records = _records(table, rows, dialect, list(statement.positiontup or ()))
    for chunk in chunks(_in_key_order(table, rows, records), _SQLITE_CHUNK):
        await connection.exec_driver_sql(str(statement), list(chunk))


def _in_key_order(
    table: sa.Table, rows: list[dict[str, Any]], records: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The records in the rows' primary-key order. The rows themselves stay as they are:
    read column by column in key order, rows scattered in memory cost a cache miss each."""
    key = [column.name for column in table.primary_key.columns]
    keys = [tuple(_sortable(row[name]) for name in key) for row in rows]
    return [records[i] for i in sorted(range(len(records)), key=keys.__getitem__)]


def _sortable(value: Any) -> Any:
    # As integers: comparing UUID objects costs a Python call each, seconds over a county.
    return value.int if isinstance(value, uuid.UUID) else value


def _records(
    table: sa.Table, rows: list[dict[str, Any]], dialect: Dialect, order: list[str]
) -> list[tuple[Any, ...]]:
    """Each row as the driver takes it: a tuple in ``order``, each value through its column
    type's bind processor (UTC for times, an enum's value, ...)."""
    columns = []
    for name in order:
        values = list(map(itemgetter(name), rows))
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        columns.append(values if process is None else _processed(values, process))
    return list(zip(*columns, strict=True))


def _processed(values: list[Any], process: Callable[[Any], Any]) -> list[Any]:
    # A column's values repeat (one import's timestamps, the enums, birth dates): each
    # distinct one is processed once, which on SQLite saves formatting a million timestamps.
    try:
        distinct = set(values)
    except TypeError:  # unhashable (JSON): one by one
        return list(map(process, values))
    if len(distinct) > len(values) // 2:
        return list(map(process, values))
    done = {value: process(value) for value in distinct}
    return list(map(done.__getitem__, values))


# Fewer rows than this go in as one INSERT ... SELECT FROM unnest(one array a column): a COPY
# first looks the table's columns up, which costs more than a small batch's whole insert.
_COPY_FROM = 2_000


async def _copy(
    connection: AsyncConnection, table: sa.Table, records: list[tuple[Any, ...]]
) -> None:
    driver = (await connection.get_raw_connection()).driver_connection
    if driver is not None and not driver.is_in_transaction():
        # SQLAlchemy's asyncpg adapter opens its transaction at the first statement it runs:
        # a COPY on the bare driver before then would commit on its own and escape a rollback.
        await connection.execute(text("SELECT 1"))
    if driver is None or not driver.is_in_transaction():
        raise RuntimeError("bulk.insert_rows needs a transaction, not autocommit")
    names = [column.name for column in table.c]
    try:
        if len(records) < _COPY_FROM:
            columns = [list(values) for values in zip(*records, strict=True)]
            await driver.execute(_unnest(table, connection.dialect), *columns)
        else:
            await driver.copy_records_to_table(
                table.name, records=records, columns=names, schema_name=table.schema
            )
    except asyncpg.IntegrityConstraintViolationError as exc:
        # As SQLAlchemy raises it for a statement, so callers catch one kind.
        raise IntegrityError(f"INSERT INTO {table.name}", None, exc) from exc


def _unnest(table: sa.Table, dialect: Dialect) -> str:
    """INSERT INTO t (a, b) SELECT * FROM unnest($1::type_a[], $2::type_b[]): the names and
    types are the table's own, from its metadata, never from the rows."""
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(column.name) for column in table.c)
    arrays = ", ".join(f"${n}::{_array_of(column, dialect)}" for n, column in enumerate(table.c, 1))
    return f"INSERT INTO {preparer.format_table(table)} ({names}) SELECT * FROM unnest({arrays})"  # noqa: S608


def _array_of(column: sa.Column[Any], dialect: Dialect) -> str:
    # An array is of the bare type: a collation ("C", for the codes) is the column's own.
    return column.type.compile(dialect=dialect).split(" COLLATE ")[0] + "[]"
