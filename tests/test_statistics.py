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
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Campaign,
    CampaignArea,
    Case,
    Child,
    Enrolment,
    Household,
    SchoolingStatusChange,
    Visit,
    VisitObservation,
)
from api.models.base import utcnow
from api.models.vocabulary import (
    CampaignKind,
    CaseSource,
    CaseStatus,
    DisabilityPlacement,
    ObservedSchooling,
    SchoolingStatus,
    Sex,
    StatusSource,
    UserRole,
    VisitOutcome,
)
from api.services import names, school_age
from api.settings import Settings
from tests import world as w
from tests.factories import make_user

S = SchoolingStatus
OVERVIEW = "/api/v1/stats/overview"
BREAKDOWN = "/api/v1/stats/breakdown"


async def _child(
    session: AsyncSession,
    household: Household,
    name: str,
    status: SchoolingStatus,
    born: date,
    **extra: Any,
) -> Child:
    child = Child(
        household_id=household.id,
        area_code=household.area_code,
        name=name,
        name_pinyin=names.pinyin(name),
        name_initials=names.initials(name),
        sex=Sex.FEMALE,
        birth_date=born,
        schooling_status=status,
        **extra,
    )
    session.add(child)
    await session.flush()
    return child


async def _household(session: AsyncSession, area: str, head: str) -> Household:
    household = Household(area_code=area, address=f"{head}家", head_name=head)
    session.add(household)
    await session.flush()
    return household


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
    campaign = Campaign(
        name="控辍保学月",
        kind=CampaignKind.CONTROL_MONTH,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=7),
        started_at=now - timedelta(days=1),
        created_by_id=admin.user_id,
    )
    session.add(campaign)
    await session.flush()
    session.add(CampaignArea(campaign_id=campaign.id, area_code=w.COUNTY))

    e_one = await _household(session, w.DONG, "东一")
    e_two = await _household(session, w.NAN, "南二")
    west = await _household(session, w.XI, "西三")
    e1 = await _child(session, e_one, "甲一", S.ENROLLED_OUTSIDE_COUNTY, born)
    e2 = await _child(session, e_one, "甲二", S.ENROLLED_OUTSIDE_COUNTY, born)
    e5 = await _child(session, e_one, "甲五", S.DROPPED_OUT, born)
    await _child(session, e_one, "甲六", S.DECEASED, born)
    await _child(session, e_one, "甲八", S.SUSPENDED, born)
    await _child(session, e_one, "甲九", S.UNKNOWN, today.replace(year=today.year - 3))
    await _child(session, e_two, "乙三", S.HOME_DELIVERED, born)
    await _child(
        session, e_two, "乙四", S.UNKNOWN, born, placement=DisabilityPlacement.SPECIAL_SCHOOL
    )
    await _child(session, e_two, "乙七", S.EMIGRATED, born)
    w1 = await _child(session, west, "丙一", S.DROPPED_OUT, born)
    w2 = await _child(session, west, "丙二", S.ENROLLED_IN_COUNTY, born)
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
    for household_id, outcome, seen in visits:
        visit = Visit(
            campaign_id=campaign.id,
            household_id=household_id,
            visitor_id=admin.user_id,
            visited_at=now,
            received_at=now,
            outcome=outcome,
            content_sha256="0" * 64,
        )
        session.add(visit)
        await session.flush()
        for child_id in seen:
            session.add(
                VisitObservation(
                    visit_id=visit.id,
                    child_id=child_id,
                    observed_at=now,
                    schooling=ObservedSchooling.IN_SCHOOL,
                    applied=True,
                )
            )
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
