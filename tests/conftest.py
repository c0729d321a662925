from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from sqlalchemy import delete, event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from api.db import create_engine, create_sessionmaker
from api.models import metadata
from api.models.vocabulary import UserRole
from api.observability import current_request_id
from api.services.access import passwords
from api.settings import Settings
from tests import audit_check
from tests import world as w
from tests.databases import backend, fresh_database, migrate


def pytest_report_header() -> str:
    return f"database backend: {backend()}"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Argon2id at argon2-cffi's own test profile: the production cost (about 0.2 s a hash
    or check here, by design) spent at every account made and every login, hundreds of times,
    is minutes of CI and proves nothing more. The algorithm and the code paths are the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
        yield


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """One migrated database for the session; tests clean up after themselves (see ``db``)."""
    async with fresh_database() as url:
        await migrate(url)
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        log_format="console",
        log_level="WARNING",
        data_dir=tmp_path_factory.mktemp("data"),
        pwa_dist=Path("/nonexistent"),
    )


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The session's database, emptied after the test so the next one starts clean."""
    yield engine
    async with engine.begin() as connection, append_only_lifted(connection):
        for table in reversed(metadata.sorted_tables):
            await connection.execute(delete(table))


@asynccontextmanager
async def append_only_lifted(connection: AsyncConnection) -> AsyncIterator[None]:
    """Between tests only: the audit log's append-only triggers are set aside to empty it."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        yield
        await connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        return
    triggers = (
        await connection.execute(
            text(
                "SELECT name, sql FROM sqlite_master"
                " WHERE type = 'trigger' AND tbl_name = 'audit_event'"
            )
        )
    ).all()
    for name, _ in triggers:
        await connection.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _, sql in triggers:
        await connection.execute(text(sql))


@pytest.fixture
async def session(db: AsyncEngine, settings: Settings) -> AsyncIterator[AsyncSession]:
    async with create_sessionmaker(db, settings=settings)() as session:
        yield session


@pytest.fixture
def app(settings: Settings, db: AsyncEngine) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI, db: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async def every_write_is_audited(response: httpx.Response) -> None:
        await audit_check.check(engine=db, response=response)

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://testserver",
            event_hooks={"response": [every_write_is_audited]},
        ) as client,
    ):
        yield client


@pytest.fixture
def statements(app: FastAPI) -> Iterator[list[str]]:
    """The SQL statements the app sends, each executemany once: to check that work is done
    in a bounded number of statements, whatever the number of rows."""
    sent: list[str] = []

    def note(*args: Any) -> None:
        # A request's own, not those of the app's scheduled jobs running beside it.
        if current_request_id() is not None:
            sent.append(args[2])

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    yield sent
    event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
async def world(session: AsyncSession, settings: Settings) -> w.World:
    """The small county of tests/world.py, built afresh for each test that asks for it."""
    return await w.build(session, settings)


@pytest.fixture
async def admin(client: httpx.AsyncClient, session: AsyncSession, world: w.World) -> dict[str, str]:
    """The Authorization header of a county administrator of the world's county."""
    return await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
