"""The async engine and sessions, for SQLite (embedded default) and PostgreSQL."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from api.services.core import audit
from api.settings import Settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while a sync batch writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def ensure_sqlite_directory(database_url: str) -> None:
    """SQLite creates its file but not the folder it lives in."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        ensure_sqlite_directory(settings.database_url)
        engine = create_async_engine(
            url, connect_args={"timeout": settings.database_timeout_seconds}
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        pool_pre_ping=True,
        connect_args={
            "timeout": settings.database_timeout_seconds,
            # JIT compiles a query's expressions when its estimated cost is high, as a report's
            # correlated subqueries' is: 800 ms of compiling for a 600 ms county report. Our
            # queries are short and many; compiling never pays for itself.
            "server_settings": {"jit": "off"},
        },
    )


def create_sessionmaker(
    engine: AsyncEngine, *, settings: Settings
) -> async_sessionmaker[AsyncSession]:
    """Sessions carrying the key of the audit log's digests (``core.audit``), derived once."""
    return async_sessionmaker(
        engine,
        class_=AsyncSession,
        expire_on_commit=False,
        info={audit.DIGEST_KEY: audit.digest_key(settings.signing_key())},
    )


async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session
