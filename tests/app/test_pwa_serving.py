"""FastAPI serves the built field app at "/", and never lets it shadow the API."""

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.settings import ROOT, Settings


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><title>保学通</title></html>', encoding="utf-8"
    )
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "sw.js").write_text("self.addEventListener('install', () => {})")
    return tmp_path


@pytest.fixture
def app_with_pwa(settings: Settings, dist: Path) -> FastAPI:
    return create_app(settings.model_copy(update={"pwa_dist": dist}))


async def test_the_shell_and_its_client_routes_are_served(app_with_pwa: FastAPI) -> None:
    async with _client(app_with_pwa) as client:
        for path in ("/", "/households/123", "/login"):
            response = await client.get(path)
            assert response.status_code == 200, path
            assert "保学通" in response.text
            assert response.headers["cache-control"] == "no-cache"


async def test_assets_are_immutable_and_the_service_worker_is_revalidated(
    app_with_pwa: FastAPI,
) -> None:
    async with _client(app_with_pwa) as client:
        asset = await client.get("/assets/index-abc123.js")
        assert "immutable" in asset.headers["cache-control"]
        worker = await client.get("/sw.js")
        assert worker.headers["cache-control"] == "no-cache"


async def test_api_paths_are_never_the_app(app_with_pwa: FastAPI) -> None:
    async with _client(app_with_pwa) as client:
        response = await client.get("/api/v1/no-such-thing")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        health = await client.get("/api/v1/health")
        assert health.json() == {"status": "ok", "database": "ok"}


async def test_the_real_build_is_served_in_chinese(settings: Settings) -> None:
    dist = ROOT / "mobile_pwa" / "dist"
    if not (dist / "index.html").is_file():
        pytest.skip("the field app is not built; `make test` builds it first")
    async with _client(create_app(settings.model_copy(update={"pwa_dist": dist}))) as client:
        page = await client.get("/")
        manifest = await client.get("/manifest.webmanifest")
    assert '<html lang="zh-CN">' in page.text
    assert "<title>保学通</title>" in page.text
    assert manifest.json()["name"] == "保学通"
    # The app's own policy holds for the real build: its scripts are files, none inline.
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert "<script>" not in page.text
    assert "cache-control" in page.headers
    assert page.headers["cache-control"] == "no-cache"
