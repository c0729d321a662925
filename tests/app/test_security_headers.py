"""Security headers on every response; HSTS only over TLS; CORS only for named origins."""

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import ValidationError

from api.app import create_app
from api.settings import Settings


async def test_every_response_carries_the_headers(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/api/v1/health"),
        await client.get("/api/v1/me"),  # a 401 problem
        await client.get("/api/v1/no-such-thing"),  # a 404 problem
    ):
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self';" in headers["content-security-policy"]
        assert headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in headers  # plain HTTP here


async def test_the_docs_page_may_load_swagger_ui(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "https://cdn.jsdelivr.net" in response.headers["content-security-policy"]


async def test_hsts_only_over_https(app: object) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://baoxue.example") as tls:
        response = await tls.get("/api/v1/health")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


@pytest.fixture
async def cors_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"cors_origins": ["https://xueji.example.cn"]}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


async def test_cors_answers_only_the_named_origins(
    cors_client: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    def preflight(origin: str) -> dict[str, str]:
        return {
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        }

    allowed = await cors_client.options(
        "/api/v1/children", headers=preflight("https://xueji.example.cn")
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://xueji.example.cn"
    assert "access-control-allow-credentials" not in allowed.headers
    other = await cors_client.options("/api/v1/children", headers=preflight("https://evil.example"))
    assert "access-control-allow-origin" not in other.headers
    # Without configured origins there is no CORS at all.
    none = await client.get("/api/v1/health", headers={"Origin": "https://xueji.example.cn"})
    assert "access-control-allow-origin" not in none.headers


def test_a_wildcard_origin_is_refused() -> None:
    with pytest.raises(ValidationError, match="name each origin in full"):
        Settings(cors_origins=["*"])
