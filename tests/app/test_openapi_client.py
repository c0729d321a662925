"""The OpenAPI is fit for client generators: an integrator's generator, openapi-python-client
(not FastAPI's, nor ours), makes a client from the document the app serves, with a method
named by each operation's short id and a class named by each schema's public name (no module
path, no `Body_...`). Its only warnings are about the spreadsheet downloads, answers it
cannot type (a binary XLSX or CSV); any other warning fails the test.

Operation ids are made by one rule (`api/openapi.py`, `operation_id`): the tag, then the
function's name without the tag's words, in kebab case, `children-list` rather than
`list_children_api_v1_children_get`; each is unique and matches `OPERATION_ID`,
`^[a-z]+(-[a-z]+)*$`: lower-case words joined by hyphens, like the paths, no digits."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_python_client import generate
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser.errors import ErrorLevel, GeneratorError

from api.app import create_app
from api.openapi import OPERATION_ID, operations
from api.settings import Settings

Spec = dict[str, Any]
SPREADSHEETS = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv")
PACKAGE = "baoxue_client"
_UNSUPPORTED = re.compile(r"\(Unsupported content_type ([^)]+)\)")
_PARSING = re.compile(r"^WARNING parsing (GET|POST|PUT|PATCH|DELETE) (\S+) within")

# Imports every module of the generated package; prints the endpoint modules, each a
# function of the API, as JSON.
_IMPORT_ALL = f"""
import importlib, json, pkgutil
import {PACKAGE}.api as api
found = []
for module in pkgutil.walk_packages(api.__path__, api.__name__ + "."):
    loaded = importlib.import_module(module.name)
    if hasattr(loaded, "sync_detailed") and hasattr(loaded, "asyncio_detailed"):
        found.append(module.name.removeprefix(api.__name__ + "."))
import {PACKAGE}.models
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
async def spec(settings: Settings) -> Spec:
    """The document as the app serves it."""
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://baoxue.test") as client:
        served = await client.get("/api/v1/openapi.json")
    assert served.status_code == 200, served.text
    document: Spec = served.json()
    return document


def _snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def test_every_operation_has_a_short_unique_id(spec: Spec) -> None:
    ids = [operation.get("operationId", "") for _, _, operation in operations(spec)]
    assert len(ids) > 100
    assert [name for name, count in Counter(ids).items() if count > 1] == []
    assert [name for name in ids if not OPERATION_ID.fullmatch(name)] == []
    # The rule's own examples, and what it makes of an operation of two words of tag.
    paths = spec["paths"]
    assert paths["/api/v1/children"]["get"]["operationId"] == "children-list"
    assert paths["/api/v1/children/{child_id}"]["get"]["operationId"] == "children-get"
    assert (
        paths["/api/v1/integration-clients/{integration_client_id}/secret"]["post"]["operationId"]
        == "integration-clients-rotate-secret"
    )


def test_every_schema_has_a_public_name(spec: Spec) -> None:
    names = list(spec["components"]["schemas"])
    # PascalCase words alone: no module path (api__schemas__...), no Body_..., no Page_X_.
    assert [name for name in names if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name)] == []
    # The forms (file uploads, the token request) are named by their operation.
    assert {"AuthIssueTokenForm", "RostersUploadForm", "AttachmentsUploadForm"} <= set(names)
    assert {"CaseTransferCreate", "ChildTransferCreate"} <= set(names)
    # A page of a generic Page is named like those declared by hand (RosterEntryPage).
    assert {"CaseOutPage", "ChildListItemPage", "RosterEntryPage"} <= set(names)


def _spreadsheet_warning(error: GeneratorError) -> str | None:
    """The path of the download a warning is about, if it is about nothing else."""
    unsupported = _UNSUPPORTED.search(error.detail or "")
    parsing = _PARSING.match(error.header)
    if error.level is ErrorLevel.WARNING and unsupported and parsing:
        return parsing[2] if unsupported[1] in SPREADSHEETS else None
    return None


def test_a_generated_client_has_a_method_for_every_operation(spec: Spec, tmp_path: Path) -> None:
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    config = Config.from_sources(
        # No formatting afterwards (ruff): the code is read by Python, not by people.
        ConfigFile(post_hooks=[], package_name_override=PACKAGE),
        meta_type=MetaType.NONE,
        document_source=document,
        file_encoding="utf-8",
        overwrite=False,
        output_path=tmp_path / PACKAGE,
    )
    errors = generate(config=config)

    others = [error for error in errors if _spreadsheet_warning(error) is None]
    assert others == [], "\n\n".join(f"{e.header}\n{e.detail}" for e in others)
    downloads = {
        path
        for method, path, operation in operations(spec)
        for response in operation["responses"].values()
        if any(media_type in SPREADSHEETS for media_type in response.get("content", {}))
    }
    assert {_spreadsheet_warning(error) for error in errors} == downloads
    assert len(downloads) >= 10

    imported = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert imported.returncode == 0, imported.stderr
    expected = {
        f"{_snake((operation['tags'] or ['default'])[0])}.{_snake(operation['operationId'])}"
        for _, _, operation in operations(spec)
    }
    assert set(json.loads(imported.stdout)) == expected
