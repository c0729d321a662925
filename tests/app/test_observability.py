import json

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.settings import Settings
from tests.databases import backend


async def test_each_request_logs_one_json_line_with_its_request_id(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings.model_copy(update={"log_format": "json", "log_level": "INFO"}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.get("/api/v1/health", headers={"X-Request-ID": "trace-0001-xyz"})
    await app.state.engine.dispose()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    access = [line for line in lines if line.get("event") == "request"]
    assert response.headers["x-request-id"] == "trace-0001-xyz"
    assert len(access) == 1
    assert access[0]["request_id"] == "trace-0001-xyz"
    assert access[0]["status"] == 200
    assert access[0]["path"] == "/api/v1/health"
    assert access[0]["timestamp"].endswith("Z")


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite's pragmas")
async def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
