import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from api import responses
from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.follow_ups import FollowUpIn, FollowUpOut
from api.services.cases import follow_ups

router = APIRouter(prefix="/cases/{case_id}/follow-ups", tags=["cases"])


@router.get(
    "",
    summary="The follow-up visits (跟踪回访) scheduled at the return: each due, done or missed",
    description="Weekly for the first month after the return, then monthly to the term's end.",
    responses={401: {}, 403: {}, 404: {}},
)
async def list_follow_ups(
    case_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> list[FollowUpOut]:
    return await follow_ups.search(session=session, actor=actor, settings=settings, case_id=case_id)


@router.post(
    "/{number}",
    summary="Record a follow-up visit made; the first moves the case on to following up",
    description=(
        "A visit finding the child gone again (`left_again`) reopens the case. A phone sending"
        " from its outbox gives an `Idempotency-Key`: a repeat with it gets the first answer"
        " (marked `Idempotent-Replayed: true`) and records nothing more, where without it a"
        " visit recorded already is a 409; the key with another body is a 422."
    ),
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def record_follow_up(
    case_id: uuid.UUID,
    once: responses.OnceDep,
    number: Annotated[int, Path(ge=1, le=100)],
    body: FollowUpIn,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> FollowUpOut:
    made = await once.write(
        body=body,
        write=lambda: follow_ups.record(
            session=session,
            actor=actor,
            settings=settings,
            case_id=case_id,
            number=number,
            data=body,
        ),
    )
    return FollowUpOut.model_validate(made)
