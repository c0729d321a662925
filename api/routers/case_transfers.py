import uuid
from typing import Literal

from fastapi import APIRouter

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.cases import CaseDetail, CaseTransferCreate, TransferDecision, TransferOut
from api.services.cases import case_transfers

router = APIRouter(prefix="/cases/{case_id}/transfers", tags=["cases"])


@router.post(
    "",
    status_code=201,
    summary="Hand a case on when the child moves: to another township's village, or a school",
    description=(
        "Both sides see the case until the receiving side accepts or declines it; only its"
        " acceptance changes who answers for the child (a move puts the household in the new"
        " village)."
    ),
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def request_transfer(
    case_id: uuid.UUID,
    body: CaseTransferCreate,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> CaseDetail:
    return await case_transfers.request(
        session=session, actor=actor, settings=settings, case_id=case_id, data=body
    )


@router.post(
    "/{transfer_id}/{decision}",
    summary="The receiving township or school accepts the case, or declines it",
    description="Declined, the case stays with the sending side and leaves the receiving one.",
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def decide_transfer(
    case_id: uuid.UUID,
    transfer_id: uuid.UUID,
    decision: Literal["accept", "decline"],
    body: TransferDecision,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> TransferOut:
    return await case_transfers.decide(session=session, actor=actor, settings=settings,
                                       case_id=case_id, transfer_id=transfer_id,
                                       accept=decision == "accept", data=body)  # fmt: skip
