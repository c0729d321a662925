from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.common import AreaQuery
from api.schemas.statistics import BREAKDOWNS, BreakdownBy, StatisticsBreakdown, StatisticsOverview
from api.services.statistics import statistics

router = APIRouter(prefix="/stats", tags=["statistics"])

DEFINITIONS = (
    "Counts by aggregate SQL over the caller's scope (and the subtree of `area` within it);"
    " each rate is two of the counts divided, null on a zero base.\n\n"
    "- **enrolment_rate** (入学率) = children_enrolled / children_school_age: children of"
    " compulsory age this school year, neither deceased nor emigrated; at school when enrolled"
    " in the county, home-delivered (送教上门), enrolled outside the county with evidence"
    " recorded, or status unrecorded but placed in special education.\n"
    "- **retention_rate_operational** (巩固率, this school year) = 1 − dropped_out_this_year /"
    " enrolled_at_year_start: children with a case verified (not dismissed) noticed this"
    " school year, over children registered in this year's autumn term.\n"
    "- **dropout_rate** (辍学率) = dropped_out_this_year / enrolled_at_year_start.\n"
    "- **retention_rate_national** (巩固率, national) = grade 9 registered this autumn / grade 1"
    " registered eight autumns ago; null with `retention_rate_national_reason` when no roster"
    " of that year is held.\n"
    "- **dropouts_open**: cases on the confirmed ledger (verified, planned, persuading,"
    " returned, following up); **suspected**: reported; **returned**: returned, following up"
    " or closed; **return_rate** (劝返率) = returned / cases_verified; **stable_return_rate** ="
    " (closed, or returned 90 days ago or more and not reopened) / returned.\n"
    "- **school_deadline_compliance** (不过夜, 24 h) = cases entered by the school deadline /"
    " all cases; **county_deadline_compliance** (不过周, 7 days) = cases reported to the county"
    " by its deadline / cases reported to the county or past that deadline and not dismissed.\n"
    "- **household_coverage** / **child_coverage**: of the current campaign (the latest started"
    " one over the area): households reached / households in scope, children whose schooling"
    " a visit recorded / children of compulsory age in them.\n\n"
    "Figures count where the child lives. For whoever covers areas alone they are those of"
    " the county's statistics snapshot, made every few minutes, as of `computed_at`.\n\n"
    "An area outside the caller's is 404, as is an unknown one."
)


BY = "what to break down by: " + ", ".join(f"`{by}`" for by in BREAKDOWNS)


@router.get(
    "/overview",
    summary="The figures: enrolment, retention, dropouts, returns, deadlines, sweep coverage",
    description=DEFINITIONS,
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def get_overview(
    actor: ActorDep, session: SessionDep, settings: SettingsDep, area: AreaQuery = None
) -> StatisticsOverview:
    return await statistics.overview(session=session, actor=actor, settings=settings, area=area)


@router.get(
    "/breakdown",
    summary="The same figures by child area, school, grade, reason, flag or week",
    description=DEFINITIONS + "\n\nEach breakdown's rows carry these figures (null for the"
    " others):\n\n" + "\n".join(f"- **{by}**: {what}" for by, what in BREAKDOWNS.items()),
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def get_breakdown(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    by: Annotated[BreakdownBy, Query(description=BY)] = "area",
    weeks: Annotated[int, Query(ge=1, le=53, description="for `by=week`: how many weeks")] = 12,
) -> StatisticsBreakdown:
    return await statistics.breakdown(
        session=session, actor=actor, settings=settings, area=area, by=by, weeks=weeks
    )
