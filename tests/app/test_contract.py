"""The API contract kept: schemathesis runs, as a third party's CI would run it, against the
OpenAPI the app serves, on the app served for real by uvicorn, with real tokens, over every
operation; any 5xx, or any status, content type or body its operation does not document,
fails the test.

Two callers: a county administrator, who may do nearly everything, so that the calls reach
the services; and an integration client with one narrow scope, whose every call outside it
must be refused as documented (a 403, not an undocumented status nor a 500).

One test for the whole document (not one per operation): the app starts once, and each pass
is one process of schemathesis's own CLI, on the other core. It is deterministic
(schemathesis's deterministic generation, one worker, operations in a fixed order), so that
a failure in CI is the same failure on a laptop; its output says how to replay each call.
BAOXUE_CONTRACT_DEEP=1 runs every phase with many more cases: minutes, not seconds, for a
look before a release.
"""

import asyncio
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api import deps, routers
from api.app import API_PREFIX
from api.db import create_engine, create_sessionmaker
from api.models.vocabulary import UserRole
from api.settings import ROOT
from tests import contract_hooks
from tests import world as w
from tests.factories import bearer, make_user, token_for
from tests.live_server import serving

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
PHASES = ("examples", "coverage", "fuzzing", "stateful")
DEEP = os.environ.get("BAOXUE_CONTRACT_DEEP") == "1"


@dataclass(frozen=True)
class Pass:
    caller: str
    phases: tuple[str, ...]
    max_examples: int  # cases per operation and phase
    mode: str  # positive: valid requests only; all: invalid ones too


# About 460 calls: the examples of the document, then valid and invalid cases of each
# operation, which keeps the test well under a minute and a half on 2 shared cores.
ADMINISTRATOR = (
    Pass("county administrator", PHASES, 25, "all")
    if DEEP
    else Pass("county administrator", ("examples", "fuzzing"), 2, "all")
)
# Valid requests, so that each gets past validation to the permission check: about 130.
CLIENT = Pass("integration client", ("fuzzing",), 1, "positive")

CONFIG = """
workers = 1
hooks = "tests.contract_hooks"
# Timings are the machine's, not the API's: a busy CI fails neither of these.
suppress-health-check = ["too_slow"]
request-timeout = 30

[generation]
deterministic = true
max-examples = {max_examples}
mode = "{mode}"

[phases]
{phases}
# Every path called with each method it does not have: hundreds of 405s, none of them news.
coverage.unexpected-methods = []

[checks]
enabled = false
{checks}

[auth.openapi.HTTPBearer]
bearer = "${{BAOXUE_CONTRACT_TOKEN}}"

[reports.json]
enabled = true
path = "{report}"

[cache]
enabled = false
"""


def config(run: Pass, report: Path) -> str:
    return CONFIG.format(
        max_examples=run.max_examples,
        mode=run.mode,
        phases="\n".join(
            f"{phase}.enabled = {str(phase in run.phases).lower()}" for phase in PHASES
        ),
        checks="\n".join(f"{check}.enabled = true" for check in CHECKS),
        report=report,
    )


def failures(output: str) -> str:
    """The CLI's account of what failed, each with a curl command to replay it."""
    start, end = output.find("= FAILURES ="), output.find("= WARNINGS =")
    return output[start:end] if start >= 0 else output[-6000:]


def schemathesis(
    run: Pass, url: str, folder: Path, token: str, caller: str, stand_in: str
) -> dict[str, Any]:
    """One pass of the CLI over the whole document; its JSON report once it passed."""
    folder.mkdir()
    (folder / "schemathesis.toml").write_text(config(run, folder / "report.json"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(folder / "schemathesis.toml"),
            "run",
            f"{url}/api/v1/openapi.json",
            "--no-color",
        ],
        cwd=folder,  # whatever it writes stays in the test's folder
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BAOXUE_CONTRACT_TOKEN": token,
            contract_hooks.CALLER: caller,
            contract_hooks.STAND_IN: stand_in,
        },
        capture_output=True,
        text=True,
        timeout=3600 if DEEP else 300,
        check=False,
    )
    print(done.stdout)
    assert done.returncode == 0, f"as the {run.caller}:\n{failures(done.stdout)}{done.stderr}"
    report: dict[str, Any] = json.loads((folder / "report.json").read_text())
    operations, cases = report["operations"], report["test_cases"]
    print(
        f"schemathesis as the {run.caller}: {operations['tested']} of {operations['total']}"
        f" operations, {cases['generated']} calls in {report['running_time']:.1f} s"
    )
    return report


async def test_every_operation_answers_as_documented(tmp_path: Path) -> None:
    started = time.monotonic()
    async with serving(
        tmp_path / "data",
        # Schemathesis subscribes webhooks to addresses it makes up: nothing is sent to them.
        webhook_delivery_interval_seconds=0,
    ) as live:
        engine = create_engine(live.settings)
        try:
            async with create_sessionmaker(engine, settings=live.settings)() as session:
                await w.build(session, live.settings)
                admin = await make_user(session, role=UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
                stand_in = await make_user(session, role=UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
        finally:
            await engine.dispose()
        # Both tokens before either pass: schemathesis's wrong passwords soon have this
        # address throttled (a documented 429), which would refuse these logins too.
        async with httpx.AsyncClient(base_url=live.url) as client:
            admin_token = (await token_for(client, admin))["access_token"]
            registered = await client.post(
                "/api/v1/integration-clients",
                json={
                    "client_id": "dashboard.contract",
                    "display_name": "省级看板",
                    "api_scopes": ["schools:read"],
                    "areas": [w.COUNTY],
                    # Its own limit, beyond the pass's calls: the pass is about scope, not 429.
                    "rate_limit_per_minute": 100_000,
                },
                headers=bearer(admin_token),
            )
            assert registered.status_code == 201, registered.text
            client_credentials = {
                "grant_type": "client_credentials",
                "client_id": "dashboard.contract",
                "client_secret": registered.json()["client_secret"],
            }
            issued = await client.post("/api/v1/auth/token", data=client_credentials)
            assert issued.status_code == 200, issued.text
        print(f"the app served and seeded in {time.monotonic() - started:.1f} s")
        # The client's first, on the world as seeded, before the administrator's writes.
        passes = [
            (CLIENT, issued.json()["access_token"], registered.json()["id"]),
            (ADMINISTRATOR, admin_token, str(admin.user_id)),
        ]
        for run, token, caller in passes:
            report = await asyncio.to_thread(
                schemathesis,
                run,
                live.url,
                tmp_path / run.caller.replace(" ", "-"),
                token,
                caller,
                str(stand_in.user_id),
            )
            operations, cases = report["operations"], report["test_cases"]
            assert operations["tested"] == operations["total"] > 100, run.caller
            assert operations["errored"] == operations["skipped"] == 0, run.caller
            assert cases["with_failures"] == cases["errored"] == 0, run.caller


def depends_on(dependant: Dependant, call: object) -> bool:
    return dependant.call is call or any(depends_on(d, call) for d in dependant.dependencies)


def api_routes() -> list[APIRoute]:
    modules = (
        importlib.import_module(f"{routers.__name__}.{name}")
        for _, name, _ in pkgutil.iter_modules(routers.__path__)
    )
    return [
        route for module in modules for route in module.router.routes if isinstance(route, APIRoute)
    ]


def test_every_refusal_of_the_caller_is_documented(app: FastAPI) -> None:
    """What the passes cannot meet with a token that works: a 401 wherever a token is read,
    and wherever an account must be past its one-time password, the 403 until it is."""
    paths = app.openapi()["paths"]
    checked = 0
    for route in api_routes():
        for method in route.methods or ():
            path = API_PREFIX + route.path_format
            documented = paths[path][method.lower()]["responses"]
            where = f"{method} {path}"
            if depends_on(route.dependant, deps.get_actor_even_with_one_time_password):
                assert "401" in documented, where
                checked += 1
            if depends_on(route.dependant, deps.get_actor):
                assert "403" in documented, where
    assert checked > 100
