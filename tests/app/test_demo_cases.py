"""The demo county's cases: every status, some overdue, each history a walk the lifecycle's
table allows, with the plans, attempts and follow-ups its status implies, each reason one the
child's age allows."""

from collections import Counter
from datetime import date

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.demo import generator, loader
from api.models import Case, CaseTransition, Child, FollowUp, PersuasionAttempt, ReturnPlan
from api.models.vocabulary import CaseAction, CaseStatus
from api.services.cases import case_rules
from api.settings import Settings
from tests.factories import bearer

S = CaseStatus


async def test_the_demo_has_cases_in_every_status_each_history_allowed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    data = generator.generate(scale="small", seed=11, reference_date=date.today())
    await loader.load(session=session, data=data)
    cases = list((await session.exec(select(Case))).all())
    assert set(Counter(c.status for c in cases)) == set(CaseStatus)
    steps = (await session.exec(select(CaseTransition).order_by(col(CaseTransition.at)))).all()
    history: dict[object, list[CaseTransition]] = {}
    for step in steps:
        history.setdefault(step.case_id, []).append(step)
    for case in cases:
        walked = history[case.id]
        assert walked[0].action is CaseAction.REPORT
        for step in walked[1:]:
            move = case_rules.TRANSITIONS[step.from_status, step.action]  # type: ignore[index]
            assert move.to is step.to_status
        assert walked[-1].to_status is case.status
    planned = {p.case_id for p in (await session.exec(select(ReturnPlan))).all()}
    persuaded = {a.case_id for a in (await session.exec(select(PersuasionAttempt))).all()}
    followed = {f.case_id for f in (await session.exec(select(FollowUp))).all()}
    later = {S.PLANNED, S.PERSUADING, S.RETURNED, S.FOLLOWING_UP, S.CLOSED}
    assert planned == {c.id for c in cases if c.status in later}
    assert persuaded == {c.id for c in cases if c.status in later - {S.PLANNED}}
    assert followed == {c.id for c in cases if c.status in case_rules.STAYING}
    # Past 不过周 and unreported: overdue, as the county sees them; the demo teacher has cases.
    logins = {}
    for name in ("demo.county", "demo.teacher"):
        form = {"username": name, "password": loader.DEMO_PASSWORD}
        logins[name] = bearer(
            (await client.post("/api/v1/auth/token", data=form)).json()["access_token"]
        )
    overdue = await client.get(
        "/api/v1/cases", params={"overdue": "true"}, headers=logins["demo.county"]
    )
    assert overdue.json()["total"] >= 1
    own = await client.get("/api/v1/cases", headers=logins["demo.teacher"])
    assert own.json()["total"] >= 2
    ledger = await client.get("/api/v1/exports/dropout-ledger.xlsx",
                              params={"ledger": "confirmed"},
                              headers=logins["demo.county"])  # fmt: skip
    assert ledger.status_code == 200


async def test_the_demo_gives_no_child_a_reason_implausible_for_their_age(
    session: AsyncSession, settings: Settings
) -> None:
    """No six-year-old out of school for 早婚 or 外出务工: each case's reason fits the child's
    age on the day noticed, by the settings the demo is made with."""
    data = generator.generate(
        scale="small", seed=11, reference_date=date(2026, 10, 15), settings=settings
    )
    await loader.load(session=session, data=data, settings=settings)
    found = (await session.exec(select(Case, Child).join(Child))).all()
    assert len(found) >= 10
    implausible = [
        (case.reason, child.birth_date, case.noticed_at)
        for case, child in found
        if case_rules.implausible_reason(
            case.reason, born=child.birth_date, noticed_at=case.noticed_at, settings=settings
        )
    ]
    assert implausible == []
