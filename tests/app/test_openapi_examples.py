"""The published OpenAPI: every JSON body an operation takes or answers carries an example
that its own schema accepts, and every error is documented as the problem+json it is."""

from typing import Any

import httpx
import jsonschema_rs
import pytest
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from api.models.vocabulary import UserRole
from api.openapi import PROBLEM, operations
from api.settings import Settings
from docs import build_reference
from tests import world as w

Spec = dict[str, Any]
BODIES = ("application/json", "application/x-www-form-urlencoded")


@pytest.fixture(scope="module")
def spec(settings: Settings) -> Spec:
    return create_app(settings).openapi()


def validator(spec: Spec, schema: Spec) -> jsonschema_rs.Draft202012Validator:
    # The document's components beside the schema, so that its "#/components/..." refs resolve.
    return jsonschema_rs.Draft202012Validator(
        {**schema, "components": spec["components"]}, validate_formats=True
    )


def documented(spec: Spec) -> list[tuple[str, str, Spec]]:
    """Each JSON body of each operation: (where, media type object)."""
    found = []
    for method, path, operation in operations(spec):
        content = operation.get("requestBody", {}).get("content", {})
        for media_type in BODIES:
            if media_type in content:
                found.append((f"{method} {path} request", media_type, content[media_type]))
        for code, response in operation["responses"].items():
            for media_type, shown in response.get("content", {}).items():
                if "json" in media_type:
                    found.append((f"{method} {path} {code}", media_type, shown))
    return found


def examples_of(shown: Spec) -> list[Any]:
    if "example" in shown:
        return [shown["example"]]
    return [named["value"] for named in shown.get("examples", {}).values()]


def test_every_json_body_has_an_example(spec: Spec) -> None:
    missing = [where for where, _, shown in documented(spec) if not examples_of(shown)]
    assert missing == []
    answered = {
        f"{method} {path}"
        for method, path, operation in operations(spec)
        for code, response in operation["responses"].items()
        if code.startswith("2") and "application/json" in response.get("content", {})
    }
    assert len(answered) > 90  # the JSON answers: nearly every operation has one


def test_every_example_is_valid_against_its_schema(spec: Spec) -> None:
    faults = []
    for where, _, shown in documented(spec):
        check = validator(spec, shown["schema"])
        for example in examples_of(shown):
            faults += [f"{where}: {error.message}" for error in check.iter_errors(example)]
    assert faults == []


def test_errors_are_documented_as_problems(spec: Spec) -> None:
    for method, path, operation in operations(spec):
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            assert list(response["content"]) == ["application/problem+json"], (method, path)
            shown = response["content"]["application/problem+json"]
            assert shown["schema"] == {"$ref": f"#/components/schemas/{PROBLEM}"}
            assert shown["example"]["status"] == int(code)
            assert shown["example"]["type"].startswith(("urn:baoxue:problem:", "about:blank"))
    reconcile = spec["paths"]["/api/v1/reconciliations"]["post"]["responses"]["422"]
    assert reconcile["content"]["application/problem+json"]["example"]["errors"][0]["loc"] == [
        "body",
        "term",
    ]


def test_examples_use_the_values_fields_declare(spec: Spec) -> None:
    def example(path: str, method: str = "post", code: str | None = None) -> Any:
        operation = spec["paths"][path][method]
        if code is None:
            return operation["requestBody"]["content"]["application/json"]["example"]
        return operation["responses"][code]["content"]["application/json"]["example"]

    # Term and AreaCode declare theirs; the optional school_id (instead of an area) is left out.
    assert example("/api/v1/reconciliations") == {"term": "2026-2027-1", "area_code": "519901001"}
    row = example("/api/v1/schools/{school_id}/roster")["rows"][0]
    assert (row["student_number"], row["name"], row["sex"], row["grade"]) == (
        "G510821201703010011",
        "张小明",
        "男",
        3,
    )
    assert example("/api/v1/schools")["code"] == "2151990101"
    assert example("/api/v1/webhooks")["area_code"] == "519901"
    health = example("/api/v1/health", "get", "200")
    assert health == {"status": "ok", "database": "ok"}
    token = spec["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]
    grants = token["application/x-www-form-urlencoded"]["examples"]
    assert {name: shown["value"]["grant_type"] for name, shown in grants.items()} == {
        "password": "password",
        "client_credentials": "client_credentials",
        "refresh_token": "refresh_token",
    }


async def test_real_problems_match_the_documented_problem(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await w.build(session, app.state.settings)
    admin = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    check = validator(app.openapi(), {"$ref": f"#/components/schemas/{PROBLEM}"})
    answers = [
        await client.get("/api/v1/children"),  # 401
        await client.post("/api/v1/reconciliations", json={"area_code": "51"}, headers=admin),
        await client.get(f"/api/v1/children/{world.children['lin_a']}", headers=admin),  # 404
        await client.post(
            "/api/v1/reconciliations",
            content=b"{not json",
            headers={**admin, "Content-Type": "application/json"},
        ),
    ]
    assert [a.status_code for a in answers] == [401, 422, 404, 400]
    for answer in answers:
        assert answer.headers["content-type"] == "application/problem+json"
        assert list(check.iter_errors(answer.json())) == [], answer.text
    assert answers[1].json()["errors"][0]["loc"] == ["body", "area_code"]


def test_the_published_reference_is_current() -> None:
    made = build_reference.render(build_reference.spec())
    committed = build_reference.REFERENCE.read_text(encoding="utf-8")
    assert made == committed, "docs/api-reference.md is out of date: run make docs"
    assert '<a id="post-api-v1-reconciliations"></a>' in made
    assert '"area_code": "519901001"' in made  # the request example, from AreaCode's own
