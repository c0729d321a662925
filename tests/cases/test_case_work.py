"""劝返 and 跟踪回访: the attempts that bring a child back, and the visits that see they stay."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import FollowUp
from api.models.vocabulary import UserRole
from api.services.cases import case_deadlines
from api.services.core import school_age
from api.settings import Settings
from tests import world as w
from tests.cases.test_cases import URL, act, plan, report
from tests.factories import bearer, token_for

PHOTO = b"\xff\xd8\xff\xe0" + b"\x00" * 64
RECORDING = b"OggS" + b"\x00" * 64


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


async def planned(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, headers: dict[str, str]
) -> dict[str, Any]:
    """张小明's case, verified and planned, noticed two days ago."""
    cadre = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    teacher = await world.login(session, UserRole.TEACHER, klass="east-3-1")
    case = await report(client, headers, world.children["dong_a"], noticed_at=ago(days=2))
    assert (await act(client, headers, case, "verify")).status_code == 200
    saved = await plan(client, headers, case, cadre.user_id, teacher.user_id)
    assert saved.status_code == 200, saved.text
    return case


async def attempt(client: httpx.AsyncClient, headers: dict[str, str], case: dict[str, Any],
                  **extra: Any) -> httpx.Response:  # fmt: skip
    body = {"attempted_at": ago(hours=3), "persons": "李书记、王老师", "phone": "13800001111",
            "method": "home_visit", "outcome": "undecided", "next_step": "周五再去",
            **extra}  # fmt: skip
    return await client.post(f"{URL}/{case['id']}/attempts", json=body, headers=headers)


async def test_attempts_are_numbered_with_their_photo_and_recording_and_start_persuading(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    case = await planned(client, session, world, principal)
    photo = await client.post("/api/v1/attachments", files={"file": ("门前.jpg", PHOTO)},
                              headers=cadre)  # fmt: skip
    recording = await client.post("/api/v1/attachments", files={"file": ("谈话.ogg", RECORDING)},
                                  headers=cadre)  # fmt: skip
    assert recording.status_code == 201, recording.text
    assert recording.json()["content_type"] == "audio/ogg"
    first = await attempt(client, cadre, case, attachment_id=photo.json()["id"])
    assert first.status_code == 201, first.text
    assert (first.json()["number"], first.json()["method"]) == (1, "home_visit")
    status = (await client.get(f"{URL}/{case['id']}", headers=principal)).json()["status"]
    assert status == "persuading"
    recorded = recording.json()["id"]
    second = await attempt(client, cadre, case, method="phone", outcome="agreed",
                           attachment_id=recorded, attempted_at=ago(hours=1))  # fmt: skip
    assert second.status_code == 201, second.text
    assert second.json()["number"] == 2
    listed = (await client.get(f"{URL}/{case['id']}/attempts", headers=principal)).json()
    assert [(a["number"], a["outcome"], a["persons"]) for a in listed] == [
        (1, "undecided", "李书记、王老师"), (2, "agreed", "李书记、王老师")]  # fmt: skip
    # Whoever sees the case hears the recording; nobody else even learns it exists.
    heard = await client.get(f"/api/v1/attachments/{recording.json()['id']}", headers=principal)
    assert heard.status_code == 200
    assert heard.content == RECORDING
    stranger = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.XI)
    hidden = await client.get(f"/api/v1/attachments/{photo.json()['id']}", headers=stranger)
    assert hidden.status_code == 404
    # An attachment already linked is not linked twice.
    reused = await attempt(client, cadre, case, attachment_id=photo.json()["id"])
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["loc"] == ["body", "attachment_id"]


async def test_a_return_schedules_follow_ups_weekly_then_monthly_and_a_child_gone_again_reopens(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    teacher = bearer((await token_for(client, await world.login(
        session, UserRole.TEACHER, klass="east-3-1")))["access_token"])  # fmt: skip
    case = await planned(client, session, world, principal)
    assert (await attempt(client, teacher, case, outcome="agreed")).status_code == 201
    assert (await act(client, teacher, case, "return")).json()["status"] == "returned"
    url = f"{URL}/{case['id']}/follow-ups"
    schedule = (await client.get(url, headers=teacher)).json()
    today = school_age.local_today(settings)  # the county's day, as the schedule counts
    expected = case_deadlines.follow_ups(today, settings)
    assert [date.fromisoformat(f["due_on"]) for f in schedule] == expected
    assert [f["due_on"] for f in schedule[:4]] == [
        (today + timedelta(weeks=n)).isoformat() for n in (1, 2, 3, 4)]  # fmt: skip
    assert {f["state"] for f in schedule} == {"due"}
    first = await client.post(f"{url}/1", json={"outcome": "staying", "note": "按时到校"},
                              headers=teacher)  # fmt: skip
    assert first.status_code == 200, first.text
    assert (first.json()["state"], first.json()["outcome"]) == ("done", "staying")
    assert (await client.get(f"{URL}/{case['id']}", headers=teacher)).json()["status"] == (
        "following_up"
    )
    again = await client.post(f"{url}/1", json={"outcome": "staying"}, headers=teacher)
    assert again.status_code == 409
    # The second finds the child gone again: reopened, the schedule's remaining visits dropped.
    gone = await client.post(f"{url}/2", json={"outcome": "left_again"}, headers=teacher)
    assert gone.status_code == 200, gone.text
    reopened = (await client.get(f"{URL}/{case['id']}", headers=teacher)).json()
    assert (reopened["status"], reopened["reopened"]) == ("persuading", 1)
    kept = (await client.get(url, headers=teacher)).json()
    assert [(f["number"], f["state"]) for f in kept] == [(1, "done"), (2, "done")]
    # Back once more: a new schedule, numbered on; one whose day passed unvisited is missed.
    assert (await act(client, teacher, case, "return")).status_code == 200
    await session.exec(
        update(FollowUp)
        .where(col(FollowUp.number) == 3)
        .values(due_on=date.today() - timedelta(days=1))
    )
    await session.commit()
    renewed = (await client.get(url, headers=teacher)).json()
    assert [f["number"] for f in renewed][:3] == [1, 2, 3]
    assert renewed[2]["state"] == "missed"
    late = await client.post(f"{url}/3", json={"outcome": "at_risk"}, headers=teacher)
    assert late.json()["state"] == "done"


async def test_bad_attempts_and_follow_ups_are_refused_by_name(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    early = await report(client, principal, world.children["nan_a"])
    refused = await attempt(client, principal, early)
    assert refused.status_code == 409
    assert refused.json()["case_status"] == "reported"
    case = await planned(client, session, world, principal)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    for change, field in (
        ({"attempted_at": tomorrow}, "attempted_at"),
        ({"attempted_at": ago(days=30)}, "attempted_at"),
        ({"method": "pigeon"}, "method"),
        ({"persons": ""}, "persons"),
        ({"phone": "call me"}, "phone"),
    ):
        bad = await attempt(client, principal, case, **change)
        assert bad.status_code == 422, (change, bad.text)
        assert bad.json()["errors"][0]["loc"][1] == field, change
    supervisor = await world.headers(client, session, UserRole.SUPERVISOR, area_code=w.COUNTY)
    assert (await attempt(client, supervisor, case)).status_code == 403
    assert (await client.get(f"{URL}/{case['id']}/attempts", headers=principal)).json() == []
    url = f"{URL}/{case['id']}/follow-ups"
    not_back = await client.post(f"{url}/1", json={"outcome": "staying"}, headers=principal)
    assert not_back.status_code == 409
    assert not_back.json()["case_status"] == "planned"
    await act(client, principal, case, "return")
    unknown = await client.post(f"{url}/99", json={"outcome": "staying"}, headers=principal)
    assert unknown.status_code == 404
    before = await client.post(f"{url}/1", json={"outcome": "staying", "done_at": ago(days=1)},
                               headers=principal)  # fmt: skip
    assert before.status_code == 422
    assert before.json()["errors"][0]["loc"] == ["body", "done_at"]
    assert (await client.post(f"{url}/1", json={"outcome": "fine"}, headers=principal)
            ).status_code == 422  # fmt: skip
    assert {f["state"] for f in (await client.get(url, headers=principal)).json()} == {"due"}


async def test_a_phone_replaying_its_outbox_records_each_attempt_and_follow_up_once(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    case = await planned(client, session, world, principal)
    attempts = f"{URL}/{case['id']}/attempts"
    went = {"attempted_at": ago(hours=3), "persons": "李书记", "method": "home_visit",
            "outcome": "agreed"}  # fmt: skip
    keyed = {**cadre, "Idempotency-Key": "outbox-attempt-1"}
    first = await client.post(attempts, json=went, headers=keyed)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await client.post(attempts, json=went, headers=keyed)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = await client.post(attempts, json={**went, "outcome": "refused"}, headers=keyed)
    assert other.status_code == 422
    assert other.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    listed = (await client.get(attempts, headers=principal)).json()
    assert [a["number"] for a in listed] == [1]
    # A different key is a different attempt.
    fresh = {**cadre, "Idempotency-Key": "outbox-attempt-2"}
    second = await client.post(attempts, json=went, headers=fresh)
    assert (second.status_code, second.json()["number"]) == (201, 2)

    assert (await act(client, principal, case, "return")).status_code == 200
    url = f"{URL}/{case['id']}/follow-ups"
    seen = {"outcome": "staying", "note": "按时到校", "done_at": ago(seconds=0)}
    visit = {**cadre, "Idempotency-Key": "outbox-follow-up-1"}
    done = await client.post(f"{url}/1", json=seen, headers=visit)
    assert done.status_code == 200, done.text
    replayed = await client.post(f"{url}/1", json=seen, headers=visit)
    assert replayed.status_code == 200
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == done.json()
    # Without the key the same visit is the conflict it always was; with the key on another
    # visit or another body, the key's misuse is named.
    assert (await client.post(f"{url}/1", json=seen, headers=cadre)).status_code == 409
    elsewhere = await client.post(f"{url}/2", json=seen, headers=visit)
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    changed = await client.post(f"{url}/1", json={**seen, "note": "另一条"}, headers=visit)
    assert changed.status_code == 422
    # A visit finding the child gone reopens the case once, however often the phone sends it.
    gone = {"outcome": "left_again", "done_at": ago(seconds=0)}
    left = {**cadre, "Idempotency-Key": "outbox-follow-up-2"}
    for _ in range(3):
        answer = await client.post(f"{url}/2", json=gone, headers=left)
        assert answer.status_code == 200, answer.text
    detail = (await client.get(f"{URL}/{case['id']}", headers=principal)).json()
    assert (detail["status"], detail["reopened"]) == ("persuading", 1)
    assert [t["action"] for t in detail["transitions"]].count("reopen") == 1
    states = [(f["number"], f["state"]) for f in (await client.get(url, headers=cadre)).json()]
    assert states == [(1, "done"), (2, "done")]
