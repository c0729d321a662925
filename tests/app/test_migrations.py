"""Alembic owns the schema: up, down and up again, with no drift from the models; and the
rewriting of the audit log's entries made before personal fields were kept masked."""

import importlib.util
import json
import uuid
from types import ModuleType

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from api.models import AuditEvent, metadata
from api.models.base import utcnow
from api.services.core import audit
from api.settings import ROOT
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


def _masking_migration() -> ModuleType:
    [path] = (ROOT / "alembic" / "versions").glob("*_0021_audit_personal_fields_masked.py")
    spec = importlib.util.spec_from_file_location("migration_0021", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OLD_CHANGES = {
    "name": {"before": None, "after": "张小虎"},
    "id_number": {"before": None, "after": "510821201703011235"},
    "guardians": [{"guardian_id": "g", "phone": "13700001111", "id_number": None}],
    "applicant_phone": {"before": "13800001234", "after": "13811111234"},
    "student_number": {"after": "G510821201703011235"},
}


def test_the_migration_masks_as_the_app_does() -> None:
    migration = _masking_migration()
    key = audit.digest_key("the signing key")
    assert migration.digest_key("the signing key") == key
    kept = audit.protected(OLD_CHANGES, key=key)
    assert migration.protected(OLD_CHANGES, key=key) == kept
    assert migration.protected(kept, key=key) == kept  # run again: nothing changes


async def test_upgrade_rewrites_entries_written_in_full_before() -> None:
    full = ("510821201703011235", "13700001111", "13800001234", "13811111234")
    ids = [uuid.uuid4() for _ in range(3)]
    async with fresh_database() as url:
        await migrate(url, "0020")
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    sa.insert(AuditEvent),
                    [
                        {
                            "id": ids[0],
                            "occurred_at": utcnow(),
                            "action": "create",
                            "changes": OLD_CHANGES,
                            "detail": None,
                        },
                        {
                            "id": ids[1],
                            "occurred_at": utcnow(),
                            "action": "update",
                            "changes": None,
                            "detail": json.dumps({"mobile": "13800001234", "rows": 2}),
                        },
                        {
                            "id": ids[2],
                            "occurred_at": utcnow(),
                            "action": "update",
                            "changes": {"grade": {"before": 3, "after": 4}},
                            "detail": "kept",
                        },
                    ],
                )
            await migrate(url, signing_key="the signing key")
            async with engine.connect() as connection:
                rows = {
                    row.id: row
                    for row in await connection.execute(
                        sa.select(AuditEvent.id, AuditEvent.changes, AuditEvent.detail)  # type: ignore[call-overload]
                    )
                }
                raw = json.dumps(
                    [
                        list(row)
                        for row in (
                            await connection.execute(
                                text("SELECT changes, detail FROM audit_event")
                            )
                        ).all()
                    ]
                )
                with pytest.raises(DBAPIError, match="append-only"):  # triggers back in place
                    await connection.execute(text("UPDATE audit_event SET detail = 'x'"))
        finally:
            await engine.dispose()
    key = audit.digest_key("the signing key")
    assert rows[ids[0]].changes == audit.protected(OLD_CHANGES, key=key)
    assert rows[ids[0]].changes["name"] == OLD_CHANGES["name"]
    assert json.loads(rows[ids[1]].detail) == {
        "mobile": f"138****1234#{audit.digest('13800001234', key=key)}",
        "rows": 2,
    }
    assert (rows[ids[2]].changes, rows[ids[2]].detail) == (
        {"grade": {"before": 3, "after": 4}},
        "kept",
    )
    for value in full:
        assert value not in raw


async def test_the_rewrite_goes_batch_by_batch_and_leaves_the_log_append_only() -> None:
    migration = _masking_migration()
    key = audit.digest_key("the signing key")
    phones = [f"1380000{n:04d}" for n in range(5)]
    async with fresh_database() as url:
        await migrate(url)
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    sa.insert(AuditEvent),
                    [
                        {
                            "id": uuid.uuid4(),
                            "occurred_at": utcnow(),
                            "action": "update",
                            "changes": {"phone": {"before": None, "after": phone}},
                        }
                        for phone in phones
                    ],
                )
                made = await connection.run_sync(
                    lambda sync: migration.rewrite(sync, key=lambda: key, batch=2)
                )
                again = await connection.run_sync(
                    lambda sync: migration.rewrite(sync, key=lambda: key, batch=2)
                )
                kept = (await connection.execute(sa.select(AuditEvent.changes))).scalars().all()  # type: ignore[call-overload]
            async with engine.connect() as connection:
                with pytest.raises(DBAPIError, match="append-only"):
                    await connection.execute(text("DELETE FROM audit_event"))
        finally:
            await engine.dispose()
    assert (made, again) == (5, 0)
    assert sorted(changes["phone"]["after"] for changes in kept) == sorted(
        f"138****{phone[-4:]}#{audit.digest(phone, key=key)}" for phone in phones
    )
