"""考核: the scores and the ranking, over a population whose right answers are worked out by
hand below, not by the code under test.

On top of tests/world.py's county (dong_a in 东村一组, dong_b in 东村, nan_a in 南村, xi_a in
西村; 东镇中心小学 and 西镇小学), a third township 北镇 (519901003) with 北村 and 北镇小学, and:

    东村 household E1: e1 辍学
    西村 household W:  w1 辍学, w2 在校
    北村 households N1: n1, N2: n2, both 在校 and registered at 北镇小学 this autumn

Cases (deadline columns set by hand; "on time" reported_at = noticed_at, "late" 2 days after;
county on time 1 day after noticed, late 8 days after; noticed 200 days ago unless said):
    A dong_b  东镇中心小学  following up, returned 100 days ago (stable); both on time
    B nan_a   东镇中心小学  returned 10 days ago (not yet stable); school on time, county late
    C e1      东镇中心小学  persuading; school late; county overdue, unreported
    D w1      西镇小学      closed, returned 120 days ago; both on time
    E xi_a    西镇小学      reported (suspected), noticed yesterday; school on time, county not due
    F w2      西镇小学      dismissed after verification; school late; county overdue but moot

The campaign (started yesterday over the county, so every household here is in its scope):
dong_a's household and E1 met (observing dong_a, e1), dong_b's refused, W met (observing w1),
xi_a's nobody home, N1 met (observing n1); nan_a's and N2 not visited.
"""

import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Area,
    Case,
    Enrolment,
    School,
)
from api.models.base import utcnow
from api.models.vocabulary import (
    AreaLevel,
    CaseSource,
    CaseStatus,
    SchoolingStatus,
    SchoolKind,
    UserRole,
    VisitOutcome,
)
from api.services.core import actors, school_age
from api.services.statistics import assessment
from api.settings import Settings
from tests import people
from tests import world as w

S = SchoolingStatus
NORTH, BEI = "519901003", "519901003001"
ASSESSMENT = "/api/v1/stats/assessment"
EXPORT = "/api/v1/exports/assessment.xlsx"


@pytest.fixture
async def population(session: AsyncSession, settings: Settings) -> w.World:
    today = school_age.local_today(settings)
    world = await w.build(session, settings, today)
    year = world.school_year
    autumn = f"{year}-{year + 1}-1"
    await session.exec(update(Enrolment).values(term=autumn))
    session.add_all(
        [
            Area(code=NORTH, name="北镇", level=AreaLevel.TOWNSHIP, parent_code=w.COUNTY),
            Area(code=BEI, name="北村", level=AreaLevel.VILLAGE, parent_code=NORTH),
        ]
    )
    await session.flush()
    north = School(code="2151990401", name="北镇小学", kind=SchoolKind.PRIMARY,
                   area_code=NORTH, grade_from=1, grade_to=6)  # fmt: skip
    session.add(north)
    await session.flush()
    world.schools["north"] = north.id
    admin = await world.login(session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    now = utcnow()
    born, _ = school_age.birth_dates_for_grade(3, year, settings)
    campaign = await people.campaign(session, created_by=admin.user_id, area=w.COUNTY, today=today)

    e_one = await people.household(session, w.DONG, "东一")
    west = await people.household(session, w.XI, "西三")
    n_one, n_two = (
        await people.household(session, BEI, "北一"),
        await people.household(session, BEI, "北二"),
    )
    e1 = await people.child(session, e_one, "甲一", S.DROPPED_OUT, born)
    w1 = await people.child(session, west, "丙一", S.DROPPED_OUT, born)
    w2 = await people.child(session, west, "丙二", S.ENROLLED_IN_COUNTY, born)
    n1 = await people.child(session, n_one, "丁一", S.ENROLLED_IN_COUNTY, born)
    n2 = await people.child(session, n_two, "丁二", S.ENROLLED_IN_COUNTY, born)
    for pupil in (n1, n2):
        session.add(
            Enrolment(
                child_id=pupil.id,
                school_id=north.id,
                term=autumn,
                grade=3,
                student_number=f"J{pupil.id.hex[:10]}",
                name=pupil.name,
                sex=pupil.sex,
                birth_date=pupil.birth_date,
            )
        )

    def case(
        child_id: uuid.UUID,
        school: str,
        status: CaseStatus,
        *,
        school_late: bool = False,
        county: str | None = "on time",
        noticed_days_ago: int = 200,
        **columns: Any,
    ) -> None:
        noticed = now - timedelta(days=noticed_days_ago)
        reported_late = {"on time": 1, "late": 8}
        session.add(
            Case(
                child_id=child_id,
                school_id=world.schools[school],
                status=status,
                source=CaseSource.MANUAL,
                reported_by_id=admin.user_id,
                noticed_at=noticed,
                reported_at=noticed + timedelta(days=2 if school_late else 0),
                school_due_at=noticed + timedelta(hours=24),
                county_due_at=noticed + timedelta(days=7),
                county_reported_at=(
                    noticed + timedelta(days=reported_late[county]) if county else None
                ),
                verified_at=None if status is CaseStatus.REPORTED else noticed,
                **columns,
            )
        )

    kids = world.children
    case(kids["dong_b"], "east", CaseStatus.FOLLOWING_UP,
         returned_at=now - timedelta(days=100))  # A  # fmt: skip
    case(kids["nan_a"], "east", CaseStatus.RETURNED, county="late",
         returned_at=now - timedelta(days=10))  # B  # fmt: skip
    case(e1.id, "east", CaseStatus.PERSUADING, school_late=True, county=None)  # C
    case(w1.id, "west", CaseStatus.CLOSED, returned_at=now - timedelta(days=120),
         closed_at=now)  # D  # fmt: skip
    case(kids["xi_a"], "west", CaseStatus.REPORTED, county=None, noticed_days_ago=1)  # E
    case(w2.id, "west", CaseStatus.DISMISSED, school_late=True, county=None)  # F

    visits: tuple[tuple[uuid.UUID, VisitOutcome, list[uuid.UUID]], ...] = (
        (world.households["dong_a"], VisitOutcome.MET, [kids["dong_a"]]),
        (e_one.id, VisitOutcome.MET, [e1.id]),
        (world.households["dong_b"], VisitOutcome.REFUSED, []),
        (west.id, VisitOutcome.MET, [w1.id]),
        (world.households["xi_a"], VisitOutcome.NOBODY_HOME, []),
        (n_one.id, VisitOutcome.MET, [n1.id]),
    )
    await people.visits(session, campaign_id=campaign.id, visitor_id=admin.user_id, made=visits)
    await session.commit()
    return world


# Each unit's component scores, worked out by hand from the module docstring.
# 东镇: households dong_a's, dong_b's, nan_a's, E1: 2 of 4 reached; children dong_a, dong_b,
# nan_a, e1: 2 of 4 observed → coverage (1/2 + 1/2) / 2 = 50. Cases A, B, C: school deadline
# met by A, B (2/3), county by A of A, B, C (1/3) → 50; returned A, B of 3 verified → 66.67;
# stable A of A, B → 50.
EAST = {"coverage": 50.0, "deadlines": 50.0, "returns": 66.67, "stable_returns": 50.0}
# 西镇: households xi_a's, W: 1 of 2 reached; children xi_a, w1, w2: 1 of 3 observed → (1/2 +
# 1/3) / 2 = 5/12 → 41.67. Cases D, E, F: school deadline met by D, E (2/3); county due for D
# only (E not yet due, F dismissed), met → 1; so (2/3 + 1) / 2 = 5/6 → 83.33. Verified and not
# dismissed: D, returned and stable → 100, 100.
WEST = {"coverage": 41.67, "deadlines": 83.33, "returns": 100.0, "stable_returns": 100.0}
# 北镇: households N1, N2: 1 of 2; children n1, n2: 1 of 2 → 50; no case: the rest unscored.
NORTH_SCORES = {"coverage": 50.0, "deadlines": None, "returns": None, "stable_returns": None}
# Totals with the default weights, 25 each, the unscored left out:
EAST_TOTAL = 54.17  # (50 + 50 + 66.67 + 50) / 4 = 54.1675, half up
WEST_TOTAL = 81.25  # (41.67 + 83.33 + 100 + 100) / 4
NORTH_TOTAL = 50.0  # coverage alone: 50 × 25 / 25
QUARTER = {"coverage": 0.25, "deadlines": 0.25, "returns": 0.25, "stable_returns": 0.25}


def _scores(row: dict[str, Any]) -> dict[str, float | None]:
    return {key: part["score"] for key, part in row["components"].items()}


def _ranking(body: dict[str, Any]) -> list[tuple[int | None, str, float | None]]:
    return [(row["rank"], row["name"], row["total"]) for row in body["items"]]


async def test_the_townships_are_scored_and_ranked_by_hand(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    response = await client.get(f"{ASSESSMENT}?level=township", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["weights"] == QUARTER
    assert body["campaign_id"] is not None
    assert "排查覆盖 25%" in body["note"]
    assert _ranking(body) == [(1, "西镇", WEST_TOTAL), (2, "东镇", EAST_TOTAL),
                              (3, "北镇", NORTH_TOTAL)]  # fmt: skip
    rows = {row["code"]: row for row in body["items"]}
    assert _scores(rows[w.EAST]) == EAST
    assert _scores(rows[w.WEST]) == WEST
    assert _scores(rows[NORTH]) == NORTH_SCORES
    # The figures behind a score come with it: 西镇's deadlines.
    deadlines = rows[w.WEST]["components"]["deadlines"]
    assert deadlines["name"] == "按时上报"
    assert [(p["figure"], p["met"], p["base"]) for p in deadlines["parts"]] == [
        ("school_deadline_compliance", 2, 3),
        ("county_deadline_compliance", 1, 1),
    ]
    assert rows[w.EAST]["components"]["returns"]["parts"] == [
        {"figure": "return_rate", "met": 2, "base": 3, "rate": 2 / 3}
    ]
    # 北镇 is scored on coverage alone: its weight is the whole of its total.
    north = rows[NORTH]["components"]
    assert north["coverage"]["weight_used"] == 1.0
    assert north["returns"]["weight"] == 0.25
    assert north["returns"]["weight_used"] == 0.0
    assert north["returns"]["parts"][0]["base"] == 0
    # Asking for the county by its code gives the same.
    again = (await client.get(f"{ASSESSMENT}?area={w.COUNTY}", headers=headers)).json()
    assert _ranking(again) == _ranking(body)


async def test_the_weights_come_from_the_settings(
    session: AsyncSession, population: w.World, settings: Settings
) -> None:
    login = await population.login(session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    actor = await actors.load(session=session, user_id=login.user_id)
    assert actor is not None
    # Points out of 100, taken as shares: 0.4, 0.3, 0.2, 0.1.
    weighted = settings.model_copy(
        update={"assessment_weight_coverage": 40, "assessment_weight_deadlines": 30,
                "assessment_weight_returns": 20, "assessment_weight_stable_returns": 10}
    )  # fmt: skip
    found = await assessment.assess(
        session=session, actor=actor, settings=weighted, level="township", area=None
    )
    assert found.weights == {"coverage": 0.4, "deadlines": 0.3, "returns": 0.2,
                             "stable_returns": 0.1}  # fmt: skip
    assert [(row.rank, row.name, row.total) for row in found.items] == [
        (1, "西镇", 71.67),  # 0.4 × 41.67 + 0.3 × 83.33 + 0.2 × 100 + 0.1 × 100 = 71.667
        (2, "东镇", 53.33),  # 0.4 × 50 + 0.3 × 50 + 0.2 × 66.67 + 0.1 × 50 = 53.334
        (3, "北镇", 50.0),  # coverage alone
    ]
    assert "排查覆盖 40%，按时上报 30%，劝返复学 20%，稳定复学 10%" in found.note

    # Coverage alone: 东镇 and 北镇 tie at 50 and share the first place, listed by name in
    # pinyin (bei before dong), and 西镇 comes third.
    coverage_only = settings.model_copy(
        update={"assessment_weight_deadlines": 0, "assessment_weight_returns": 0,
                "assessment_weight_stable_returns": 0}
    )  # fmt: skip
    found = await assessment.assess(
        session=session, actor=actor, settings=coverage_only, level="township", area=None
    )
    assert [(row.rank, row.name, row.total) for row in found.items] == [
        (1, "北镇", 50.0),
        (1, "东镇", 50.0),
        (3, "西镇", 41.67),
    ]
    # A component scored but weighed 0 takes no share of the total.
    east = next(row for row in found.items if row.code == w.EAST)
    assert east.components["returns"].score == 66.67
    assert east.components["returns"].weight_used == 0.0


async def test_the_schools_are_scored_without_coverage(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    response = await client.get(f"{ASSESSMENT}?level=school", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    # Coverage does not apply to a school: the other three share its weight, a third each.
    # 东镇中心小学 (A, B, C): (50 + 66.67 + 50) / 3 = 55.5567; 西镇小学 (D, E, F): (83.33 + 100
    # + 100) / 3 = 94.4433; 北镇小学 has pupils but no case: nothing to score, no rank.
    assert _ranking(body) == [(1, "西镇小学", 94.44), (2, "东镇中心小学", 55.56),
                              (None, "北镇小学", None)]  # fmt: skip
    rows = {row["name"]: row for row in body["items"]}
    assert _scores(rows["东镇中心小学"]) == {**EAST, "coverage": None}
    assert _scores(rows["西镇小学"]) == {**WEST, "coverage": None}
    assert rows["西镇小学"]["code"] == str(population.schools["west"])
    coverage = rows["西镇小学"]["components"]["coverage"]
    assert coverage["weight_used"] == 0.0
    assert [part["base"] for part in coverage["parts"]] == [None, None]
    assert rows["西镇小学"]["components"]["returns"]["weight_used"] == pytest.approx(1 / 3)


async def test_each_sees_only_the_units_it_answers_for(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    officer = await population.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    own = (await client.get(ASSESSMENT, headers=officer)).json()
    assert _ranking(own) == [(1, "东镇", EAST_TOTAL)]
    assert _scores(own["items"][0]) == EAST
    named = (await client.get(f"{ASSESSMENT}?area={w.EAST}", headers=officer)).json()
    assert _ranking(named) == _ranking(own)
    schools = (await client.get(f"{ASSESSMENT}?level=school", headers=officer)).json()
    assert _ranking(schools) == [(1, "东镇中心小学", 55.56)]
    for outside in (w.WEST, w.COUNTY, w.NEIGHBOUR):
        for level in ("township", "school"):
            response = await client.get(f"{ASSESSMENT}?level={level}&area={outside}",
                                        headers=officer)  # fmt: skip
            assert response.status_code == 404, (outside, level, response.text)
    # A village cadre sees 东镇中心小学's cases of 东村's children, not the school whole: it
    # scores no school, and no township.
    cadre = await population.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    for level in ("township", "school"):
        response = await client.get(f"{ASSESSMENT}?level={level}", headers=cadre)
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []
    # A principal scores their own school (as the county does), no township.
    principal = await population.headers(client, session, UserRole.PRINCIPAL, school="east")
    body = (await client.get(f"{ASSESSMENT}?level=school", headers=principal)).json()
    assert _ranking(body) == [(1, "东镇中心小学", 55.56)]
    body = (await client.get(f"{ASSESSMENT}?level=township", headers=principal)).json()
    assert body["items"] == []


async def test_bad_level_or_area_is_a_problem_naming_the_field(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    for path, field in (
        (f"{ASSESSMENT}?level=village", "level"),
        (f"{EXPORT}?level=county", "level"),
        (f"{ASSESSMENT}?area=5199", "area"),
        # The township ranking is of a county's townships, or of one: not of a village.
        (f"{ASSESSMENT}?level=township&area={w.DONG}", "area"),
        (f"{EXPORT}?level=township&area={w.DONG}", "area"),
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [error["loc"] for error in response.json()["errors"]] == [["query", field]], path
    response = await client.get(f"{ASSESSMENT}?area={w.NEIGHBOUR}", headers=headers)
    assert response.status_code == 404


async def test_the_published_ranking_opens_as_the_bureau_prints_it(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    response = await client.get(f"{EXPORT}?level=township", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response.headers["content-disposition"]
    assert 'filename="assessment-township.xlsx"' in disposition
    assert "filename*=UTF-8''" in disposition
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "测试县控辍保学工作考核排名"
    assert "考核对象：乡镇" in sheet["A2"].value
    assert [cell.value for cell in sheet[3]] == [
        "排名", "单位", "排查覆盖", "按时上报", "劝返复学", "稳定复学", "总分",
    ]  # fmt: skip
    assert sheet.freeze_panes == "C4"
    assert sheet.column_dimensions["B"].width == 26
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4, max_row=6)]
    assert rows == [
        [1, "西镇", 41.67, 83.33, 100, 100, 81.25],
        [2, "东镇", 50, 50, 66.67, 50, 54.17],
        [3, "北镇", 50, "—", "—", "—", 50],
    ]
    assert sheet["C4"].number_format == "0.00"
    note = sheet["A8"].value
    assert note.startswith("说明：权重为排查覆盖 25%，按时上报 25%，劝返复学 25%，稳定复学 25%。")
    assert "A8:G8" in {str(merged) for merged in sheet.merged_cells.ranges}

    schools = await client.get(f"{EXPORT}?level=school", headers=headers)
    sheet = load_workbook(io.BytesIO(schools.content)).active
    assert sheet["A1"].value == "测试县控辍保学工作考核排名"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4, max_row=6)]
    assert rows == [
        [1, "西镇小学", "—", 83.33, 100, 100, 94.44],
        [2, "东镇中心小学", "—", 50, 66.67, 50, 55.56],
        ["—", "北镇小学", "—", "—", "—", "—", "—"],
    ]
    assert "学校不计排查覆盖" in sheet["A8"].value
