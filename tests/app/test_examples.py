"""The example programs of docs/examples, run as a third party runs them: as their own
processes, against the app served for real on 127.0.0.1 with a database of its own."""

import asyncio
import hashlib
import hmac
import json
import os
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.db import create_engine, create_sessionmaker
from api.models.vocabulary import UserRole
from api.services.integrations import webhooks
from api.services.registry import id_number
from docs.examples import webhook_receiver
from tests import spreadsheets
from tests import world as w
from tests.live_server import LiveServer, serving

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class County:
    live: LiveServer
    world: w.World
    api: httpx.AsyncClient  # to the live server
    admin: dict[str, str]  # a county administrator's Authorization header


@pytest.fixture
async def county(tmp_path: Path) -> AsyncIterator[County]:
    # The scheduler's own delivery is off: the test delivers when it is ready to read.
    async with serving(tmp_path, webhook_delivery_interval_seconds=0) as live:
        engine = create_engine(live.settings)
        try:
            async with create_sessionmaker(engine, settings=live.settings)() as session:
                world = await w.build(session, live.settings)
                async with httpx.AsyncClient(base_url=live.url, timeout=30) as api:
                    admin = await world.headers(
                        api, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY
                    )
                    yield County(live, world, api, admin)
        finally:
            await engine.dispose()


async def integration_client(
    county: County, *, scopes: list[str], school: uuid.UUID
) -> tuple[str, str]:
    """A third party's client, registered by the county administrator through the API:
    (client id, client secret). The one place that knows how a client is made."""
    made = await county.api.post(
        "/api/v1/integration-clients",
        json={
            "client_id": "xueji.sync",
            "display_name": "学籍系统对接",
            "api_scopes": scopes,
            "schools": [str(school)],
        },
        headers=county.admin,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["client_id"]), str(made.json()["client_secret"])


async def run_example(name: str, *args: str, env: dict[str, str]) -> Ran:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / name),
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())


def pupil(world: w.World, key: str, name: str) -> dict[str, Any]:
    """The world's pupil at 东镇中心小学 as the student-status system exports them."""
    number = world.id_numbers[key]
    born = id_number.parse(number).birth_date
    return {
        "student_number": f"G{number}",
        "name": name,
        "sex": "男",
        "birth_date": born,
        "id_number": number,
        "grade": "三年级",
        "class_name": "三年级1班",
        "status": "在籍",
    }


async def test_the_roster_example_reconciles_and_prints_the_discrepancies(
    county: County, tmp_path: Path
) -> None:
    world = county.world
    born = id_number.parse(world.id_numbers["dong_a"]).birth_date
    stranger = id_number.make(area_code="510821", birth_date=born, sequence=62)  # a girl
    rows = [
        pupil(world, "dong_a", "张小明"),  # as the households know her: nothing to say
        pupil(world, "dong_b", "李小红"),
        pupil(world, "nan_a", "王晓刚"),  # his ID number, another name: identity_mismatch
        {
            **pupil(world, "dong_a", "钱多多"),
            "student_number": f"G{stranger}",
            "id_number": stranger,
            "sex": "女",
        },  # in no household: unknown_to_population
    ]
    workbook = tmp_path / "东镇中心小学学生名册.xlsx"
    headings = spreadsheets.ROSTER_HEADINGS
    spreadsheets.xlsx(workbook, rows, headings=headings, title="东镇中心小学学生名册")
    school = world.schools["east"]
    client_id, secret = await integration_client(
        county, scopes=["roster:write", "reconciliations:write"], school=school
    )
    env = {
        "BAOXUE_URL": county.live.url,
        "BAOXUE_CLIENT_ID": client_id,
        "BAOXUE_CLIENT_SECRET": secret,
        "BAOXUE_SCHOOL_ID": str(school),
    }

    done = await run_example("reconcile_roster.py", str(workbook), "--timeout", "60", env=env)
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    assert lines[0].endswith(": 4 rows kept, 0 refused, 3 matched to children")
    assert lines[1].endswith(f"({world.term}): 2 discrepancies")
    found = {tuple(line.split("\t")) for line in lines[2:]}
    assert found == {
        (
            "identity_mismatch",
            "王晓刚",
            f"G{world.id_numbers['nan_a'][:6]}********{world.id_numbers['nan_a'][-4:]}",
            w.NAN,
        ),
        ("unknown_to_population", "钱多多", f"G{stranger[:6]}********{stranger[-4:]}", w.EAST),
    }

    wrong = await run_example(
        "reconcile_roster.py", str(workbook), env={**env, "BAOXUE_CLIENT_SECRET": "not-it"}
    )
    assert wrong.code == 1
    assert wrong.out == ""
    assert wrong.err == "error: Unauthorized (401): The username or password is wrong.\n"

    bad_term = await run_example(
        "reconcile_roster.py", str(workbook), "--term", "2026-2027-3", env=env
    )
    assert bad_term.code == 1
    assert bad_term.err.startswith("error: Validation failed (422): Invalid value for: query.term")
    assert "\n  field query.term: " in bad_term.err


def signed(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return {
        "X-Baoxue-Timestamp": str(timestamp),
        "X-Baoxue-Signature": f"sha256={mac.hexdigest()}",
        "X-Baoxue-Delivery": str(uuid.uuid4()),
        "Content-Type": "application/json",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def deliver(county: County) -> dict[str, int]:
    engine = create_engine(county.live.settings)
    try:
        async with httpx.AsyncClient(timeout=10) as sender:
            return await webhooks.deliver_due(
                sessionmaker=create_sessionmaker(engine, settings=county.live.settings),
                settings=county.live.settings,
                client=sender,
            )
    finally:
        await engine.dispose()


async def test_the_webhook_receiver_prints_verified_events_and_refuses_forgeries(
    county: County,
) -> None:
    port = free_port()
    made = await county.api.post(
        "/api/v1/webhooks",
        json={"url": f"http://127.0.0.1:{port}/hooks", "events": ["case.created"]},
        headers=county.admin,
    )
    assert made.status_code == 201, made.text
    subscription, secret = made.json()["id"], made.json()["secret"]
    receiver = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "webhook_receiver.py"),
        "--port",
        str(port),
        env={**os.environ, "BAOXUE_WEBHOOK_SECRET": secret},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert receiver.stdout is not None
    assert receiver.stderr is not None
    try:
        listening = await asyncio.wait_for(receiver.stderr.readline(), timeout=30)
        assert listening.decode() == f"listening on http://127.0.0.1:{port}/\n"

        child = county.world.children["dong_a"]
        case = await county.api.post(
            "/api/v1/cases", json={"child_id": str(child)}, headers=county.admin
        )
        assert case.status_code == 201, case.text
        pinged = await county.api.post(
            f"/api/v1/webhooks/{subscription}/ping", headers=county.admin
        )
        assert pinged.status_code == 202, pinged.text
        assert await deliver(county) == {"delivered": 2, "failed": 0}
        events = [
            json.loads(await asyncio.wait_for(receiver.stdout.readline(), timeout=10))
            for _ in range(2)
        ]
        by_type = {event["type"]: event for event in events}
        assert set(by_type) == {"case.created", "ping"}
        created = by_type["case.created"]
        assert (created["version"], created["data"]["case_id"], created["data"]["child_id"]) == (
            1,
            case.json()["id"],
            str(child),
        )
        assert created["data"]["area_code"] == w.DONG_GROUP
        assert by_type["ping"]["data"]["subscription_id"] == subscription
        log = await county.api.get(
            f"/api/v1/webhooks/{subscription}/deliveries", headers=county.admin
        )
        assert {(d["status"], d["last_status_code"]) for d in log.json()["items"]} == {
            ("delivered", 204)
        }
        assert {d["id"] for d in log.json()["items"]} == {e["delivery"] for e in events}

        url = f"http://127.0.0.1:{port}/hooks"
        body = json.dumps(
            {
                "id": str(uuid.uuid4()),
                "type": "case.created",
                "version": 1,
                "occurred_at": "2026-09-01T00:30:00+00:00",
                "data": {},
            }
        ).encode()
        now = int(time.time())
        async with httpx.AsyncClient(timeout=10) as forger:
            wrong_key = await forger.post(url, content=body, headers=signed("guess", body, now))
            replayed = await forger.post(
                url, content=body, headers=signed(secret, body, now - 3600)
            )
            unsigned = await forger.post(url, content=body)
            genuine = await forger.post(url, content=body, headers=signed(secret, body, now))
            again = await forger.post(url, content=body, headers=signed(secret, body, now))
        assert [r.status_code for r in (wrong_key, replayed, unsigned, genuine, again)] == [
            401,
            401,
            401,
            204,
            204,
        ]
    finally:
        receiver.terminate()
        out, err = await asyncio.wait_for(receiver.communicate(), timeout=10)
    # After the two deliveries: only the genuine one, once (the repeat is the same event).
    assert [json.loads(line)["id"] for line in out.decode().splitlines()] == [
        json.loads(body)["id"]
    ]
    refused = err.decode().splitlines()
    assert [line.split(": ", 1)[1] for line in refused] == [
        "bad signature",
        "timestamp too old or in the future (a replay?)",
        "no timestamp",
    ]


def test_the_receiver_checks_the_signature_as_the_app_makes_it() -> None:
    """The receiver's check against the app's own signing, without a network in between."""
    body, secret, now = b'{"id":"x"}', "s3cret", 1_788_000_000
    made = webhooks.signature(secret=secret, timestamp=str(now), body=body)
    headers = {"X-Baoxue-Timestamp": str(now), "X-Baoxue-Signature": made}
    assert webhook_receiver.verify(secret, headers, body, tolerance=300, now=now + 299) is None
    assert webhook_receiver.verify(secret, headers, body + b" ", tolerance=300, now=now) == (
        "bad signature"
    )
    stale = webhook_receiver.verify(secret, headers, body, tolerance=300, now=now + 301)
    assert stale == "timestamp too old or in the future (a replay?)"
