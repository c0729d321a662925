import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.monthly_report import MonthlyReport, MonthQuery
from api.services.reports import monthly_report

router = APIRouter(prefix="/stats", tags=["statistics"])

SchoolQuery = Annotated[uuid.UUID, Query(description="the school reporting")]
DEFINITIONS = (
    "One calendar month in the county's time zone, by grade and in total. 在籍 at the start and"
    " end: registrations at the school of the term covering that day, entered by then, enrolled"
    " or transferred out after it. 转入: registrations entered during the month after the"
    " term's first day; 转出: transferred out, the pupil entered at another school during the"
    " month (or marked during it when no other school is on record). Cases of the school"
    " (where the pupil was registered when it opened): reported (noticed in the month),"
    " verified and returned in the month, open at the month's end, and of those reported the"
    " ones entered within 24 hours (不过夜); then the month's cases one by one.\n\n"
    "Read by the school's principal, the township's officers and the county; a school out of"
    " the caller's reach is 404. A malformed month, or one still to come, is 422 naming"
    " `month`."
)


@router.get(
    "/monthly-report",
    summary="The school's monthly report to the county (学校控辍保学月报)",
    description=DEFINITIONS,
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def get_monthly_report(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    school: SchoolQuery,
    month: MonthQuery = None,
) -> MonthlyReport:
    return await monthly_report.report(
        session=session, actor=actor, settings=settings, school_id=school, month=month
    )
