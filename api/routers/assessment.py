from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import uploads
from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.assessment import Assessment, AssessmentLevel
from api.schemas.common import AreaQuery
from api.services.statistics import assessment

router = APIRouter(tags=["statistics"])

METHOD = (
    "考核: a score per township or school from the statistics' figures (`/stats/overview`'s"
    " definitions), each component 0-100:\n\n"
    "- **coverage** (排查覆盖) = mean of household_coverage and child_coverage × 100;\n"
    "- **deadlines** (按时上报) = mean of school_deadline_compliance (不过夜) and"
    " county_deadline_compliance (不过周) × 100;\n"
    "- **returns** (劝返复学) = return_rate × 100;\n"
    "- **stable_returns** (稳定复学) = stable_return_rate × 100.\n\n"
    "A mean is over the rates that have a base; scores are rounded half up to 0.01. A"
    " component with no base (no cases, no sweep) is left out and its weight shared among the"
    " others in proportion; for schools coverage never applies (households are swept by area)."
    " The total = Σ weight × score ÷ Σ weight over the components scored. The weights are the"
    " settings `BAOXUE_ASSESSMENT_WEIGHT_*`, as shares. Equal totals share a rank, listed by"
    " name (pinyin); a unit with no total comes last, unranked.\n\n"
    "`level=township`: the townships of the county `area` (or of the caller's county), or the"
    " one township `area`; a township officer gets their own. `level=school`: the schools the"
    " caller answers for (located in their areas, or their own) with registrations or cases,"
    " within `area`. An area outside the caller's is 404."
)
LevelQuery = Annotated[
    AssessmentLevel, Query(description="what is ranked: `township` (乡镇) or `school` (学校)")
]


@router.get(
    "/stats/assessment",
    summary="考核: each township's or school's score, its components and its rank",
    description=METHOD,
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def get_assessment(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    level: LevelQuery = "township",
    area: AreaQuery = None,
) -> Assessment:
    return await assessment.assess(
        session=session, actor=actor, settings=settings, level=level, area=area
    )


@router.get(
    "/exports/assessment.xlsx",
    summary="The ranking the county bureau publishes (XX县控辍保学工作考核排名), as XLSX",
    description=METHOD
    + "\n\nColumns: 排名, 单位, each component's score, 总分; the weights and the method in a"
    " note below the table.",
    response_class=Response,
    responses={**uploads.REPORT_RESPONSES, 422: {}},
)
async def export_assessment(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    level: LevelQuery = "township",
    area: AreaQuery = None,
) -> Response:
    name, content = await assessment.export(
        session=session, actor=actor, settings=settings, level=level, area=area
    )
    return uploads.xlsx(name, content, ascii_name=f"assessment-{level}.xlsx")
