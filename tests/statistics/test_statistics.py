"""The statistics (入学率, 巩固率, 辍学, 劝返, 时限, 排查覆盖) over a small population whose right
answers are counted by hand below, not by the code under test.

On top of tests/world.py's county (dong_a in 东村一组, dong_b in 东村, nan_a in 南村, xi_a in
西村, all enrolled in the county, registered this autumn; lin_a next door, never counted):

    东村 household E1: e1 县外就读 with evidence, e2 县外就读 without, e5 辍学 (registered this
                       autumn), e6 deceased, e8 休学, e9 three years old (not of school age)
    南村 household E2: e3 送教上门, e4 status unknown but placed at a special school, e7 emigrated
    西村 household W:  w1 辍学, w2 在校 (registered this autumn at 西镇小学)

Cases (deadline columns set by hand, relative to now):
    A e5      persuading, verified, noticed this year; school on time; county overdue, unreported
    B w1      reported (suspected), noticed this year; school on time; county not yet due
    C w2      closed, verified, returned 120 days ago, noticed last year; school late; county
              reported on time
    D nan_a   returned 10 days ago, verified, noticed this year; school on time; county late
    E dong_b  following up, returned 100 days ago, noticed last year; both on time
    F xi_a    dismissed after verification, noticed this year; school on time; county overdue
              but moot (dismissed)
    G lin_a   verified, next door: nobody here sees it

The campaign (started yesterday over the county; every household registered since counts):
visits reach dong_a's household and E1 (observing dong_a, e1, e5); W had nobody home, xi_a's
household refused.
"""

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Case,
    Child,
    Enrolment,
    Household,
    SchoolingStatusChange,
)
from api.models.base import utcnow
from api.models.vocabulary import (
    CaseSource,
    CaseStatus,
    DisabilityPlacement,
    DropoutReason,
    SchoolingStatus,
    Sex,
    StatusSource,
    UserRole,
    VisitOutcome,
)
from api.services.core import school_age
from api.settings import Settings
from tests import people
from tests import world as w
from tests.factories import make_user

S = SchoolingStatus
OVERVIEW = "/api/v1/stats/overview"
BREAKDOWN = "/api/v1/stats/breakdown"


@pytest.fixture
async def population(session: AsyncSession, settings: Settings) -> w.World:
    today = school_age.local_today(settings)
    world = await w.build(session, settings, today)
    year = world.school_year
    autumn = f"{year}-{year + 1}-1"
    await session.exec(update(Enrolment).values(term=autumn))
    admin = await make_user(session, role=UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    now = utcnow()
    zone = ZoneInfo(settings.timezone)
    year_start = datetime.combine(settings.entry_cutoff(year) + timedelta(days=1), time(), zone)
    this_year = max(year_start, now - timedelta(days=1))
    last_year = year_start - timedelta(days=200)
    born, _ = school_age.birth_dates_for_grade(3, year, settings)
    # A campaign started yesterday: households registered since (all of these) are in scope.
    campaign = await people.campaign(session, created_by=admin.user_id, area=w.COUNTY, today=today)

    e_one = await people.household(session, w.DONG, "东一")
    e_two = await people.household(session, w.NAN, "南二")
    west = await people.household(session, w.XI, "西三")
    e1 = await people.child(session, e_one, "甲一", S.ENROLLED_OUTSIDE_COUNTY, born)
    e2 = await people.child(session, e_one, "甲二", S.ENROLLED_OUTSIDE_COUNTY, born)
    e5 = await people.child(session, e_one, "甲五", S.DROPPED_OUT, born)
    await people.child(session, e_one, "甲六", S.DECEASED, born)
    await people.child(session, e_one, "甲八", S.SUSPENDED, born)
    await people.child(session, e_one, "甲九", S.UNKNOWN, today.replace(year=today.year - 3))
    await people.child(session, e_two, "乙三", S.HOME_DELIVERED, born)
    await people.child(
        session, e_two, "乙四", S.UNKNOWN, born, placement=DisabilityPlacement.SPECIAL_SCHOOL
    )
    await people.child(session, e_two, "乙七", S.EMIGRATED, born)
    w1 = await people.child(session, west, "丙一", S.DROPPED_OUT, born)
    w2 = await people.child(session, west, "丙二", S.ENROLLED_IN_COUNTY, born)
    for child, evidence in ((e1, "转学证明"), (e2, None)):
        session.add(
            SchoolingStatusChange(
                child_id=child.id,
                to_status=S.ENROLLED_OUTSIDE_COUNTY,
                source=StatusSource.MANUAL,
                evidence=evidence,
            )
        )
    for child, school in ((e5, "east"), (w2, "west")):
        session.add(
            Enrolment(
                child_id=child.id,
                school_id=world.schools[school],
                term=autumn,
                grade=3,
                student_number=f"J{child.id.hex[:10]}",
                name=child.name,
                sex=child.sex,
                birth_date=child.birth_date,
            )
        )

    def case(child_id: uuid.UUID, status: CaseStatus, noticed: datetime, **columns: Any) -> None:
        values: dict[str, Any] = {
            "reported_at": noticed,
            "school_due_at": noticed + timedelta(hours=24),
            "county_due_at": noticed + timedelta(days=7),
            **columns,
        }
        session.add(
            Case(
                child_id=child_id,
                status=status,
                source=CaseSource.MANUAL,
                reported_by_id=admin.user_id,
                noticed_at=noticed,
                **values,
            )
        )

    kids = world.children
    case(e5.id, CaseStatus.PERSUADING, this_year, verified_at=now,
         county_due_at=now - timedelta(days=1))  # A  # fmt: skip
    case(w1.id, CaseStatus.REPORTED, this_year, county_due_at=now + timedelta(days=5))  # B
    case(w2.id, CaseStatus.CLOSED, last_year, verified_at=last_year,
         returned_at=now - timedelta(days=120), closed_at=now,
         reported_at=last_year + timedelta(days=2),
         county_reported_at=last_year + timedelta(days=3))  # C  # fmt: skip
    case(kids["nan_a"], CaseStatus.RETURNED, this_year, verified_at=now,
         returned_at=now - timedelta(days=10),
         county_reported_at=this_year + timedelta(days=8))  # D  # fmt: skip
    case(kids["dong_b"], CaseStatus.FOLLOWING_UP, last_year, verified_at=last_year,
         returned_at=now - timedelta(days=100),
         county_reported_at=last_year + timedelta(days=1))  # E  # fmt: skip
    case(kids["xi_a"], CaseStatus.DISMISSED, this_year, verified_at=now,
         county_due_at=now - timedelta(days=1))  # F  # fmt: skip
    case(kids["lin_a"], CaseStatus.VERIFIED, this_year, verified_at=now)  # G

    visits: tuple[tuple[uuid.UUID, VisitOutcome, list[uuid.UUID]], ...] = (
        (world.households["dong_a"], VisitOutcome.MET, [kids["dong_a"]]),
        (e_one.id, VisitOutcome.MET, [e1.id, e5.id]),
        (west.id, VisitOutcome.NOBODY_HOME, []),
        (world.households["xi_a"], VisitOutcome.REFUSED, []),
    )
    await people.visits(session, campaign_id=campaign.id, visitor_id=admin.user_id, made=visits)
    await session.commit()
    return world


# The county's figures, counted by hand from the module docstring.
COUNTY_FIGURES = {
    # dong_a, dong_b, nan_a, xi_a, e1, e2, e3, e4, e5, e8, w1, w2 (not e6, e7 nor e9)
    "children_school_age": 12,
    # dong_a, dong_b, nan_a, xi_a, e1 (evidence), e3, e4 (special school), w2
    "children_enrolled": 8,
    "enrolment_rate": 8 / 12,
    # registered this autumn: dong_a, dong_b, nan_a, e5, xi_a, w2
    "enrolled_at_year_start": 6,
    # verified, not dismissed, noticed this year: A (e5), D (nan_a)
    "dropped_out_this_year": 2,
    "dropout_rate": 2 / 6,
    "retention_rate_operational": 1 - 2 / 6,
    "cohort_grade_9": 0,
    "cohort_intake": 0,
    "retention_rate_national": None,
    "retention_rate_national_reason": "no roster history for the cohort",
    "dropouts_open": 3,  # A persuading, D returned, E following up
    "suspected": 1,  # B
    "cases_verified": 4,  # A, C, D, E (F dismissed, B not verified)
    "returned": 3,  # C, D, E
    "return_rate": 3 / 4,
    "stable_returns": 2,  # C closed, E returned 100 days ago (D only 10)
    "stable_return_rate": 2 / 3,
    "school_deadline_due": 6,  # every case A-F
    "school_deadline_met": 5,  # all but C
    "school_deadline_compliance": 5 / 6,
    "county_deadline_due": 4,  # A overdue, C, D, E reported (B not yet due, F dismissed)
    "county_deadline_met": 2,  # C, E
    "county_deadline_compliance": 2 / 4,
    # dong_a's, dong_b's, nan_a's, xi_a's households, E1, E2, W
    "households": 7,
    "households_visited": 2,  # dong_a's and E1 (W nobody home, xi_a's refused)
    "household_coverage": 2 / 7,
    # every child of school age in them, whatever the status: 4 + e1 e2 e5 e6 e8 + e3 e4 e7 + w1 w2
    "sweep_children": 14,
    "sweep_children_observed": 3,  # dong_a, e1, e5
    "child_coverage": 3 / 14,
}
# 东镇: dong_a, dong_b, nan_a, e1-e8 households; cases A, D, E.
EAST_FIGURES = {
    "children_school_age": 9,  # dong_a, dong_b, nan_a, e1, e2, e3, e4, e5, e8
    "children_enrolled": 6,  # dong_a, dong_b, nan_a, e1, e3, e4
    "enrolment_rate": 6 / 9,
    "enrolled_at_year_start": 4,  # dong_a, dong_b, nan_a, e5
    "dropped_out_this_year": 2,  # e5, nan_a
    "dropout_rate": 2 / 4,
    "retention_rate_operational": 1 - 2 / 4,
    "dropouts_open": 3,
    "suspected": 0,
    "cases_verified": 3,
    "returned": 2,  # D, E
    "stable_returns": 1,  # E
    "school_deadline_due": 3,
    "school_deadline_met": 3,
    "county_deadline_due": 3,  # A, D, E
    "county_deadline_met": 1,  # E
    "households": 5,
    "households_visited": 2,
    "sweep_children": 11,  # dong_a, dong_b, nan_a, e1 e2 e5 e6 e8, e3 e4 e7
    "sweep_children_observed": 3,
}


def _expect(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert {key: got[key] for key in expected} == expected


async def test_the_county_overview_is_counted_by_hand(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    response = await client.get(OVERVIEW, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    _expect(body, COUNTY_FIGURES)
    assert body["school_year"] == population.school_year
    assert body["campaign_id"] is not None
    # Asking for the county by its code gives the same.
    _expect(
        (await client.get(f"{OVERVIEW}?area={w.COUNTY}", headers=headers)).json(), COUNTY_FIGURES
    )
    _expect((await client.get(f"{OVERVIEW}?area={w.EAST}", headers=headers)).json(), EAST_FIGURES)


async def test_a_township_officer_sees_only_their_township(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    _expect((await client.get(OVERVIEW, headers=headers)).json(), EAST_FIGURES)
    for outside in (w.WEST, w.XI, w.COUNTY, w.NEIGHBOUR, "519909"):
        response = await client.get(f"{OVERVIEW}?area={outside}", headers=headers)
        assert response.status_code == 404, (outside, response.text)
        response = await client.get(f"{BREAKDOWN}?area={outside}", headers=headers)
        assert response.status_code == 404, (outside, response.text)
    # 南村 alone: nan_a, e3, e4 (e7 emigrated); nan_a, e3, e4 at school; case D.
    nan = (await client.get(f"{OVERVIEW}?area={w.NAN}", headers=headers)).json()
    _expect(nan, {"children_school_age": 3, "children_enrolled": 3, "returned": 1})


async def test_the_breakdown_adds_up_to_the_overview(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    response = await client.get(f"{BREAKDOWN}?area={w.COUNTY}&by=area", headers=headers)
    assert response.status_code == 200, response.text
    rows = {row["code"]: row for row in response.json()["items"]}
    assert set(rows) == {w.EAST, w.WEST}
    assert rows[w.EAST]["name"] == "东镇"
    _expect(rows[w.EAST], EAST_FIGURES)
    # 西镇: xi_a, w1, w2 of school age, xi_a and w2 at school; cases B, C, F.
    _expect(
        rows[w.WEST],
        {"children_school_age": 3, "children_enrolled": 2, "enrolment_rate": 2 / 3,
         "enrolled_at_year_start": 2, "retention_rate_operational": 1.0, "suspected": 1,
         "returned": 1, "stable_returns": 1, "school_deadline_due": 3,
         "school_deadline_met": 2, "county_deadline_due": 1, "county_deadline_met": 1,
         "households": 2, "households_visited": 0, "sweep_children": 3},
    )  # fmt: skip
    overview = (await client.get(OVERVIEW, headers=headers)).json()
    for name, value in overview.items():
        if isinstance(value, int) and not isinstance(value, bool) and name != "school_year":
            assert sum(row[name] for row in rows.values()) == value, name
    # One level further down: 东镇's villages (东村 holds its group's dong_a).
    villages = (await client.get(f"{BREAKDOWN}?area={w.EAST}", headers=headers)).json()
    by_code = {row["code"]: row for row in villages["items"]}
    assert set(by_code) == {w.DONG, w.NAN}
    # 东村: dong_a, dong_b, e1, e2, e5, e8 of school age; dong_a, dong_b, e1 at school.
    _expect(by_code[w.DONG], {"children_school_age": 6, "children_enrolled": 3})


async def test_bad_area_or_by_is_a_problem_naming_the_field(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    for path, field in (
        (f"{OVERVIEW}?area=5199", "area"),
        (f"{BREAKDOWN}?area=51990100x", "area"),
        (f"{BREAKDOWN}?by=nonsense", "by"),
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 422, path
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [error["loc"] for error in response.json()["errors"]] == [["query", field]]
    response = await client.get(f"{OVERVIEW}?area={w.NEIGHBOUR}", headers=headers)
    assert response.status_code == 404


async def test_the_national_retention_rate_from_roster_history(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    """Two grade-1 registrations eight autumns ago, one of them in grade 9 this autumn: 1/2."""
    year = population.school_year
    intake, autumn = f"{year - 8}-{year - 7}-1", f"{year}-{year + 1}-1"
    kids = population.children
    for child, term, grade in (
        (kids["dong_a"], intake, 1),
        (kids["dong_b"], intake, 1),
        (kids["dong_a"], autumn, 9),
    ):
        registration = Enrolment(
            child_id=child,
            school_id=population.schools["east"],
            term=term,
            grade=grade,
            student_number=f"J{term}{grade}",
            name="历史",
            sex=Sex.MALE,
            birth_date=date(2012, 1, 1),
        )
        session.add(registration)
    await session.commit()
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    body = (await client.get(OVERVIEW, headers=headers)).json()
    _expect(
        body,
        {"cohort_intake": 2, "cohort_grade_9": 1, "retention_rate_national": 1 / 2,
         "retention_rate_national_reason": None},
    )  # fmt: skip


async def _named(session: AsyncSession, name: str) -> Child:
    return (await session.exec(select(Child).where(Child.name == name))).one()


async def _mark_cases(session: AsyncSession, world: w.World) -> None:
    """Schools, grades and reasons on the cases; flags on some children (see each test)."""
    east, west = world.schools["east"], world.schools["west"]
    kids = world.children
    e5, w1, w2 = [await _named(session, name) for name in ("甲五", "丙一", "丙二")]
    marks: tuple[tuple[uuid.UUID, uuid.UUID | None, int | None, DropoutReason], ...] = (
        (e5.id, east, 3, DropoutReason.ECONOMIC_HARDSHIP),  # A
        (w1.id, None, None, DropoutReason.UNKNOWN),  # B
        (w2.id, west, 3, DropoutReason.WEARINESS),  # C
        (kids["nan_a"], east, 3, DropoutReason.WEARINESS),  # D
        (kids["dong_b"], east, 3, DropoutReason.UNKNOWN),  # E
        (kids["xi_a"], west, 3, DropoutReason.LEARNING_DIFFICULTY),  # F
    )
    for child_id, school, grade, reason in marks:
        await session.exec(
            update(Case)
            .where(col(Case.child_id) == child_id)
            .values(school_id=school, grade=grade, reason=reason)
        )
    await session.commit()


async def _breakdown(
    client: httpx.AsyncClient, headers: dict[str, str], by: str, **query: Any
) -> dict[str, dict[str, Any]]:
    response = await client.get(BREAKDOWN, params={"by": by, **query}, headers=headers)
    assert response.status_code == 200, response.text
    return {row["code"]: row for row in response.json()["items"]}


CHILD_NULLS = {"children_school_age": None, "children_enrolled": None, "enrolment_rate": None,
               "households": None, "household_coverage": None, "sweep_children": None,
               "retention_rate_national": None, "retention_rate_national_reason": None}  # fmt: skip
CASE_NULLS = {"dropouts_open": None, "returned": None, "return_rate": None}


async def test_the_breakdown_by_school_and_grade(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    await _mark_cases(session, population)
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    rows = await _breakdown(client, headers, "school")
    east, west = str(population.schools["east"]), str(population.schools["west"])
    assert list(rows) == [east, west, ""]  # 东镇中心小学, 西镇小学 by name; no school last
    assert rows[east]["name"] == "东镇中心小学"
    # Registered at 东镇中心小学 this autumn: dong_a, dong_b, nan_a, e5; e5 (A) and nan_a (D)
    # dropped out this year. Its cases: A persuading, D returned, E following up.
    _expect(
        rows[east],
        {"enrolled_at_year_start": 4, "dropped_out_this_year": 2,
         "retention_rate_operational": 0.5, "dropouts_open": 3, "suspected": 0,
         "cases_verified": 3, "returned": 2, "stable_returns": 1, "school_deadline_due": 3,
         "school_deadline_met": 3, **CHILD_NULLS},
    )  # fmt: skip
    # 西镇小学: xi_a, w2; nobody dropped out (F dismissed). Cases C closed (school late), F
    # dismissed (on time; its county deadline moot).
    _expect(
        rows[west],
        {"enrolled_at_year_start": 2, "dropped_out_this_year": 0,
         "retention_rate_operational": 1.0, "dropouts_open": 0, "cases_verified": 1,
         "returned": 1, "stable_returns": 1, "school_deadline_due": 2, "school_deadline_met": 1,
         "county_deadline_due": 1, "county_deadline_met": 1},
    )  # fmt: skip
    # B has no school: a row of its own, with no registrations counted.
    _expect(rows[""], {"suspected": 1, "enrolled_at_year_start": 0, "school_deadline_due": 1})
    grades = await _breakdown(client, headers, "grade")
    assert list(grades) == ["3", ""]
    assert grades["3"]["name"] == "三年级"
    # Grade 3 this autumn: dong_a, dong_b, nan_a, xi_a, e5, w2; cases A, C, D, E, F.
    _expect(
        grades["3"],
        {"enrolled_at_year_start": 6, "dropped_out_this_year": 2, "dropouts_open": 3,
         "cases_verified": 4, "returned": 3, "suspected": 0},
    )  # fmt: skip
    # A township officer: 东镇's children only (B, C, F live in 西镇).
    officer = await population.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    assert list(await _breakdown(client, officer, "school")) == [east]


async def test_the_breakdown_by_reason_adds_up_to_the_cases(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    await _mark_cases(session, population)
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    rows = await _breakdown(client, headers, "reason")
    # In the vocabulary's order: unknown (B, E), economic hardship (A), learning difficulty
    # (F), weariness (C, D).
    assert list(rows) == ["unknown", "economic_hardship", "learning_difficulty", "weariness"]
    assert rows["weariness"]["name"] == "厌学"
    _expect(rows["unknown"], {"suspected": 1, "dropouts_open": 1, "returned": 1,
                              "stable_returns": 1, **CHILD_NULLS})  # fmt: skip
    _expect(rows["economic_hardship"], {"dropouts_open": 1, "cases_verified": 1, "returned": 0})
    _expect(rows["learning_difficulty"], {"dropouts_open": 0, "cases_verified": 0,
                                          "school_deadline_due": 1})  # fmt: skip
    _expect(rows["weariness"], {"cases_verified": 2, "returned": 2, "stable_returns": 1,
                                "return_rate": 1.0, "enrolled_at_year_start": None})  # fmt: skip
    for name in ("dropouts_open", "suspected", "cases_verified", "returned", "stable_returns"):
        assert sum(row[name] for row in rows.values()) == COUNTY_FIGURES[name], name


async def test_the_breakdown_by_flag(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    await _mark_cases(session, population)
    e5, w1, xi_a = (
        await _named(session, "甲五"),
        await _named(session, "丙一"),
        await session.get(Child, population.children["xi_a"]),
    )
    assert xi_a is not None
    e5.left_behind, w1.left_behind, xi_a.disability_grade = 2, 1, 2
    e_one = await session.get(Household, e5.household_id)
    assert e_one is not None
    e_one.is_poverty_registered = True
    session.add_all([e5, w1, xi_a, e_one])
    await session.commit()
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    rows = await _breakdown(client, headers, "flag")
    assert list(rows) == ["left_behind", "poverty", "disability"]
    assert rows["left_behind"]["name"] == "留守儿童"
    # Left behind: e5 and w1, both out of school; e5 registered this autumn and dropped out.
    _expect(
        rows["left_behind"],
        {"children_school_age": 2, "children_enrolled": 0, "enrolment_rate": 0.0,
         "enrolled_at_year_start": 1, "dropped_out_this_year": 1,
         "retention_rate_operational": 0.0, "dropouts_open": 1, "suspected": 1,
         "households": None},
    )  # fmt: skip
    # Household E1: e1, e2, e5, e8 of school age (e6 deceased, e9 three); e1 at school
    # (evidence); case A.
    _expect(
        rows["poverty"],
        {"children_school_age": 4, "children_enrolled": 1, "enrolment_rate": 0.25,
         "dropouts_open": 1, "suspected": 0, "cases_verified": 1},
    )  # fmt: skip
    # Disabled: e4 (special school), xi_a (grade 2), both at school; case F dismissed.
    _expect(
        rows["disability"],
        {"children_school_age": 2, "children_enrolled": 2, "enrolled_at_year_start": 1,
         "dropped_out_this_year": 0, "dropouts_open": 0, "cases_verified": 0,
         "school_deadline_due": 1},
    )  # fmt: skip


async def test_the_breakdown_by_week(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World, settings: Settings
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    rows = await _breakdown(client, headers, "week", weeks=4)
    today = school_age.local_today(settings)
    mondays = [today - timedelta(days=today.weekday(), weeks=n) for n in (3, 2, 1, 0)]
    assert list(rows) == [day.isoformat() for day in mondays]
    # A, B, D, F were noticed a day ago (or at the year's start, if that is later), C and E
    # last year, G next door.
    year_start = settings.entry_cutoff(population.school_year) + timedelta(days=1)
    noticed = max(year_start, school_age.local_date(utcnow() - timedelta(days=1), settings))
    week = (noticed - timedelta(days=noticed.weekday())).isoformat()
    for code, row in rows.items():
        if code == week:
            _expect(row, {"suspected": 1, "dropouts_open": 2, "cases_verified": 2, "returned": 1,
                          "school_deadline_due": 4, **CHILD_NULLS})  # fmt: skip
        else:
            _expect(row, {"suspected": 0, "dropouts_open": 0, "school_deadline_due": 0})
    assert rows[mondays[-1].isoformat()]["name"] == f"{mondays[-1]:%m月%d日}起"
    response = await client.get(BREAKDOWN, params={"by": "week", "weeks": 54}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "weeks"]
