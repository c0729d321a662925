import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.common import Limit, Offset, Page
from api.schemas.enrolments import DoubleEnrolment, EnrolmentCreate, EnrolmentOut, Term
from api.services.registry import enrolments

router = APIRouter(prefix="/enrolments", tags=["enrolments"])


@router.get(
    "",
    summary="Registrations of a term within the caller's scope",
    responses={401: {}, 403: {}},
)
async def list_enrolments(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    term: Annotated[Term | None, Query()] = None,
    school: uuid.UUID | None = None,
    grade: Annotated[int | None, Query(ge=1, le=9)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[EnrolmentOut]:
    items, total = await enrolments.search(
        session=session,
        actor=actor,
        settings=settings,
        term=term,
        school_id=school,
        grade=grade,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "",
    status_code=201,
    summary="Register a pupil at a school for a term; a second school that term is flagged",
    responses={401: {}, 403: {}, 409: {}, 422: {}},
)
async def create_enrolment(
    body: EnrolmentCreate, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> EnrolmentOut:
    return await enrolments.create(session=session, actor=actor, settings=settings, data=body)


@router.get(
    "/doubles",
    summary="Children registered at two schools or more in one term, to be resolved",
    responses={401: {}, 403: {}},
)
async def list_doubles(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    term: Annotated[Term | None, Query()] = None,
    limit: Limit = 50,
) -> list[DoubleEnrolment]:
    return await enrolments.doubles(
        session=session, actor=actor, settings=settings, term=term, limit=limit
    )
