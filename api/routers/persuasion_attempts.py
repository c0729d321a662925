import uuid

from fastapi import APIRouter

from api import responses
from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.persuasion_attempts import PersuasionAttemptIn, PersuasionAttemptOut
from api.services.cases import persuasion_attempts

router = APIRouter(prefix="/cases/{case_id}/attempts", tags=["cases"])


@router.get(
    "",
    summary="The persuasion attempts (劝返) of a case, the first first",
    responses={401: {}, 403: {}, 404: {}},
)
async def list_attempts(
    case_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> list[PersuasionAttemptOut]:
    return await persuasion_attempts.search(
        session=session, actor=actor, settings=settings, case_id=case_id
    )


@router.post(
    "",
    status_code=201,
    summary="Record a persuasion attempt; the first moves a planned case on to persuading",
    description=(
        "Numbered in order (第几次劝返). A photo or a voice recording goes up first to"
        " `POST /attachments`; its id here links it to the attempt. A phone sending from its"
        " outbox gives an `Idempotency-Key`: a repeat with it gets the first answer (marked"
        " `Idempotent-Replayed: true`) and records nothing more; the key with another body"
        " is a 422."
    ),
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def record_attempt(
    case_id: uuid.UUID,
    once: responses.OnceDep,
    body: PersuasionAttemptIn,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> PersuasionAttemptOut:
    made = await once.write(
        body=body,
        write=lambda: persuasion_attempts.record(
            session=session, actor=actor, settings=settings, case_id=case_id, data=body
        ),
        status_code=201,
    )
    return PersuasionAttemptOut.model_validate(made)
