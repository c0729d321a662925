"""Dropout cases: opened with their deadlines, moved along the lifecycle's one table."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Assignment, Child
from api.models.vocabulary import AssignmentKind, CaseAction, CaseStatus, UserRole
from api.services.cases import case_rules
from api.services.core import school_age
from api.settings import Settings
from tests import world as w
from tests.factories import Login, bearer, token_for

URL = "/api/v1/cases"


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


async def report(
    client: httpx.AsyncClient, headers: dict[str, str], child: Any, **extra: Any
) -> dict[str, Any]:
    body = {"child_id": str(child), "source": "teacher_report", "days_absent": 3, **extra}
    made = await client.post(URL, json=body, headers=headers)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def plan(
    client: httpx.AsyncClient, headers: dict[str, str], case: dict[str, Any], *persons: Any,
    **extra: Any,
) -> httpx.Response:  # fmt: skip
    """Save a return plan naming ``persons`` (government line, school line), if any."""
    named = dict(zip(("government_person_id", "school_person_id"), map(str, persons), strict=False))
    target = (date.today() + timedelta(days=14)).isoformat()
    body = {**named, "methods": ["home_visit", "phone"], "target_return_on": target, **extra}
    return await client.put(f"{URL}/{case['id']}/plan", json=body, headers=headers)


async def act(
    client: httpx.AsyncClient, headers: dict[str, str], case: dict[str, Any], action: str,
    **extra: Any,
) -> httpx.Response:  # fmt: skip
    return await client.post(
        f"{URL}/{case['id']}/transitions", json={"action": action, **extra}, headers=headers
    )


async def test_a_case_walks_every_status_to_closed_and_back_when_the_child_leaves_again(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    teacher_login = await world.login(session, UserRole.TEACHER, klass="east-3-1")
    teacher = bearer((await token_for(client, teacher_login))["access_token"])
    cadre = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    case = await report(client, teacher, world.children["dong_a"], reason="weariness",
                        whereabouts="在家", last_seen_on="2026-11-18")  # fmt: skip
    assert case["status"] == "reported"
    assert (case["school_id"], case["class_id"], case["grade"]) == (
        str(world.schools["east"]),
        str(world.classes["east-3-1"]),
        3,
    )
    assert case["allowed_actions"] == []  # a teacher neither verifies nor reports upward
    walk = [
        (principal, "report_upward", "reported"),
        (principal, "verify", "verified"),
        (teacher, "plan", "planned"),
        (teacher, "persuade", "persuading"),
        (teacher, "return", "returned"),
        (teacher, "follow_up", "following_up"),
        (teacher, "reopen", "persuading"),
        (teacher, "return", "returned"),
        (teacher, "follow_up", "following_up"),
        (principal, "close", "closed"),
    ]
    for headers, action, status in walk:
        if action == "plan":  # saving the plan is the move
            saved = await plan(client, headers, case, cadre.user_id, teacher_login.user_id)
            assert saved.status_code == 200, saved.text
            moved = await client.get(f"{URL}/{case['id']}", headers=headers)
        else:
            moved = await act(client, headers, case, action, note=f"{action} 备注")
        assert moved.status_code == 200, (action, moved.text)
        assert moved.json()["status"] == status
    closed = (await client.get(f"{URL}/{case['id']}", headers=principal)).json()
    assert closed["reopened"] == 1
    assert closed["closed_at"] is not None
    assert closed["verified_at"] is not None
    steps = [(t["action"], t["from_status"], t["to_status"]) for t in closed["transitions"]]
    assert steps[0] == ("report", None, "reported")
    assert [s[0] for s in steps[1:]] == [a for _, a, _ in walk]
    assert all(t["note"] for t in closed["transitions"][1:])
    # Closed, it is off the ledger; a new report of the child opens a new case.
    assert (await client.get(URL, params={"open": "true"}, headers=principal)).json()["total"] == 0
    again = await report(client, teacher, world.children["dong_a"])
    assert again["id"] != case["id"]


async def test_every_action_the_table_does_not_allow_is_a_409_listing_those_it_does(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    path = [
        ("report_upward", "reported"),
        ("verify", "verified"),
        ("plan", "planned"),
        ("persuade", "persuading"),
        ("return", "returned"),
        ("follow_up", "following_up"),
        ("close", "closed"),
    ]
    case = await report(client, county, world.children["xi_a"])
    cadre = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.XI)
    teacher = await world.login(session, UserRole.TEACHER, klass="west-3-1")
    for step, (action, status) in enumerate(path):
        current = CaseStatus(path[step - 1][1]) if step else CaseStatus.REPORTED
        allowed = set(case_rules.actions_from(current))
        for forbidden in set(CaseAction) - allowed:
            refused = await act(client, county, case, forbidden.value, dismissal_reason="mistaken")
            assert refused.status_code == 409, (current, forbidden)
            assert set(refused.json()["allowed"]) == {a.value for a in allowed}
            assert refused.json()["case_status"] == current.value
        if action == "plan":  # allowed, but only by saving the plan
            unplanned = await act(client, county, case, action)
            assert unplanned.status_code == 409
            assert "PUT" in unplanned.json()["detail"]
            saved = await plan(client, county, case, cadre.user_id, teacher.user_id)
            assert saved.status_code == 200, saved.text
            moved = await client.get(f"{URL}/{case['id']}", headers=county)
        else:
            moved = await act(client, county, case, action)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == status


async def test_roles_the_table_does_not_name_are_forbidden(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    case = await report(client, cadre, world.children["dong_b"], source="manual", days_absent=None)
    refused = await act(client, cadre, case, "verify")
    assert refused.status_code == 403
    assert "principal" in refused.json()["detail"]


async def test_deadlines_met_late_and_overdue_and_moot(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    fresh = await report(client, principal, world.children["dong_a"], noticed_at=ago(hours=2))
    assert fresh["deadlines"]["school"]["state"] == "met"
    assert fresh["deadlines"]["county"]["state"] == "pending"
    old = await report(client, principal, world.children["dong_b"], noticed_at=ago(days=10))
    assert old["deadlines"]["school"]["state"] == "met_late"  # entered after 24 hours
    assert old["deadlines"]["county"]["state"] == "overdue"
    due = datetime.fromisoformat(old["deadlines"]["county"]["due_at"])
    noticed = datetime.fromisoformat(old["noticed_at"])
    assert due - noticed == timedelta(days=7)
    listed = await client.get(URL, params={"overdue": "true"}, headers=county)
    assert [c["id"] for c in listed.json()["items"]] == [old["id"]]
    on_time = await client.get(URL, params={"overdue": "false"}, headers=county)
    assert [c["id"] for c in on_time.json()["items"]] == [fresh["id"]]

    reported = await act(client, principal, old, "report_upward")
    assert reported.json()["deadlines"]["county"]["state"] == "met_late"
    twice = await act(client, principal, old, "report_upward")
    assert twice.status_code == 409
    assert (await client.get(URL, params={"overdue": "true"}, headers=county)).json()["total"] == 0

    dismissed = await act(client, principal, fresh, "dismiss", dismissal_reason="back_at_school")
    assert dismissed.json()["deadlines"]["county"]["state"] == "moot"
    assert dismissed.json()["dismissal_reason"] == "back_at_school"


async def test_bad_reports_and_transitions_are_refused_naming_the_field(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    child = str(world.children["dong_a"])
    no_days = {"child_id": child, "source": "teacher_report"}
    refused = await client.post(URL, json=no_days, headers=principal)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"][-1] == "days_absent"
    future = {"child_id": child, "noticed_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}
    assert (await client.post(URL, json=future, headers=principal)).status_code == 422
    # A time with no zone could be anyone's: refused naming it (it was a 500).
    naive = {"child_id": child, "noticed_at": "2026-03-02T09:30:00"}
    refused = await client.post(URL, json=naive, headers=principal)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"][-1] == "noticed_at"
    sweep = {"child_id": child, "source": "sweep"}
    assert (await client.post(URL, json=sweep, headers=principal)).json()["errors"][0]["loc"][
        -1
    ] == "source"
    abroad = {"child_id": str(world.children["lin_a"])}
    assert (await client.post(URL, json=abroad, headers=principal)).status_code == 404
    assert (await client.get(URL, headers=principal)).json()["total"] == 0  # nothing stored

    case = await report(client, principal, child)
    second = await client.post(URL, json={"child_id": child, "source": "manual"}, headers=principal)
    assert second.status_code == 409
    assert second.json()["existing_case_id"] == case["id"]
    no_reason = await act(client, principal, case, "dismiss")
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["loc"][-1] == "dismissal_reason"
    unknown = await act(client, principal, case, "verify", evidence_id=str(case["id"]))
    assert unknown.status_code == 422
    stale = await client.post(
        f"{URL}/{case['id']}/transitions",
        json={"action": "verify"},
        headers={**principal, "If-Match": '"7"'},
    )
    assert stale.status_code == 412
    kept = (await client.get(f"{URL}/{case['id']}", headers=principal)).json()
    assert (kept["status"], kept["version"], len(kept["transitions"])) == ("reported", 1, 1)


async def test_a_reason_implausible_for_the_childs_age_when_noticed_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    """A third-grader out of school for 早婚 or 外出务工 is a 422 naming ``reason``, nothing
    stored; a child of 14 that day may have married early, but not one noticed before."""
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    child_id = world.children["dong_a"]
    for reason in ("early_marriage", "gone_to_work"):
        body = {"child_id": str(child_id), "reason": reason}
        refused = await client.post(URL, json=body, headers=principal)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert [e["loc"] for e in refused.json()["errors"]] == [["body", "reason"]]
        assert "not under" in refused.json()["errors"][0]["msg"]
    assert (await client.get(URL, headers=principal)).json()["total"] == 0  # nothing stored
    child = await session.get(Child, child_id)
    assert child is not None
    today = school_age.local_today(settings)
    child.birth_date = today.replace(year=today.year - 14) - timedelta(days=10)
    session.add(child)
    await session.commit()
    before = {"child_id": str(child_id), "reason": "early_marriage", "noticed_at": ago(days=20)}
    assert (await client.post(URL, json=before, headers=principal)).status_code == 422
    case = await report(client, principal, child_id, reason="early_marriage")
    assert case["reason"] == "early_marriage"


async def test_cases_are_seen_by_both_lines_and_nobody_else(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    case = await report(client, principal, world.children["nan_a"])
    for role, scope in (
        (UserRole.VILLAGE_CADRE, {"area_code": w.NAN}),
        (UserRole.TEACHER, {"klass": "east-3-1"}),
        (UserRole.TOWNSHIP_OFFICER, {"area_code": w.EAST}),
    ):
        headers = await world.headers(client, session, role, **scope)
        assert (await client.get(f"{URL}/{case['id']}", headers=headers)).status_code == 200
        listed = await client.get(URL, headers=headers)
        assert [c["id"] for c in listed.json()["items"]] == [case["id"]], role
    for role, scope in (
        (UserRole.VILLAGE_CADRE, {"area_code": w.DONG}),
        (UserRole.TEACHER, {"klass": "east-3-2"}),
        (UserRole.TOWNSHIP_OFFICER, {"area_code": w.WEST}),
    ):
        headers = await world.headers(client, session, role, **scope)
        assert (await client.get(f"{URL}/{case['id']}", headers=headers)).status_code == 404
        assert (await client.get(URL, headers=headers)).json()["total"] == 0, role
    area = await client.get(URL, params={"area": w.NAN, "status": "reported"}, headers=principal)
    assert area.json()["total"] == 1
    elsewhere = await client.get(URL, params={"area": w.DONG}, headers=principal)
    assert elsewhere.json()["total"] == 0


async def test_mine_lists_the_cases_the_caller_answers_for_on_either_line(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    today = school_age.local_today(settings)
    county = await world.login(session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    bureau = bearer((await token_for(client, county))["access_token"])
    # Two cadres of 东村: the group was the first's until today, and is the second's now.
    before = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    now = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    lead = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    head = await world.login(session, UserRole.TEACHER, klass="east-3-1")
    other_head = await world.login(session, UserRole.TEACHER, klass="east-3-2")
    principal = await world.login(session, UserRole.PRINCIPAL, school="west")
    session.add_all([
        Assignment(kind=AssignmentKind.SCHOOL, user_id=principal.user_id,
                   school_id=world.schools["west"], valid_from=today - timedelta(days=60)),
        Assignment(kind=AssignmentKind.GROUP, user_id=before.user_id, area_code=w.DONG_GROUP,
                   valid_from=today - timedelta(days=60), valid_to=today),
        Assignment(kind=AssignmentKind.GROUP, user_id=now.user_id, area_code=w.DONG_GROUP,
                   valid_from=today),
        Assignment(kind=AssignmentKind.VILLAGE, user_id=lead.user_id, area_code=w.NAN,
                   valid_from=today - timedelta(days=60)),
        # Outside the officer's scope (西镇): answering for it shows them nothing of it.
        Assignment(kind=AssignmentKind.VILLAGE, user_id=lead.user_id, area_code=w.XI,
                   valid_from=today - timedelta(days=60)),
        Assignment(kind=AssignmentKind.CLASS, user_id=head.user_id,
                   class_id=world.classes["east-3-1"], valid_from=today - timedelta(days=60)),
        # Starting tomorrow: not yet answering for the child.
        Assignment(kind=AssignmentKind.CHILD, user_id=other_head.user_id,
                   child_id=world.children["dong_b"], valid_from=today + timedelta(days=1)),
    ])  # fmt: skip
    await session.commit()
    opened = {
        key: (await report(client, bureau, world.children[key]))["id"]
        for key in ("dong_a", "dong_b", "nan_a", "xi_a")
    }

    async def mine(login: Login, value: str = "true") -> set[str]:
        headers = bearer((await token_for(client, login))["access_token"])
        listed = await client.get(URL, params={"mine": value, "limit": 100}, headers=headers)
        assert listed.status_code == 200, listed.text
        assert listed.json()["total"] == len(listed.json()["items"])
        return {item["id"] for item in listed.json()["items"]}

    assert await mine(now) == {opened["dong_a"]}  # 包组: the child lives in the group
    assert await mine(before) == set()  # the group is no longer theirs
    assert await mine(before, "false") == {opened["dong_a"], opened["dong_b"]}  # in scope
    assert await mine(lead) == {opened["nan_a"]}  # 包村; 西村 lies outside their scope
    assert await mine(head) == {opened["dong_a"], opened["nan_a"]}  # 班主任 of their class
    assert await mine(other_head) == set()
    assert await mine(principal) == {opened["xi_a"]}  # 包校
    # Named on the return plan: the cadre not assigned, a teacher of another class.
    case = {"id": opened["dong_b"]}
    assert (await act(client, bureau, case, "verify")).status_code == 200
    saved = await plan(client, bureau, case, before.user_id, other_head.user_id)
    assert saved.status_code == 200, saved.text
    assert await mine(before) == {opened["dong_b"]}
    assert await mine(other_head) == {opened["dong_b"]}
    # Only the plan as it stands: a new version naming someone else takes the case off.
    renamed = await plan(client, bureau, case, now.user_id, other_head.user_id)
    assert renamed.status_code == 200, renamed.text
    assert await mine(before) == set()
    assert await mine(now) == {opened["dong_a"], opened["dong_b"]}
    # The county's administrator sees every case and answers for none.
    assert await mine(county) == set()
    assert await mine(county, "false") == set(opened.values())
    # Combined with the other filters.
    head_headers = bearer((await token_for(client, head))["access_token"])
    area = await client.get(URL, params={"mine": "true", "area": w.NAN}, headers=head_headers)
    assert [item["id"] for item in area.json()["items"]] == [opened["nan_a"]]
