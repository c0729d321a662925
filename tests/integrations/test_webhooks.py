"""Webhooks: subscriptions, the outbox written with the change, and signed delivery with
retries, against a real HTTP receiver on 127.0.0.1 that checks every signature itself."""

import asyncio
import hashlib
import hmac
import json
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from api.db import create_engine, create_sessionmaker
from api.models import Case, WebhookDelivery, WebhookEvent
from api.models.base import utcnow
from api.models.vocabulary import UserRole
from api.services.integrations import webhooks
from api.settings import Settings
from tests import world as w
from tests.databases import backend
from tests.factories import bearer, make_user, token_for

URL = "/api/v1/webhooks"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool

    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass
class Receiver:
    """A third party's endpoint: answers with the statuses queued (then ``otherwise``), and
    verifies each delivery's signature with the secret it was given, as the docs tell it to."""

    url: str = ""
    secret: str = ""
    statuses: deque[int] = field(default_factory=deque)
    otherwise: int = 200
    received: list[Received] = field(default_factory=list)

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        timestamp = headers.get("X-Baoxue-Timestamp", "")
        mac = hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
        expected = f"sha256={mac.hexdigest()}"
        return hmac.compare_digest(expected, headers.get("X-Baoxue-Signature", ""))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name for it
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = dict(self.headers.items())
            state.received.append(Received(headers, body, state.verify(headers, body)))
            status = state.statuses.popleft() if state.statuses else state.otherwise
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def app(settings: Settings, db: object) -> FastAPI:
    # The tests drive delivery themselves, step by step: no worker racing them.
    return create_app(settings.model_copy(update={"webhook_delivery_interval_seconds": 0}))


async def subscribe(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver, **body: Any
) -> dict[str, Any]:
    wanted = {"url": receiver.url, "events": ["case.created", "case.status_changed"], **body}
    made = await client.post(URL, json=wanted, headers=headers)
    assert made.status_code == 201, made.text
    receiver.secret = made.json()["secret"]
    return dict(made.json())


async def deliver(app: FastAPI, settings: Settings | None = None) -> dict[str, int]:
    async with httpx.AsyncClient(timeout=5) as sender:
        return await webhooks.deliver_due(
            sessionmaker=app.state.sessionmaker,
            settings=settings or app.state.settings,
            client=sender,
        )


async def come_due(session: AsyncSession) -> None:
    """Time moved on to the retries: every failed delivery is due now."""
    await session.exec(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.status) == "failed")
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    await session.commit()


async def log(
    client: httpx.AsyncClient, headers: dict[str, str], subscription: dict[str, Any]
) -> list[dict[str, Any]]:
    page = await client.get(f"{URL}/{subscription['id']}/deliveries", headers=headers)
    assert page.status_code == 200, page.text
    return list(page.json()["items"])


async def report(client: httpx.AsyncClient, headers: dict[str, str], child: uuid.UUID) -> str:
    body = {"child_id": str(child), "source": "teacher_report", "days_absent": 3}
    made = await client.post("/api/v1/cases", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def test_a_case_reported_and_verified_reaches_the_receiver_signed(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    subscription = await subscribe(client, admin, receiver)
    assert len(subscription["secret"]) >= 40
    shown = (await client.get(f"{URL}/{subscription['id']}", headers=admin)).json()
    assert "secret" not in shown
    assert shown["area_code"] == w.COUNTY
    listed = (await client.get(URL, headers=admin)).json()
    assert listed["total"] == 1
    assert "secret" not in listed["items"][0]

    teacher = await world.headers(client, session, UserRole.TEACHER, klass="east-3-1")
    case_id = await report(client, teacher, world.children["dong_a"])
    assert await deliver(app) == {"delivered": 1, "failed": 0}
    [created] = receiver.received
    assert created.verified
    assert created.headers["X-Baoxue-Event"] == "case.created"
    sent = created.json()
    assert set(sent) == {"id", "type", "version", "occurred_at", "data"}
    assert (sent["type"], sent["version"]) == ("case.created", 1)
    assert sent["data"]["case_id"] == case_id
    assert sent["data"]["area_code"] == w.DONG_GROUP  # where 张小明 lives
    [logged] = await log(client, admin, subscription)
    assert logged["id"] == created.headers["X-Baoxue-Delivery"]
    assert (logged["status"], logged["attempts"], logged["last_status_code"]) == (
        "delivered",
        1,
        200,
    )
    assert logged["next_attempt_at"] is None
    assert logged["delivered_at"] is not None

    moved = await client.post(
        f"/api/v1/cases/{case_id}/transitions", json={"action": "verify"}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    assert await deliver(app) == {"delivered": 1, "failed": 0}
    assert await deliver(app) == {"delivered": 0, "failed": 0}  # nothing is sent twice
    changed = receiver.received[1]
    assert changed.verified
    assert changed.headers["X-Baoxue-Event"] == "case.status_changed"
    assert changed.json()["data"] | {"case_id": case_id} == {
        "case_id": case_id,
        "child_id": str(world.children["dong_a"]),
        "action": "verify",
        "from_status": "reported",
        "to_status": "verified",
        "area_code": w.DONG_GROUP,
    }
    # A forged or stale signature is what the receiver must refuse: the check is not vacuous.
    assert not receiver.verify({**changed.headers, "X-Baoxue-Timestamp": "1"}, changed.body)


async def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    receiver: Receiver,
    settings: Settings,
) -> None:
    subscription = await subscribe(client, admin, receiver)
    receiver.statuses.extend([500, 500])
    pinged = await client.post(f"{URL}/{subscription['id']}/ping", headers=admin)
    assert pinged.status_code == 202, pinged.text
    assert pinged.json()["status"] == "pending"

    base = settings.webhook_retry_base_seconds
    before = utcnow()
    assert await deliver(app) == {"delivered": 0, "failed": 1}
    [first] = await log(client, admin, subscription)
    assert (first["status"], first["attempts"], first["last_status_code"]) == ("failed", 1, 500)
    wait = datetime.fromisoformat(first["next_attempt_at"]) - before
    assert timedelta(seconds=base * 0.5) <= wait <= timedelta(seconds=base + 5)  # base, jittered
    assert await deliver(app) == {"delivered": 0, "failed": 0}  # not due yet

    await come_due(session)
    before = utcnow()
    assert await deliver(app) == {"delivered": 0, "failed": 1}
    [second] = await log(client, admin, subscription)
    assert (second["status"], second["attempts"]) == ("failed", 2)
    wait = datetime.fromisoformat(second["next_attempt_at"]) - before
    assert timedelta(seconds=base) <= wait <= timedelta(seconds=2 * base + 5)  # doubled

    await come_due(session)
    assert await deliver(app) == {"delivered": 1, "failed": 0}
    [third] = await log(client, admin, subscription)
    assert (third["status"], third["attempts"], third["last_status_code"]) == (
        "delivered",
        3,
        200,
    )
    assert [r.headers["X-Baoxue-Event"] for r in receiver.received] == ["ping"] * 3
    assert all(r.verified for r in receiver.received)
    assert {r.headers["X-Baoxue-Delivery"] for r in receiver.received} == {third["id"]}
    assert {r.json()["id"] for r in receiver.received} == {third["event_id"]}


async def test_after_the_last_attempt_a_delivery_is_dead_until_redelivered_by_hand(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    receiver: Receiver,
    settings: Settings,
) -> None:
    three = settings.model_copy(update={"webhook_max_attempts": 3})
    subscription = await subscribe(client, admin, receiver)
    receiver.otherwise = 503
    await client.post(f"{URL}/{subscription['id']}/ping", headers=admin)
    for _ in range(3):
        assert await deliver(app, three) == {"delivered": 0, "failed": 1}
        await come_due(session)
    [dead] = await log(client, admin, subscription)
    assert (dead["status"], dead["attempts"], dead["next_attempt_at"]) == ("dead", 3, None)
    assert dead["last_error"].startswith("HTTP 503")
    await session.exec(update(WebhookDelivery).values(next_attempt_at=utcnow()))
    await session.commit()
    assert await deliver(app, three) == {"delivered": 0, "failed": 0}  # dead stays dead
    assert len(receiver.received) == 3

    receiver.otherwise = 204
    again = await client.post(f"{URL}/deliveries/{dead['id']}/redeliver", headers=admin)
    assert again.status_code == 202, again.text
    assert (again.json()["status"], again.json()["attempts"]) == ("pending", 0)
    assert await deliver(app, three) == {"delivered": 1, "failed": 0}
    [done] = await log(client, admin, subscription)
    assert (done["status"], done["last_status_code"]) == ("delivered", 204)
    twice = await client.post(f"{URL}/deliveries/{dead['id']}/redeliver", headers=admin)
    assert twice.status_code == 409
    nowhere = await client.post(f"{URL}/deliveries/{uuid.uuid4()}/redeliver", headers=admin)
    assert nowhere.status_code == 404


async def test_a_receiver_that_is_down_loses_nothing(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    subscription = await subscribe(client, admin, receiver)
    real_url = receiver.url
    down = real_url.replace("/hooks", "").rsplit(":", 1)[0] + ":9/hooks"  # nothing listens
    await client.patch(f"{URL}/{subscription['id']}", json={"url": down}, headers=admin)
    await client.post(f"{URL}/{subscription['id']}/ping", headers=admin)
    assert await deliver(app) == {"delivered": 0, "failed": 1}
    [failed] = await log(client, admin, subscription)
    assert failed["status"] == "failed"
    assert failed["last_status_code"] is None
    assert failed["last_error"].startswith("ConnectError")

    back = await client.patch(f"{URL}/{subscription['id']}", json={"url": real_url}, headers=admin)
    assert back.json()["url"] == real_url
    await come_due(session)
    assert await deliver(app) == {"delivered": 1, "failed": 0}
    assert [r.verified for r in receiver.received] == [True]


async def test_an_event_of_a_rolled_back_write_is_never_sent(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    await subscribe(client, admin, receiver, events=["roster.imported"])
    event: dict[str, Any] = {"type": "roster.imported", "area_code": w.DONG, "payload": {"rows": 1}}
    async with app.state.sessionmaker() as writer:
        assert await webhooks.emit(session=writer, **event) is not None
        await writer.rollback()  # the change it told of failed
    counted = select(func.count()).select_from(WebhookEvent)
    assert (await session.exec(counted)).one() == 0
    assert (await session.exec(select(func.count()).select_from(WebhookDelivery))).one() == 0
    assert await deliver(app) == {"delivered": 0, "failed": 0}
    # Nor is an event nobody asked for kept: another area, another type.
    async with app.state.sessionmaker() as writer:
        other = {**event, "area_code": w.NEIGHBOUR_VILLAGE}
        assert await webhooks.emit(session=writer, **other) is None
        assert await webhooks.emit(session=writer, **{**event, "type": "case.overdue"}) is None
        await writer.commit()
    assert (await session.exec(counted)).one() == 0
    assert receiver.received == []


async def test_an_event_committed_before_a_restart_is_delivered_after_it(
    app: FastAPI,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    settings: Settings,
) -> None:
    await subscribe(client, admin, receiver, events=["reconciliation.completed"])
    async with app.state.sessionmaker() as writer:
        await webhooks.emit(session=writer, type="reconciliation.completed",
                            area_code=w.EAST, payload={"discrepancies": 4})  # fmt: skip
        await writer.commit()
    await app.state.engine.dispose()  # the app stops before its worker ran

    restarted = create_app(settings.model_copy(update={"webhook_delivery_interval_seconds": 0}))
    try:
        assert await deliver(restarted) == {"delivered": 1, "failed": 0}
    finally:
        await restarted.state.engine.dispose()
    [received] = receiver.received
    assert received.verified
    assert received.json()["data"] == {"discrepancies": 4}


async def test_a_worker_that_died_mid_send_leaves_the_delivery_to_the_next(
    app: FastAPI,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    settings: Settings,
) -> None:
    subscription = await subscribe(client, admin, receiver)
    await client.post(f"{URL}/{subscription['id']}/ping", headers=admin)
    engine = create_engine(settings)
    try:
        claimed = await webhooks._claim(
            create_sessionmaker(engine, settings=settings), settings, utcnow()
        )
    finally:
        await engine.dispose()
    assert len(claimed) == 1  # claimed, then the process is gone before it sent
    assert await deliver(app) == {"delivered": 0, "failed": 0}  # leased: not sent twice now
    later = utcnow() + timedelta(seconds=settings.webhook_timeout_seconds + 31)
    async with httpx.AsyncClient(timeout=5) as sender:
        sent = await webhooks.deliver_due(
            sessionmaker=app.state.sessionmaker, settings=settings, client=sender, now=later
        )
    assert sent == {"delivered": 1, "failed": 0}
    assert len(receiver.received) == 1


async def test_each_subscription_hears_only_of_its_own_area(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    dong = await subscribe(client, admin, receiver, area_code=w.DONG)
    west = await subscribe(client, admin, receiver, area_code=w.WEST)
    receiver.secret = dong["secret"]
    teacher = await world.headers(client, session, UserRole.TEACHER, klass="east-3-1")
    await report(client, teacher, world.children["dong_a"])  # lives in 东村, 东镇
    assert await deliver(app) == {"delivered": 1, "failed": 0}
    assert len(await log(client, admin, dong)) == 1
    assert await log(client, admin, west) == []
    assert [r.verified for r in receiver.received] == [True]

    paused = await client.patch(f"{URL}/{dong['id']}", json={"active": False}, headers=admin)
    assert paused.json()["active"] is False
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    await report(client, cadre, world.children["dong_b"])
    assert len(await log(client, admin, dong)) == 1  # paused: nothing more for it
    assert (await client.post(f"{URL}/{dong['id']}/ping", headers=admin)).status_code == 409

    removed = await client.delete(f"{URL}/{dong['id']}", headers=admin)
    assert removed.status_code == 204
    assert (await client.get(f"{URL}/{dong['id']}", headers=admin)).status_code == 404


async def test_a_visit_batch_is_told_once_with_its_counts(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    await subscribe(client, admin, receiver, events=["visit.batch_received"])
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    visits = [
        {
            "id": str(uuid.uuid4()),
            "household_id": str(world.households["dong_a"]),
            "visited_at": "2026-11-20T10:00:00+08:00",
            "outcome": "nobody_home",
        }
        for _ in range(2)
    ]
    sent = await client.post("/api/v1/visits/batch", json={"visits": visits}, headers=cadre)
    assert sent.status_code == 200, sent.text
    assert await deliver(app) == {"delivered": 1, "failed": 0}
    [batch] = receiver.received
    data = batch.json()["data"]
    assert batch.verified
    assert batch.headers["X-Baoxue-Event"] == "visit.batch_received"
    assert data["counts"]["visits"] == 2
    assert data["counts"]["created"] == 2
    assert data["counts"]["cases_opened"] == 0
    assert w.DONG.startswith(data["area_code"][:12])
    assert len(data["area_code"]) >= 12


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.cn/hooks"}, "url"),
        ({"url": "not a url at all"}, "url"),
        ({"url": "https:///no-host"}, "url"),
        ({"events": ["case.deleted"]}, "events"),
        ({"events": []}, "events"),
        ({"area_code": "12"}, "area_code"),
        ({"area_code": w.NEIGHBOUR}, "area_code"),  # another county's
    ],
)
async def test_bad_subscriptions_are_refused_naming_the_field(
    client: httpx.AsyncClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    wanted = {"url": "https://dashboard.example.cn/hooks", "events": ["case.created"], **body}
    refused = await client.post(URL, json=wanted, headers=admin)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["loc"][:2] == ["body", field]
    assert (await client.get(URL, headers=admin)).json()["total"] == 0


async def test_an_update_may_not_empty_the_url(
    client: httpx.AsyncClient, admin: dict[str, str], receiver: Receiver
) -> None:
    # Found by the contract test (tests/app/test_contract.py): a null url was written, a 500.
    ours = await subscribe(client, admin, receiver)
    body = {"url": None, "description": "县级平台"}
    refused = await client.patch(f"{URL}/{ours['id']}", json=body, headers=admin)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["loc"] == ["body", "url"]
    kept = (await client.get(f"{URL}/{ours['id']}", headers=admin)).json()
    assert (kept["url"], kept["description"]) == (receiver.url, None)


async def test_only_county_administrators_keep_webhooks_and_only_their_own(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    ours = await subscribe(client, admin, receiver)
    for role, scope in [
        (UserRole.SUPERVISOR, {"area_code": w.COUNTY}),
        (UserRole.TOWNSHIP_OFFICER, {"area_code": w.EAST}),
        (UserRole.PRINCIPAL, {"school": "east"}),
    ]:
        headers = await world.headers(client, session, role, **scope)
        assert (await client.get(URL, headers=headers)).status_code == 403, role
        wanted = {"url": receiver.url, "events": ["case.created"]}
        assert (await client.post(URL, json=wanted, headers=headers)).status_code == 403, role
        assert (await client.get(f"{URL}/{ours['id']}", headers=headers)).status_code == 403
    other = await make_user(session, role=UserRole.COUNTY_ADMIN, area_code=w.NEIGHBOUR)
    theirs = bearer((await token_for(client, other))["access_token"])
    assert (await client.get(f"{URL}/{ours['id']}", headers=theirs)).status_code == 404
    assert (await client.get(URL, headers=theirs)).json()["total"] == 0
    gone = await client.delete(f"{URL}/{ours['id']}", headers=theirs)
    assert gone.status_code == 404
    assert (await client.get(f"{URL}/{ours['id']}", headers=admin)).status_code == 200


@pytest.mark.skipif(backend() == "sqlite", reason="one app server, one worker, on SQLite")
async def test_workers_running_at_once_send_each_delivery_once(
    app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str], receiver: Receiver
) -> None:
    subscription = await subscribe(client, admin, receiver)
    for _ in range(6):
        await client.post(f"{URL}/{subscription['id']}/ping", headers=admin)
    runs = await asyncio.gather(*(deliver(app) for _ in range(3)))
    assert sum(run["delivered"] for run in runs) == 6
    assert len({r.headers["X-Baoxue-Delivery"] for r in receiver.received}) == 6
    assert len(receiver.received) == 6


async def test_the_apps_own_worker_sends_what_is_due(
    client: httpx.AsyncClient, admin: dict[str, str], receiver: Receiver, settings: Settings
) -> None:
    subscription = await subscribe(client, admin, receiver)
    await client.post(f"{URL}/{subscription['id']}/ping", headers=admin)
    worker = create_app(settings.model_copy(update={"webhook_delivery_interval_seconds": 0.05}))
    async with worker.router.lifespan_context(worker):
        for _ in range(100):
            if receiver.received:
                break
            await asyncio.sleep(0.05)
    [ping] = receiver.received
    assert ping.verified
    assert ping.headers["X-Baoxue-Event"] == "ping"


async def test_a_case_found_past_the_county_deadline_is_told_once(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    await subscribe(client, admin, receiver, events=["case.overdue"])
    case_id = await report(client, admin, world.children["dong_a"])
    await session.exec(
        update(Case)
        .where(col(Case.id) == uuid.UUID(case_id))
        .values(county_due_at=utcnow() - timedelta(hours=1))
    )
    await session.commit()
    for _ in range(2):  # the second scan finds it escalated already: nothing new to tell
        scan = await client.post("/api/v1/escalations/run", headers=admin)
        assert scan.status_code == 200, scan.text
    assert await deliver(app) == {"delivered": 1, "failed": 0}
    [told] = receiver.received
    assert told.verified
    assert told.headers["X-Baoxue-Event"] == "case.overdue"
    data = told.json()["data"]
    assert data["case_id"] == case_id
    assert data["area_code"] == w.DONG_GROUP


async def test_a_roster_imported_and_its_reconciliation_are_told(
    app: FastAPI,
    client: httpx.AsyncClient,
    world: w.World,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    await subscribe(client, admin, receiver, events=["roster.imported", "reconciliation.completed"])
    xi_a = world.id_numbers["xi_a"]
    born = f"{xi_a[6:10]}-{xi_a[10:12]}-{xi_a[12:14]}"
    rows = "学籍号,姓名,性别,出生日期,身份证号码,年级,班级\n" + (
        f"G{xi_a},赵小丽,男,{born},{xi_a},3,三年级1班\n"
    )
    sent = await client.post(
        f"/api/v1/schools/{world.schools['west']}/roster",
        params={"term": world.term},
        files={"file": ("学籍.csv", rows.encode("gbk"), "text/csv")},
        headers=admin,
    )
    assert sent.status_code == 201, sent.text
    started = await client.post(
        "/api/v1/reconciliations", json={"area_code": w.WEST}, headers=admin
    )
    assert started.status_code == 202, started.text
    assert await deliver(app) == {"delivered": 2, "failed": 0}
    told = {got.headers["X-Baoxue-Event"]: got.json()["data"] for got in receiver.received}
    assert all(got.verified for got in receiver.received)
    assert told["roster.imported"]["school_id"] == str(world.schools["west"])
    assert told["roster.imported"]["term"] == world.term
    assert told["reconciliation.completed"]["reconciliation_id"] == started.json()["id"]
    assert told["reconciliation.completed"]["area_code"] == w.WEST
