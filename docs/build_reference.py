"""docs/api-reference.md made from the app's OpenAPI: `python -m docs.build_reference` (or
`make docs`) writes it; `--check` says whether the committed one is current (the tests ask the
same, so the reference never drifts from the API)."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from api.app import create_app
from api.openapi import PROBLEM, operations
from api.settings import Settings

REFERENCE = Path(__file__).with_name("api-reference.md")
Spec = dict[str, Any]
_PATTERN_MESSAGE = "String should match pattern '^\\d{6}(\\d{3}){0,3}$'"

_INTRO = """\
# {title}: API reference

{summary} Version {version}, OpenAPI {openapi}.

This file is generated from the OpenAPI document the app serves at `/api/v1/openapi.json` by
`python -m docs.build_reference` (`make docs`); do not edit it by hand. The interactive
version is at `/api/v1/docs` on a running server. How the API is versioned and what may
change within v1: the README's "API: versioning and changes" and `CHANGELOG.md`. Two
programs a third party can start from: `docs/examples/reconcile_roster.py` (a client:
token, roster upload, reconciliation, discrepancies) and `docs/examples/webhook_receiver.py`
(a receiver that verifies the webhook signature).

## Conventions

- Every path is under `/api/v1`; JSON in and out; dates ISO 8601, times with their zone.
- `Authorization: Bearer <access token>` from `POST /api/v1/auth/token`: people by the
  password grant, integration clients by the client-credentials grant.
- Lists are pages: `limit` (at most 200), `offset`, and `total` in the answer.
- Creates accept `Idempotency-Key`; updates honour `If-Match` with the `ETag` read (412 when
  stale).
- Every error is `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`,
  `request_id`; a validation problem adds `errors`, each naming its field by `loc`:

```json
{problem}
```

"""


def _anchor(method: str, path: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in f"{method}-{path}".lower())
    return "-".join(part for part in cleaned.split("-") if part)


def _ref_name(schema: Spec) -> str | None:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    return None


def _type(schema: Spec, components: Spec) -> str:
    """A parameter's schema in a few words: its type, format, values and bounds."""
    if name := _ref_name(schema):
        named = components.get(name, {})
        return _type(named, components) if "enum" in named else name
    branches = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if branches:
        return " or ".join(_type(branch, components) for branch in branches)
    if "enum" in schema:
        return " | ".join(f"`{value}`" for value in schema["enum"])
    kind = str(schema.get("type", "any"))
    if "contentMediaType" in schema or schema.get("format") == "binary":
        return "file"
    if kind == "array":
        return f"array of {_type(schema.get('items', {}), components)}"
    shown = str(schema.get("format", kind))
    bounds = [
        f"{word} {schema[key]}"
        for key, word in (
            ("minimum", "≥"),
            ("maximum", "≤"),
            ("minLength", "length ≥"),
            ("maxLength", "length ≤"),
        )
        if key in schema
    ]
    if "pattern" in schema:
        bounds.append(f"`{schema['pattern']}`")
    return shown + (f" ({', '.join(bounds)})" if bounds else "")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _example_blocks(shown: Spec) -> list[str]:
    if "example" in shown:
        return [f"```json\n{_json(shown['example'])}\n```"]
    return [
        f"{named.get('summary', name)}:\n\n```json\n{_json(named['value'])}\n```"
        for name, named in shown.get("examples", {}).items()
    ]


def _parameters(operation: Spec, components: Spec) -> list[str]:
    parameters = operation.get("parameters", [])
    if not parameters:
        return []
    lines = ["**Parameters**", "", "| name | in | type | required | description |",
             "| --- | --- | --- | --- | --- |"]  # fmt: skip
    for parameter in parameters:
        schema = parameter.get("schema", {})
        description = parameter.get("description") or schema.get("description") or ""
        if "default" in schema and schema["default"] is not None:
            description = f"{description} (default `{schema['default']}`)".strip()
        lines.append(
            f"| `{parameter['name']}` | {parameter['in']} | {_cell(_type(schema, components))} |"
            f" {'yes' if parameter.get('required') else 'no'} | {_cell(description)} |"
        )
    return [*lines, ""]


def _request(operation: Spec, components: Spec) -> list[str]:
    body = operation.get("requestBody")
    if not body:
        return []
    lines = ["**Request body**" + (" (required)" if body.get("required") else ""), ""]
    for media_type, shown in body.get("content", {}).items():
        name = _ref_name(shown.get("schema", {}))
        lines.append(f"`{media_type}`" + (f", schema `{name}`" if name else "") + ":")
        lines.append("")
        blocks = _example_blocks(shown)
        if not blocks:  # a file upload: its form fields
            form = components.get(name or "", shown.get("schema", {}))
            blocks = [
                f"- `{field}`: {_cell(_type(schema, components))}"
                + (" (required)" if field in form.get("required", []) else "")
                + (f", {_cell(schema['description'])}" if schema.get("description") else "")
                for field, schema in form.get("properties", {}).items()
            ]
        lines += [*blocks, ""] if blocks else []
    return lines


def _responses(operation: Spec, components: Spec) -> list[str]:
    lines = ["**Responses**", ""]
    errors = []
    for code, response in operation.get("responses", {}).items():
        description = response.get("description", "")
        if code.isdigit() and int(code) >= 400:
            errors.append(f"`{code}` {_cell(description)}")
            continue
        content = response.get("content", {})
        if not content:
            lines += [f"- `{code}` {_cell(description)}", ""]
            continue
        for media_type, shown in content.items():
            name = _ref_name(shown.get("schema", {})) or _type(shown.get("schema", {}), components)
            if "json" not in media_type:
                lines += [f"- `{code}` {_cell(description)}: `{media_type}`", ""]
                continue
            lines += [f"- `{code}` {_cell(description)}: `{media_type}`, `{name}`", ""]
            for block in _example_blocks(shown):
                lines += ["<details><summary>example</summary>", "", block, "", "</details>", ""]
    if errors:
        lines += [f"Errors (`application/problem+json`): {'; '.join(errors)}.", ""]
    return lines


def _operation(method: str, path: str, operation: Spec, components: Spec) -> list[str]:
    lines = [
        f'<a id="{_anchor(method, path)}"></a>',
        "",
        f"### `{method.upper()} {path}`",
        "",
        operation.get("summary", ""),
        "",
    ]
    if description := operation.get("description"):
        lines += [description, ""]
    if not operation.get("security") and "security" in operation:
        lines += ["No authentication.", ""]
    return [
        *lines,
        *_parameters(operation, components),
        *_request(operation, components),
        *_responses(operation, components),
    ]


def render(spec: Spec) -> str:
    info = spec["info"]
    problem = {
        "type": "urn:baoxue:problem:validation-error",
        "title": "Validation failed",
        "status": 422,
        "detail": "Invalid value for: body.area_code",
        "request_id": "8c1f0a2b3d4e5f60",
        "errors": [{"loc": ["body", "area_code"], "msg": _PATTERN_MESSAGE}],
    }
    text = _INTRO.format(
        title=info["title"],
        summary=info.get("summary", ""),
        version=info["version"],
        openapi=spec["openapi"],
        problem=_json(problem),
    )
    by_tag: dict[str, list[tuple[str, str, Spec]]] = {}
    for method, path, operation in operations(spec):
        by_tag.setdefault((operation.get("tags") or ["other"])[0], []).append(
            (method, path, operation)
        )
    contents = ["## Contents", ""]
    sections: list[str] = []
    for tag, members in by_tag.items():
        contents.append(f"- [{tag}](#{_anchor('tag', tag)})")
        sections += [f'<a id="{_anchor("tag", tag)}"></a>', "", f"## {tag}", ""]
        for method, path, operation in members:
            contents.append(
                f"  - [`{method.upper()} {path}`](#{_anchor(method, path)})"
                f" {_cell(operation.get('summary', ''))}"
            )
            sections += _operation(method, path, operation, spec["components"]["schemas"])
    schema_note = [
        "## Schemas",
        "",
        f"Every schema named above, and `{PROBLEM}`, is defined under `components.schemas` of"
        " `/api/v1/openapi.json`.",
        "",
    ]
    return text + "\n".join([*contents, "", *sections, *schema_note]).rstrip() + "\n"


def spec() -> Spec:
    """The OpenAPI as the app publishes it; no database is opened to make it."""
    settings = Settings(
        environment="test",
        database_url="sqlite+aiosqlite:///:memory:",
        pwa_dist=Path("/nonexistent"),
        _env_file=None,
    )
    return create_app(settings).openapi()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is not current")
    args = parser.parse_args(argv)
    made = render(spec())
    if args.check:
        current = REFERENCE.exists() and REFERENCE.read_text(encoding="utf-8") == made
        print(f"{REFERENCE.name} is {'current' if current else 'out of date: run make docs'}")
        return 0 if current else 1
    REFERENCE.write_text(made, encoding="utf-8")
    print(f"wrote {REFERENCE} ({len(made.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
