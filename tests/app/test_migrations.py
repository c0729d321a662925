"""Alembic owns the schema: up, down and up again, with no drift from the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from api.models import metadata
from tests.databases import downgrade, fresh_database, migrate


async def _inspect(url: str) -> tuple[set[str], list[object]]:
    engine = create_async_engine(url)

    def read(connection: Connection) -> tuple[set[str], list[object]]:
        tables = set(inspect(connection).get_table_names())
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        if "user" in tables:  # accounts come from administrators or the demo seed, never a schema
            assert connection.execute(text('SELECT count(*) FROM "user"')).scalar_one() == 0
        return tables, list(compare_metadata(context, metadata))

    try:
        async with engine.connect() as connection:
            return await connection.run_sync(read)
    finally:
        await engine.dispose()


async def test_upgrade_creates_every_table_and_matches_the_models() -> None:
    async with fresh_database() as url:
        await migrate(url)
        tables, drift = await _inspect(url)
    assert set(metadata.tables) <= tables
    assert drift == []


async def test_downgrade_to_base_removes_everything_and_upgrade_again_works() -> None:
    async with fresh_database() as url:
        await migrate(url)
        await downgrade(url)
        tables, _ = await _inspect(url)
        assert tables == {"alembic_version"}
        await migrate(url)
        tables, drift = await _inspect(url)
        assert set(metadata.tables) <= tables
        assert drift == []
