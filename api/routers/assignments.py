import uuid

from fastapi import APIRouter

from api import responses
from api.deps import ActorDep, SessionDep, SettingsDep
from api.models.vocabulary import AssignmentKind
from api.schemas.assignments import AssignmentCreate, AssignmentEnd, AssignmentOut
from api.schemas.common import AreaQuery, Limit, Offset, Page
from api.services.responsibility import assignments
from api.services.responsibility.assignments import AssignmentFilter

router = APIRouter(prefix="/assignments", tags=["assignments"])


@router.get(
    "",
    summary="Who is responsible for which village, group, school, class or child",
    responses={401: {}, 403: {}},
)
async def list_assignments(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    kind: AssignmentKind | None = None,
    user: uuid.UUID | None = None,
    area: AreaQuery = None,
    school: uuid.UUID | None = None,
    klass: uuid.UUID | None = None,
    child: uuid.UUID | None = None,
    include_ended: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AssignmentOut]:
    filters = AssignmentFilter(
        kind=kind,
        user_id=user,
        area=area,
        school_id=school,
        class_id=klass,
        child_id=child,
        include_ended=include_ended,
    )
    items, total = await assignments.search(
        session=session,
        actor=actor,
        settings=settings,
        filters=filters,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "",
    status_code=201,
    summary="Make a person responsible, ending whoever was (the same person again: 409)",
    responses={401: {}, 403: {}, 409: {}, 422: {}},
)
async def create_assignment(
    body: AssignmentCreate,
    once: responses.OnceDep,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> AssignmentOut:
    made = await once.create(
        body=body,
        write=lambda: assignments.assign(
            session=session, actor=actor, settings=settings, data=body
        ),
    )
    return AssignmentOut.model_validate(made)


@router.get("/{assignment_id}", summary="One assignment", responses={401: {}, 403: {}, 404: {}})
async def get_assignment(
    assignment_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> AssignmentOut:
    return await assignments.get(
        session=session, actor=actor, settings=settings, assignment_id=assignment_id
    )


@router.post(
    "/{assignment_id}/end",
    summary="End an assignment with nobody after it (the gap then shows)",
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def end_assignment(
    assignment_id: uuid.UUID,
    body: AssignmentEnd,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> AssignmentOut:
    return await assignments.end(
        session=session, actor=actor, settings=settings, assignment_id=assignment_id, data=body
    )
