from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.settings import Settings


async def test_health_reports_ok_with_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["content-type"] == "application/json"
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.parametrize(
    "database_url",
    [
        # Nothing listens on port 9 of the loopback: the connection is refused at once.
        "postgresql+asyncpg://baoxue@127.0.0.1:9/baoxue",
        # A directory where the database file should be: SQLite cannot open it.
        "sqlite+aiosqlite:///{tmp}",
    ],
    ids=["postgresql-refused", "sqlite-unopenable"],
)
async def test_health_is_503_naming_the_database_when_it_is_down(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url.format(tmp=tmp_path),
        environment="test",
        log_level="CRITICAL",
        pwa_dist=tmp_path / "no-app",
        database_timeout_seconds=2,
    )
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.get("/api/v1/health")
    await app.state.engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503
    assert body["database"] == "unavailable"
    assert body["type"] == "urn:baoxue:problem:unhealthy"
    assert "database" in body["detail"]
