"""The OpenAPI as published: request bodies read item by item (so that one bad item does not
refuse the others) are declared loosely to FastAPI, and their real shape is added to the
components here; every error is documented as the problem+json it is; and every JSON body,
sent or answered, carries an example (api/openapi_examples.py). Every operation has a short
id made by one rule (`operation_id`), so that a client generated from the document has
methods such as `children_list`, not `list_children_api_v1_children_get`."""

import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.openapi_examples import Examples
from api.problems import PROBLEM_JSON, problem_type

PROBLEM = "Problem"
_JSON = ("application/json", "application/x-www-form-urlencoded")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": PROBLEM,
    "description": (
        "RFC 9457 problem details. `type` is `urn:baoxue:problem:<slug>` (or `about:blank`);"
        " validation problems add `errors`, each naming a field by its `loc`. Some problems"
        " add members of their own (`retry_after`, `locked_until`, `allowed_actions`...)."
    ),
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["urn:baoxue:problem:validation-error"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "request_id": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg"],
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                },
            },
        },
    },
}

# What each status's problem looks like, as the services word it.
_PROBLEMS: dict[int, tuple[str, str, dict[str, Any]]] = {
    400: ("malformed-json", "The request body is not valid JSON.", {}),
    401: ("unauthenticated", "Log in first: send Authorization: Bearer <access token>.", {}),
    403: ("forbidden", "A village_cadre may not write reconciliations.", {}),
    404: ("not-found", "No such record here.", {}),
    409: ("conflict", "这条记录刚被他人修改，请刷新 (changed meanwhile: reload)", {}),
    412: (
        "precondition-failed",
        "这条记录刚被他人修改，请刷新后再改 (changed meanwhile)",
        {},
    ),
    413: (
        "payload-too-large",
        "文件不能超过20MB，请分成几个文件 (at most 20 MB a file)",
        {},
    ),
    415: (
        "unsupported-media-type",
        "请上传 .xlsx 或 CSV 文件 (an .xlsx workbook or a CSV)",
        {},
    ),
    423: ("account-locked", "Too many wrong passwords: the account is locked for a while.", {}),
    429: ("rate-limited", "Too many requests; wait and try again.", {"retry_after": 60}),
    503: ("unhealthy", "The database is not answering.", {"database": "unavailable"}),
}
_TITLES = {400: "Malformed JSON", 422: "Validation failed"}

# Bodies whose one synthesized example would mix alternatives: each way shown on its own.
_NAMED: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("post", "/api/v1/auth/token"): {
        "password": {
            "summary": "a person logs in",
            "value": {"grant_type": "password", "username": "li.hua",
                      "password": "Baoxue-2026-pass"},
        },
        "client_credentials": {
            "summary": "an integration client gets a token",
            "value": {"grant_type": "client_credentials", "client_id": "xueji.sync",
                      "client_secret": "cs-3q2-Zm9yLWV4YW1wbGUtb25seQ",
                      "scope": "roster:write reconciliations:write"},
        },
        "refresh_token": {
            "summary": "a phone rotates its refresh token",
            "value": {"grant_type": "refresh_token", "refresh_token": "r1.Zm9yLWV4YW1wbGUtb25seQ"},
        },
    },
}  # fmt: skip


# What every operation id looks like: lower-case words joined by hyphens, no digits.
OPERATION_ID = re.compile(r"^[a-z]+(-[a-z]+)*$")
_IRREGULAR = {"children": "child"}


def _singular(word: str) -> str:
    return _IRREGULAR.get(word, word.removesuffix("s"))


def operation_id(route: APIRoute) -> str:
    """The id of a route's operation (FastAPI's `generate_unique_id_function` of the app): its
    first tag, then the words of its function's name without the tag's own words (in the plural
    or the singular), all in kebab case. `list_children` tagged `children` is `children-list`,
    `get_child` is `children-get`, `rotate_integration_client_secret` tagged `integration
    clients` is `integration-clients-rotate-secret`, `list_audit_events` tagged `audit` is
    `audit-list-events`.

    It changes only when a route's tag or function is renamed, never with its path or method,
    so the methods of a generated client keep their names. The ids match `OPERATION_ID` and
    are unique (tests/app/test_openapi_client.py); where this rule would make a clumsy or a
    duplicate id, the route's function is renamed rather than the rule bent. FastAPI names a
    form's body model `Body_<operation id>`: `document` publishes it as `<OperationId>Form`
    (`public_name`).
    """
    tag = str(route.tags[0]) if route.tags else ""
    tag_words = tag.lower().replace("-", " ").replace("_", " ").split()
    words = route.name.lower().split("_")
    if tag_words:
        words = _without(words, tag_words)
        words = _without(words, [*tag_words[:-1], _singular(tag_words[-1])])
    return "-".join(word for word in (*tag_words, *words) if word)


def _without(words: list[str], phrase: list[str]) -> list[str]:
    """The words without the first run of them that is the phrase."""
    for start in range(len(words) - len(phrase) + 1):
        if words[start : start + len(phrase)] == phrase:
            return words[:start] + words[start + len(phrase) :]
    return words


_BODY = "Body_"
_REF = "#/components/schemas/"


_PAGE = re.compile(r"^Page_(\w+)_$")


def public_name(name: str) -> str:
    """The name a schema is published under. FastAPI names a form's model `Body_<operation
    id>`: `Body_areas-import` is `AreasImportForm`. Pydantic names a page of a generic `Page`
    `Page_<item>_`: `Page_CaseOut_` is `CaseOutPage`, like the pages declared by hand
    (`RosterEntryPage`). Any other name is its own."""
    if name.startswith(_BODY):
        return "".join(word.capitalize() for word in name.removeprefix(_BODY).split("-")) + "Form"
    if page := _PAGE.match(name):
        return f"{page[1]}Page"
    return name


def _name_publicly(schema: dict[str, Any]) -> None:
    """Each schema renamed by `public_name`, and every reference to it."""
    schemas = schema.get("components", {}).get("schemas", {})
    names = {name: public_name(name) for name in schemas if public_name(name) != name}
    if not names:
        return
    if len({names.get(name, name) for name in schemas}) != len(schemas):
        raise ValueError(f"two schemas would be published under one name: {sorted(names)}")
    schema["components"]["schemas"] = {  # each where FastAPI put it
        names.get(name, name): {**shown, "title": names[name]} if name in names else shown
        for name, shown in schemas.items()
    }
    refs = {f"{_REF}{old}": f"{_REF}{new}" for old, new in names.items()}

    def rename(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("$ref") in refs:
                node["$ref"] = refs[node["$ref"]]
            for value in node.values():
                rename(value)
        elif isinstance(node, list):
            for value in node:
                rename(value)

    rename(schema)


def document(app: FastAPI, models: dict[str, type[BaseModel]]) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        _name_publicly(schema)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, model in models.items():
            shown = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for nested, definition in shown.pop("$defs", {}).items():
                components.setdefault(nested, definition)
            components[name] = shown
        components[PROBLEM] = _PROBLEM_SCHEMA
        # FastAPI's own 422 model: every 422 here is documented as the Problem it is, so
        # nothing refers to it any more and a generated client need not carry it.
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        add_examples(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Each operation of the document: (method, path, operation)."""
    return [
        (method, path, operation)
        for path, item in schema.get("paths", {}).items()
        for method, operation in item.items()
        if method in _METHODS
    ]


_TOO_MANY = (
    "An integration client beyond its requests a minute; `Retry-After` says in how many seconds"
    " to try again"
)
_UNREADABLE = "The body cannot be read: not JSON, not UTF-8, or a broken multipart form"


def add_examples(schema: dict[str, Any]) -> None:
    examples = Examples(schema["components"]["schemas"])
    for method, path, operation in operations(schema):
        body = operation.get("requestBody", {}).get("content", {})
        if body:  # any operation that reads a body answers one it cannot parse so
            operation["responses"].setdefault("400", {"description": _UNREADABLE})
        if operation.get("security"):  # an integration client beyond its rate limit
            operation["responses"].setdefault(
                "429",
                {
                    "description": _TOO_MANY,
                    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
                },
            )
        for media_type in _JSON:
            if media_type in body and (method, path) in _NAMED:
                body[media_type]["examples"] = _NAMED[method, path]
            elif media_type in body and "example" not in body[media_type]:
                body[media_type]["example"] = examples.of(body[media_type]["schema"], request=True)
        for code, response in operation.get("responses", {}).items():
            if code.isdigit() and int(code) >= 400:
                response["content"] = {
                    PROBLEM_JSON: {
                        "schema": {"$ref": f"#/components/schemas/{PROBLEM}"},
                        "example": problem_example(int(code), operation),
                    }
                }
                continue
            shown = response.get("content", {}).get("application/json")
            if shown is not None and "example" not in shown and "schema" in shown:
                shown["example"] = examples.of(shown["schema"], request=False)


def problem_example(status: int, operation: dict[str, Any]) -> dict[str, Any]:
    if status == 422:
        where, field = _first_field(operation)
        message = "不符合要求 (not a value this field takes)"
        return {
            "type": problem_type("validation-error"),
            "title": _TITLES[422],
            "status": 422,
            "detail": f"Invalid value for: {where}.{field}",
            "request_id": "8c1f0a2b3d4e5f60",
            "errors": [{"loc": [where, field], "msg": message}],
        }
    slug, detail, extensions = _PROBLEMS.get(status, (None, HTTPStatus(status).description, {}))
    return {
        "type": problem_type(slug),
        "title": _TITLES.get(status, HTTPStatus(status).phrase),
        "status": status,
        "detail": detail,
        "request_id": "8c1f0a2b3d4e5f60",
        **extensions,
    }


def _first_field(operation: dict[str, Any]) -> tuple[str, str]:
    """A field a 422 of this operation could name: the body's first, else a parameter."""
    content = operation.get("requestBody", {}).get("content", {})
    for media_type in content.values():
        example = media_type.get("example")
        if isinstance(example, dict) and example:
            return "body", next(iter(example))
    for parameter in operation.get("parameters", []):
        if parameter.get("in") in ("query", "path"):
            return str(parameter["in"]), str(parameter["name"])
    return "body", "file"
