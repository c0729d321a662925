"""The statistics snapshot (statistics_snapshot.py): whoever covers areas alone gets
sums of it, the same figures as counted live; a write shows once it is refreshed; a refresh
replaces the rows; schools and classes are counted live. On the hand-counted population of
tests/statistics/test_statistics.py, with more on top where a test says so."""

import asyncio
from datetime import timedelta
from typing import Any, get_args

import httpx
import pytest
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api import scheduler
from api.app import create_app
from api.db import create_sessionmaker
from api.models import (
    Campaign,
    CampaignArea,
    Case,
    CaseTransfer,
    Child,
    Enrolment,
    Household,
    StatisticsSnapshot,
    User,
)
from api.models.base import utcnow
from api.models.vocabulary import (
    CampaignKind,
    CaseSource,
    CaseStatus,
    DropoutReason,
    SchoolingStatus,
    Sex,
    UserRole,
)
from api.schemas.statistics import BreakdownBy
from api.services.core import actors, school_age
from api.services.core.actors import Actor
from api.services.statistics import statistics, statistics_snapshot
from api.settings import Settings
from tests import world as w
from tests.statistics.test_statistics import (
    COUNTY_FIGURES,
    EAST_FIGURES,
    _mark_cases,
    _named,
    population,
)

__all__ = ["population"]  # the fixture, used by name

S = SchoolingStatus
OVERVIEW = "/api/v1/stats/overview"


async def _actor(session: AsyncSession, world: w.World, role: UserRole, **scope: Any) -> Actor:
    login = await world.login(session, role, **scope)
    await session.commit()
    actor = await actors.load(session=session, user_id=login.user_id)
    assert actor is not None
    return actor


def _live(settings: Settings) -> Settings:
    return settings.model_copy(update={"statistics_refresh_seconds": 0})


def _figures(answer: Any) -> dict[str, Any]:
    return dict(answer.model_dump(exclude={"computed_at"}))


async def _overview(
    session: AsyncSession, actor: Actor, settings: Settings, area: str | None = None
) -> Any:
    return await statistics.overview(session=session, actor=actor, settings=settings, area=area)


async def _made(session: AsyncSession) -> Any:
    found = await statistics_snapshot.state(session)
    return found.computed_at if found else None


async def _status(session: AsyncSession, name: str, status: SchoolingStatus) -> None:
    await session.exec(update(Child).where(col(Child.name) == name).values(schooling_status=status))
    await session.commit()


async def _more(session: AsyncSession, world: w.World) -> None:
    """On top of the population: the cases marked (test_statistics.py's _mark_cases),
    the flags of its breakdown by flag, e5 a second dropout this year (returned, closed) at
    the other school (one child: one dropout a row, and one in all) and w2 registered twice
    this autumn (one child)."""
    await _mark_cases(session, world)
    e5, w1, w2 = [await _named(session, name) for name in ("甲五", "丙一", "丙二")]
    xi_a = await session.get(Child, world.children["xi_a"])
    e_one = await session.get(Household, e5.household_id)
    assert xi_a is not None
    assert e_one is not None
    e5.left_behind, w1.left_behind, xi_a.disability_grade = 2, 1, 2
    e_one.is_poverty_registered = True
    admin = (await session.exec(select(User.id))).first()
    assert admin is not None
    now = utcnow()
    session.add_all([e5, w1, xi_a, e_one])
    session.add(
        Case(
            child_id=e5.id,
            status=CaseStatus.CLOSED,
            source=CaseSource.MANUAL,
            reported_by_id=admin,
            noticed_at=now - timedelta(hours=2),
            reported_at=now - timedelta(hours=1),
            verified_at=now,
            returned_at=now,
            closed_at=now,
            school_due_at=now + timedelta(hours=22),
            county_due_at=now + timedelta(days=7),
            school_id=world.schools["west"],
            grade=4,
            reason=DropoutReason.WEARINESS,
        )
    )
    year = world.school_year
    session.add(
        Enrolment(
            child_id=w2.id,
            school_id=world.schools["east"],
            term=f"{year}-{year + 1}-1",
            grade=3,
            student_number="J-transfer",
            name=w2.name,
            sex=Sex.FEMALE,
            birth_date=w2.birth_date,
        )
    )
    await session.commit()


async def test_the_snapshot_gives_the_live_figures_for_every_breakdown(
    session: AsyncSession, population: w.World, settings: Settings
) -> None:
    await _more(session, population)
    readers: list[tuple[Actor, list[str | None]]] = [
        (await _actor(session, population, UserRole.COUNTY_ADMIN, area_code=w.COUNTY),
         [None, w.COUNTY, w.EAST, w.WEST, w.DONG, w.DONG_GROUP]),
        (await _actor(session, population, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST),
         [None, w.NAN]),
        (await _actor(session, population, UserRole.VILLAGE_CADRE, area_code=w.XI), [None]),
    ]  # fmt: skip
    weeks = {"week": [4, 12, 53]}
    for actor, areas in readers:
        for area in areas:
            kept = await _overview(session, actor, settings, area)
            live = await _overview(session, actor, _live(settings), area)
            assert _figures(kept) == _figures(live), (actor.area_codes, area)
            made = await _made(session)
            assert kept.computed_at == made < live.computed_at  # the snapshot's, and now
            for by in get_args(BreakdownBy):
                for n in weeks.get(by, [12]):
                    answers = [
                        await statistics.breakdown(session=session, actor=actor, settings=s,
                                                   area=area, by=by, weeks=n)
                        for s in (settings, _live(settings))
                    ]  # fmt: skip
                    assert _figures(answers[0]) == _figures(answers[1]), (area, by, n)
                    assert answers[0].computed_at == made
    # Read from the snapshot, the county's figures are still those counted by hand, bar what
    # _more added: e5's second case (verified, returned and closed: a stable return; entered
    # on time, not yet due at the county), e5 still one dropout.
    county = await _overview(session, readers[0][0], settings)
    added = {"cases_verified": 5, "returned": 4, "return_rate": 4 / 5, "stable_returns": 3,
             "stable_return_rate": 3 / 4, "school_deadline_due": 7, "school_deadline_met": 6,
             "school_deadline_compliance": 6 / 7}  # fmt: skip
    assert {name: getattr(county, name) for name in COUNTY_FIGURES} == {**COUNTY_FIGURES, **added}


async def test_a_write_after_the_snapshot_shows_once_it_is_refreshed(
    session: AsyncSession, population: w.World, settings: Settings
) -> None:
    admin = await _actor(session, population, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    before = await _overview(session, admin, settings)
    assert before.children_enrolled == COUNTY_FIGURES["children_enrolled"] == 8
    # w1 is back at school.
    await _status(session, "丙一", S.ENROLLED_IN_COUNTY)
    stale = await _overview(session, admin, settings)
    assert stale.children_enrolled == 8
    assert stale.computed_at == before.computed_at
    assert (await _overview(session, admin, _live(settings))).children_enrolled == 9
    await statistics.refresh(session=session, settings=settings)
    after = await _overview(session, admin, settings)
    assert after.children_enrolled == 9
    assert after.computed_at > before.computed_at
    # A snapshot older than statistics_refresh_seconds, or of another day (however young it may
    # be taken to be), is refreshed by the reader who finds it so.
    patient = settings.model_copy(update={"statistics_refresh_seconds": 3 * 24 * 3600})
    for reading, age in ((settings, timedelta(seconds=settings.statistics_refresh_seconds + 1)),
                         (patient, timedelta(days=1))):  # fmt: skip
        await _status(session, "丙一", S.DROPPED_OUT)
        await session.exec(update(StatisticsSnapshot).values(computed_at=utcnow() - age))
        await session.commit()
        again = await _overview(session, admin, reading)
        assert again.children_enrolled == 8
        assert utcnow() - again.computed_at < timedelta(minutes=1)
        await _status(session, "丙一", S.ENROLLED_IN_COUNTY)
        assert (await _overview(session, admin, reading)).children_enrolled == 8  # as of then


async def _rows(session: AsyncSession) -> list[tuple[Any, ...]]:
    found = await session.exec(
        select(StatisticsSnapshot).order_by(
            col(StatisticsSnapshot.dimension),
            col(StatisticsSnapshot.key),
            col(StatisticsSnapshot.area_code),
        )
    )
    return [
        tuple(getattr(row, name) for name in ("dimension", "key", "area_code", "campaign_id",
                                              *statistics_snapshot.COUNTED))
        for row in found.all()
    ]  # fmt: skip


async def test_a_refresh_replaces_the_rows_rather_than_adding_to_them(
    session: AsyncSession, population: w.World, settings: Settings
) -> None:
    written = await statistics.refresh(session=session, settings=settings)
    first = await _rows(session)
    assert written == len(first)
    assert await statistics.refresh(session=session, settings=settings) == written
    assert await _rows(session) == first
    made = await session.exec(
        select(func.count(func.distinct(col(StatisticsSnapshot.computed_at))))
    )
    assert made.one() == 1
    # The rows are the child's area's: summed, the area rows of the county give its overview
    # (the snapshot holds next door's lin_a and case G too, for next door's readers).
    area_rows = [row for row in first if row[0] == "area"]
    assert {row[2] for row in area_rows} == {w.DONG_GROUP, w.DONG, w.NAN, w.XI, w.NEIGHBOUR_VILLAGE}
    names = statistics_snapshot.COUNTED
    county = [row for row in area_rows if row[2].startswith(w.COUNTY)]
    swept = ("households", "households_visited", "sweep_children", "sweep_children_observed")
    expected = {name: COUNTY_FIGURES[name] for name in names if name not in swept}
    summed = {name: sum(row[4 + names.index(name)] for row in county) for name in expected}
    assert summed == expected
    assert {row[4 + names.index(name)] for row in area_rows for name in swept} == {None}
    # The campaign's coverage, by household area, and its marker; and the refresh's own.
    campaign = (await session.exec(select(Campaign.id))).one()
    coverage = [row for row in first if row[0] == statistics_snapshot.COVERAGE]
    assert {row[1] for row in coverage} == {str(campaign)}
    assert sum(row[names.index("households") + 4] for row in coverage) == 7
    assert [row[:3] for row in first if row[0] == statistics_snapshot.MARKER] == [
        ("snapshot", "", ""),
        ("snapshot", str(campaign), ""),
    ]
    assert set(names) == set(statistics.COUNTS)


async def test_a_principal_or_a_teacher_is_counted_live(
    session: AsyncSession, population: w.World, settings: Settings
) -> None:
    principal = await _actor(session, population, UserRole.PRINCIPAL, school="east")
    teacher = await _actor(session, population, UserRole.TEACHER, klass="east-3-1")
    for actor in (principal, teacher):
        answer = await _overview(session, actor, settings)
        assert utcnow() - answer.computed_at < timedelta(minutes=1)
        assert _figures(answer) == _figures(await _overview(session, actor, _live(settings)))
    assert await statistics_snapshot.state(session) is None  # nobody needed one
    # With a snapshot there, a write shows to the principal at once.
    admin = await _actor(session, population, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    await _overview(session, admin, settings)
    before = (await _overview(session, principal, settings)).children_enrolled
    dong_b = await session.get(Child, population.children["dong_b"])  # at 东镇中心小学
    assert dong_b is not None
    await _status(session, dong_b.name, S.SUSPENDED)
    assert (await _overview(session, principal, settings)).children_enrolled == before - 1
    assert (await _overview(session, admin, settings)).children_enrolled == 8  # as of before


async def test_counted_live_when_told_so_or_for_many_weeks(
    session: AsyncSession, population: w.World, settings: Settings
) -> None:
    admin = await _actor(session, population, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    await _overview(session, admin, _live(settings))
    await statistics.breakdown(
        session=session, actor=admin, settings=settings, area=None, by="week", weeks=60
    )
    assert await statistics_snapshot.state(session) is None


async def test_a_campaign_started_since_the_snapshot_is_counted_in_at_once(
    session: AsyncSession, population: w.World, settings: Settings
) -> None:
    admin = await _actor(session, population, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    first = await _overview(session, admin, settings)
    today = school_age.local_today(settings)
    creator = (await session.exec(select(User.id))).first()
    assert creator is not None
    later = Campaign(
        name="西镇回头看",
        kind=CampaignKind.CONTROL_MONTH,
        starts_on=today,
        ends_on=today + timedelta(days=7),
        started_at=utcnow(),
        created_by_id=creator,
    )
    session.add(later)
    await session.flush()
    session.add(CampaignArea(campaign_id=later.id, area_code=w.WEST))
    await session.commit()
    # The county's current campaign is now the new one: households registered in 西镇 since
    # it started (none) and those it fixed at its start (none here).
    again = await _overview(session, admin, settings)
    assert again.campaign_id == later.id != first.campaign_id
    assert again.computed_at > first.computed_at
    assert _figures(again) == _figures(await _overview(session, admin, _live(settings)))
    # 东镇's officer is still shown the first one, kept in the same snapshot.
    officer = await _actor(session, population, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    east = await _overview(session, officer, settings)
    assert east.campaign_id == first.campaign_id
    assert east.computed_at == again.computed_at
    expected = {name: getattr(east, name) for name in EAST_FIGURES}
    assert expected == EAST_FIGURES


async def test_a_case_handed_to_an_area_counts_where_its_child_lives(
    session: AsyncSession, population: w.World, settings: Settings
) -> None:
    """Case F (xi_a, 西村) handed to 东村, pending: 东镇's officer sees the case, but the
    statistics count it in 西镇, where the child lives until the move is accepted."""
    case = (
        await session.exec(select(Case).where(col(Case.child_id) == population.children["xi_a"]))
    ).one()
    requester = (await session.exec(select(User.id))).first()
    assert requester is not None
    session.add(
        CaseTransfer(
            case_id=case.id,
            to_area_code=w.DONG,
            from_area_code=w.XI,
            requested_by_id=requester,
            requested_at=utcnow(),
        )
    )
    await session.commit()
    officer = await _actor(session, population, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    for reading in (settings, _live(settings)):
        east = await _overview(session, officer, reading)
        assert {name: getattr(east, name) for name in EAST_FIGURES} == EAST_FIGURES


async def test_the_scheduler_refreshes_at_half_the_age_readers_take(
    session: AsyncSession, population: w.World, settings: Settings
) -> None:
    assert await statistics.refresh_if_due(session=session, settings=settings) > 0
    assert await statistics.refresh_if_due(session=session, settings=settings) == 0
    half = timedelta(seconds=settings.statistics_refresh_seconds / 2 + 1)
    await session.exec(update(StatisticsSnapshot).values(computed_at=utcnow() - half))
    await session.commit()
    assert await statistics.refresh_if_due(session=session, settings=settings) > 0


async def test_two_refreshes_at_once_leave_one_snapshot(
    db: AsyncEngine, session: AsyncSession, population: w.World, settings: Settings
) -> None:
    async def refresh() -> int:
        async with create_sessionmaker(db, settings=settings)() as own:
            return await statistics.refresh(session=own, settings=settings)

    first, second = await asyncio.gather(refresh(), refresh())
    assert first == second == len(await _rows(session))


async def test_the_app_refreshes_the_snapshot_by_itself(
    session: AsyncSession, population: w.World, settings: Settings
) -> None:
    app = create_app(
        settings.model_copy(
            update={"statistics_refresh_seconds": 1, "escalation_interval_minutes": 0}
        )
    )
    jobs = scheduler.start(app)
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            if await statistics_snapshot.state(session) is not None:
                break
        assert await statistics_snapshot.state(session) is not None
    finally:
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        await app.state.engine.dispose()


async def test_the_answers_say_when_they_were_counted(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    overview = (await client.get(OVERVIEW, headers=headers)).json()
    made = await _made(session)
    assert made is not None
    assert overview["computed_at"].replace("Z", "+00:00") == made.isoformat()
    response = await client.get("/api/v1/stats/breakdown?by=school", headers=headers)
    assert response.json()["computed_at"] == overview["computed_at"]


def test_the_setting_takes_no_negative_age() -> None:
    with pytest.raises(ValueError, match="statistics_refresh_seconds"):
        Settings(statistics_refresh_seconds=-1)
