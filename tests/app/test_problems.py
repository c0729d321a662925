"""Every error is RFC 9457 problem+json with a request id, whatever raised it."""

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from api.problems import Problem


class Probe(BaseModel):
    name: str = Field(min_length=1)
    age: int = Field(ge=0, le=30)


def _probe_router() -> APIRouter:
    """Routes that exercise the app's error machinery; the real endpoints come with features."""
    router = APIRouter(prefix="/api/v1/_probe")

    @router.post("")
    async def echo(probe: Probe) -> Probe:
        return probe

    @router.get("/conflict")
    async def conflict() -> None:
        raise Problem(409, "It already exists.", slug="conflict", existing_id="abc")

    @router.get("/crash")
    async def crash() -> None:
        raise RuntimeError("a bug, with a secret: s3cr3t")

    return router


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(_probe_router())
    # Move the probes in front of any catch-all so they are reached.
    app.router.routes.sort(key=lambda route: 0 if "_probe" in getattr(route, "path", "") else 1)
    return app


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_unknown_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/api/v1/no-such-thing"), 404)
    assert body["type"] == "about:blank"
    assert body["title"] == "Not Found"
    assert "/api/v1/no-such-thing" in str(body["detail"])


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/health")
    body = assert_problem(response, 405)
    assert "DELETE" in str(body["detail"])
    assert "GET" in response.headers["allow"]


async def test_malformed_json_is_a_400_problem_naming_the_place(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/_probe", content=b'{"name": "x",', headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 400)
    assert body["type"] == "urn:baoxue:problem:malformed-json"
    errors = body["errors"]
    assert isinstance(errors, list)
    assert errors[0]["loc"][0] == "body"


async def test_invalid_fields_are_a_422_problem_naming_each_field(
    client: httpx.AsyncClient,
) -> None:
    body = assert_problem(await client.post("/api/v1/_probe", json={"name": "", "age": 99}), 422)
    assert body["type"] == "urn:baoxue:problem:validation-error"
    locations = {tuple(error["loc"]) for error in body["errors"]}  # type: ignore[attr-defined]
    assert locations == {("body", "name"), ("body", "age")}
    assert all(error["msg"] for error in body["errors"])  # type: ignore[attr-defined]
    assert "body.name" in str(body["detail"])
    assert "body.age" in str(body["detail"])


async def test_a_valid_request_passes_through(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/_probe", json={"name": "李明", "age": 9})
    assert response.status_code == 200
    assert response.json() == {"name": "李明", "age": 9}


async def test_domain_problem_carries_its_extensions(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/api/v1/_probe/conflict"), 409)
    assert body["type"] == "urn:baoxue:problem:conflict"
    assert body["existing_id"] == "abc"


async def test_an_unexpected_error_is_a_500_problem_that_leaks_nothing(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/_probe/crash")
    body = assert_problem(response, 500)
    assert "s3cr3t" not in response.text
    assert "RuntimeError" not in response.text
    assert body["type"] == "urn:baoxue:problem:internal"


async def test_a_callers_request_id_is_kept_and_a_bad_one_replaced(
    client: httpx.AsyncClient,
) -> None:
    kept = await client.get("/api/v1/health", headers={"X-Request-ID": "phone-42-abcdef"})
    assert kept.headers["x-request-id"] == "phone-42-abcdef"
    replaced = await client.get("/api/v1/health", headers={"X-Request-ID": "<script>"})
    assert replaced.headers["x-request-id"] != "<script>"
    assert len(replaced.headers["x-request-id"]) == 32


async def test_openapi_is_3_1_and_docs_are_served(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/health" in spec["paths"]
    docs = await client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
