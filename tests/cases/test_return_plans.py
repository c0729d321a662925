"""一人一案: the return plan, pre-filled from both lines and the reason's template, versioned."""

from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Assignment, ReturnPlan
from api.models.vocabulary import AssignmentKind, DropoutReason, SupportMeasure, UserRole
from api.services.cases import plan_templates
from tests import world as w
from tests.cases.test_cases import URL, act, report
from tests.factories import Login, bearer, token_for

TEMPLATES = "/api/v1/return-plan-templates"


async def headers_of(client: httpx.AsyncClient, login: Login) -> dict[str, str]:
    return bearer((await token_for(client, login))["access_token"])


async def lines(session: AsyncSession, world: w.World) -> tuple[Login, Login]:
    """张小明's two lines: a village cadre covering 东村一组 (包组) and a teacher covering him."""
    cadre = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    teacher = await world.login(session, UserRole.TEACHER, klass="east-3-1")
    since = date.today() - timedelta(days=30)
    session.add_all([
        Assignment(kind=AssignmentKind.GROUP, user_id=cadre.user_id, area_code=w.DONG_GROUP,
                   valid_from=since),
        Assignment(kind=AssignmentKind.CHILD, user_id=teacher.user_id,
                   child_id=world.children["dong_a"], valid_from=since),
    ])  # fmt: skip
    await session.commit()
    return cadre, teacher


async def verified(client: httpx.AsyncClient, headers: dict[str, str], child: Any,
                   reason: str) -> dict[str, Any]:  # fmt: skip
    case = await report(client, headers, child, reason=reason)
    moved = await act(client, headers, case, "verify")
    assert moved.status_code == 200, moved.text
    return dict(moved.json())


def in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


async def test_a_plan_starts_from_both_lines_and_the_reasons_template_and_keeps_its_versions(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    cadre, teacher = await lines(session, world)
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    case = await verified(client, principal, world.children["dong_a"], "economic_hardship")
    url = f"{URL}/{case['id']}/plan"
    draft = await client.get(url, headers=principal)
    assert draft.status_code == 200, draft.text
    assert draft.headers["ETag"] == '"0"'
    assert draft.json()["version"] == 0
    assert draft.json()["government_person"]["id"] == str(cadre.user_id)
    assert draft.json()["school_person"]["id"] == str(teacher.user_id)
    assert [m["measure"] for m in draft.json()["measures"]] == [
        "boarding_subsidy", "social_assistance"]  # fmt: skip
    assert draft.json()["measures"][0]["label"] == "落实贫困寄宿生生活补助"
    # Saved with persons and measures left out: the draft's; the case moves on to planned.
    teacher_headers = await headers_of(client, teacher)
    body = {"methods": ["home_visit"], "target_return_on": in_days(10), "schedule": "每周二上门"}
    first = await client.put(url, json=body, headers={**teacher_headers, "If-Match": '"0"'})
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"1"'
    saved = first.json()
    assert (saved["version"], saved["government_person"]["id"]) == (1, str(cadre.user_id))
    assert [m["measure"] for m in saved["measures"]] == ["boarding_subsidy", "social_assistance"]
    moved = (await client.get(f"{URL}/{case['id']}", headers=principal)).json()
    assert moved["status"] == "planned"
    assert [t["action"] for t in moved["transitions"]] == ["report", "verify", "plan"]
    # A second version, its measures chosen, the legal steps among them.
    second = {**body, "methods": ["home_visit", "at_school"], "measures": [
        {"measure": "boarding_subsidy", "detail": "每月 250 元，学校资助办落实"},
        {"measure": "correction_order", "detail": "劝返两次无效后送达"}]}  # fmt: skip
    changed = await client.put(url, json=second, headers={**principal, "If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    assert changed.json()["measures"][1]["label"] == "劝返无效的，送达责令改正通知书"
    stale = await client.put(url, json=body, headers={**principal, "If-Match": '"1"'})
    assert stale.status_code == 412
    history = (await client.get(f"{url}/versions", headers=principal)).json()
    assert [(p["version"], p["methods"]) for p in history] == [
        (1, ["home_visit"]), (2, ["home_visit", "at_school"])]  # fmt: skip
    assert (await client.get(url, headers=principal)).json()["version"] == 2


async def test_bad_plans_are_refused_naming_the_field_and_store_nothing(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    cadre, teacher = await lines(session, world)
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    reported = await report(client, principal, world.children["dong_a"], reason="weariness")
    url = f"{URL}/{reported['id']}/plan"
    good = {"methods": ["phone"], "target_return_on": in_days(7)}
    early = await client.put(url, json=good, headers=principal)
    assert early.status_code == 409  # not yet verified
    assert early.json()["case_status"] == "reported"
    await act(client, principal, reported, "verify")
    stranger = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.XI)
    for change, field in (
        ({"target_return_on": "2020-01-01"}, "target_return_on"),
        ({"target_return_on": in_days(400)}, "target_return_on"),
        ({"government_person_id": str(teacher.user_id)}, "government_person_id"),
        ({"school_person_id": str(cadre.user_id)}, "school_person_id"),
        ({"government_person_id": str(stranger.user_id)}, "government_person_id"),
        ({"methods": []}, "methods"),
        ({"methods": ["phone", "phone"]}, "methods"),
        ({"measures": [{"measure": "talks"}, {"measure": "talks"}]}, "measures"),
        ({"measures": [{"measure": "bribes"}]}, "measures"),
    ):
        bad = await client.put(url, json={**good, **change}, headers=principal)
        assert bad.status_code == 422, (change, bad.text)
        assert bad.json()["errors"][0]["loc"][1] == field, change
    supervisor = await world.headers(client, session, UserRole.SUPERVISOR, area_code=w.COUNTY)
    assert (await client.put(url, json=good, headers=supervisor)).status_code == 403
    stored = await session.exec(select(func.count()).select_from(ReturnPlan))
    assert stored.one() == 0
    case = (await client.get(f"{URL}/{reported['id']}", headers=principal)).json()
    assert case["status"] == "verified"
    # Nobody on a line and nobody named: the plan must name someone.
    orphan = await verified(client, principal, world.children["nan_a"], "other")
    unnamed = await client.put(f"{URL}/{orphan['id']}/plan", json=good, headers=principal)
    assert unnamed.status_code == 422
    assert {e["loc"][1] for e in unnamed.json()["errors"]} == {
        "government_person_id", "school_person_id"}  # fmt: skip


async def test_every_reason_has_the_seeds_support_and_the_legal_steps_after(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.TEACHER, klass="east-3-1")
    answer = await client.get(TEMPLATES, headers=headers)
    assert answer.status_code == 200
    by_reason = {t["reason"]: t for t in answer.json()}
    assert set(by_reason) == {r.value for r in DropoutReason}
    expected = {
        "economic_hardship": ["boarding_subsidy", "social_assistance"],
        "learning_difficulty": ["academic_assessment", "one_to_one_tutor"],
        "weariness": ["talks", "counselling"],
        "family_change": ["family_help"],
        "gone_to_work": ["guardian_duty_notice"],
    }
    for reason, measures in expected.items():
        assert [m["measure"] for m in by_reason[reason]["measures"]] == measures
        after = by_reason[reason]["when_persuasion_fails"]
        assert "correction_order" in [m["measure"] for m in after]
    assert by_reason["weariness"]["reason_label"] == "厌学"
    assert set(plan_templates.TEMPLATES) == set(DropoutReason)
    used = {m for kinds in plan_templates.TEMPLATES.values() for m in kinds}
    assert used | set(plan_templates.WHEN_PERSUASION_FAILS) | {SupportMeasure.OTHER} == set(
        SupportMeasure
    )
    assert (await client.get(TEMPLATES)).status_code == 401
