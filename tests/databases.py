"""Fresh, throwaway databases for tests, of whichever kind DATABASE_URL names.

Unset (the default) means SQLite in a temporary directory; a PostgreSQL URL means a new
database on that server per use, dropped afterwards, so that runs never share state.
"""

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from api.settings import ROOT, Settings


def server_url() -> str:
    return Settings().database_url if os.environ.get("DATABASE_URL") else ""


def backend() -> str:
    return "postgresql" if server_url().startswith("postgresql") else "sqlite"


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    if backend() == "sqlite":
        with tempfile.TemporaryDirectory(prefix="baoxue-test-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'test.db'}"
        return
    url = make_url(server_url())
    name = f"baoxue_test_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


def alembic_config(database_url: str, signing_key: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    if signing_key is not None:  # the key a migration rewriting the audit log's digests uses
        config.attributes["signing_key"] = signing_key
    return config


async def migrate(
    database_url: str, revision: str = "head", signing_key: str | None = None
) -> None:
    # Alembic's env.py runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(command.upgrade, alembic_config(database_url, signing_key), revision)


async def downgrade(database_url: str, revision: str = "base") -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), revision)
