import uuid
from datetime import date

from fastapi import APIRouter

from api.deps import ActorDep, SessionDep, SettingsDep
from api.models.vocabulary import AssignmentKind
from api.schemas.common import AreaQuery, Limit, Offset, Page
from api.schemas.responsibility import GapReport, PersonFigures, Responsibility, UnitFigures
from api.services.responsibility import responsibility, responsibility_gaps
from api.services.statistics import accountability

router = APIRouter(tags=["responsibility"])


@router.get(
    "/children/{child_id}/responsibility",
    summary="The dual-line chain (双线控辍) for one child, gaps shown as such",
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def for_child(
    child_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    on: date | None = None,
) -> Responsibility:
    return await responsibility.chain(
        session=session, actor=actor, settings=settings, child_id=child_id, on=on
    )


@router.get(
    "/responsibility/gaps",
    summary="Villages, groups, schools, classes and children nobody answers for",
    responses={401: {}, 403: {}, 422: {}},
)
async def responsibility_gaps_report(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> GapReport:
    return await responsibility_gaps.report(
        session=session, actor=actor, settings=settings, area=area, limit=limit, offset=offset
    )


_FIGURES = (
    " Figures (考核): `children_covered` today (finished, deceased and emigrated children left"
    " out); of their cases, `open_cases` still on the ledger, `deadlines_missed` (entered more"
    " than 24 hours after noticed, reported to the county after 7 days, or past 7 days and not"
    " yet reported), `returned` to school, and `still_in_school` (returned, followed up or"
    " closed as stable, not reopened since). A village covers the children living in it, a"
    " group those of the group, a school and a class the pupils of the registration the"
    " school line follows (this school year or last), a child assignment the child."
)


@router.get(
    "/responsibility/accountability/units",
    summary="考核 per unit: each village, group, school, class and child someone answers for",
    description="One row per assignment in force, with its person and figures."
    + _FIGURES
    + " Units nobody answers for are in `GET /responsibility/gaps`.",
    responses={401: {}, 403: {}, 422: {}},
)
async def accountability_units(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    kind: AssignmentKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[UnitFigures]:
    return await accountability.units(
        session=session,
        actor=actor,
        settings=settings,
        area=area,
        kind=kind,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/responsibility/accountability/people",
    summary="考核 per person: everyone answering for something in the area, by name",
    description="One row per person, over all their assignments in force, each child and case"
    " counted once." + _FIGURES,
    responses={401: {}, 403: {}, 422: {}},
)
async def accountability_people(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PersonFigures]:
    return await accountability.people(
        session=session, actor=actor, settings=settings, area=area, limit=limit, offset=offset
    )
