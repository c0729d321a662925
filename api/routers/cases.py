import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api import responses
from api.deps import ActorDep, IfMatchDep, SessionDep, SettingsDep
from api.models.vocabulary import CaseSource, CaseStatus, DropoutReason
from api.schemas.cases import (
    CaseCreate,
    CaseDetail,
    CaseMoved,
    CaseOut,
    CaseTransitionCreate,
    LedgerKind,
)
from api.schemas.common import AreaQuery, Limit, Offset, Page
from api.services.cases import cases
from api.services.cases.cases import CaseFilter


def case_filter(
    status: CaseStatus | None = None,
    area: AreaQuery = None,
    school: uuid.UUID | None = None,
    reason: DropoutReason | None = None,
    source: CaseSource | None = None,
    overdue: bool | None = None,
    open: bool | None = None,
    ledger: Annotated[
        LedgerKind | None,
        Query(description="suspected: reported, not yet verified; confirmed: verified, open"),
    ] = None,
    mine: Annotated[
        bool | None,
        Query(
            description="true: only the cases the caller answers for (named on the return plan,"
            " or assigned now to the child's village, group, school or class, or to the child);"
            " false: the others"
        ),
    ] = None,
) -> CaseFilter:
    return CaseFilter(
        status=status,
        area=area,
        school_id=school,
        reason=reason,
        source=source,
        overdue=overdue,
        open=open,
        ledger=ledger,
        mine=mine,
    )


CaseFilterDep = Annotated[CaseFilter, Depends(case_filter)]

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get(
    "",
    summary="The dropout ledger: cases with their deadlines, the most recently noticed first",
    description=(
        "`open=true` gives the cases still on the ledger (a dismissed or closed case leaves it"
        " as it closes, 动态销号); `status=reported` the suspected ones, `status=verified`"
        " onward the confirmed. `overdue=true`: open, not reported to the county bureau and"
        " township, and past the 7-day deadline (不过周). `mine=true`: those the caller answers"
        " for on either line, the field app's own list."
    ),
    responses={401: {}, 403: {}},
)
async def list_cases(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    filters: CaseFilterDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CaseOut]:
    items, total = await cases.search(
        session=session, actor=actor, settings=settings, filters=filters, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "",
    status_code=201,
    summary="Report a child out of school: opens a case with its deadlines (one open a child)",
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def create_case(
    body: CaseCreate,
    once: responses.OnceDep,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> CaseDetail:
    made = await once.create(
        body=body,
        write=lambda: cases.create(session=session, actor=actor, settings=settings, data=body),
    )
    return CaseDetail.model_validate(made)


@router.get(
    "/{case_id}",
    summary="One case, with its deadlines and its history",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_case(
    case_id: uuid.UUID,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> CaseDetail:
    detail = await cases.get(session=session, actor=actor, settings=settings, case_id=case_id)
    responses.set_etag(response, detail.version)
    return detail


@router.post(
    "/{case_id}/transitions",
    summary="Move a case along its lifecycle (an action not allowed now: 409 with the allowed)",
    description=(
        "reported → verify | dismiss (with `dismissal_reason`); verified → plan | dismiss;"
        " planned → persuade | return; persuading → return; returned → follow_up | reopen;"
        " following_up → close | reopen; and from any open status, once, `report_upward`"
        " (the school's report to the county bureau and township, 不过周). Verifying,"
        " dismissing and closing are for principals, township officers and the county bureau;"
        " reporting upward for principals and the county bureau. Reporting upward tells the"
        " township officers and county administrators whose areas cover the child's home, in"
        " their inbox; `notified` names them."
    ),
    responses={401: {}, 403: {}, 404: {}, 409: {}, 412: {}, 422: {}},
)
async def transition_case(
    case_id: uuid.UUID,
    body: CaseTransitionCreate,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    expected_version: IfMatchDep,
) -> CaseMoved:
    detail = await cases.transition(
        session=session,
        actor=actor,
        settings=settings,
        case_id=case_id,
        data=body,
        expected_version=expected_version,
    )
    responses.set_etag(response, detail.version)
    return detail
