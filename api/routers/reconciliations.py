import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request

from api import responses
from api.deps import ActorDep, SessionDep, SettingsDep
from api.models.vocabulary import DiscrepancyKind, ReconciliationStatus
from api.schemas.common import AreaQuery, Limit, Offset, Page
from api.schemas.enrolments import Term
from api.schemas.reconciliations import (
    CandidateOut,
    DiscrepancyChange,
    DiscrepancyOut,
    DiscrepancyResolve,
    ReconciliationCreate,
    ReconciliationOut,
)
from api.services.rosters import reconciliations

router = APIRouter(prefix="/reconciliations", tags=["reconciliations"])


@router.post(
    "",
    status_code=202,
    summary="Reconcile where children are with where they are registered (人籍一致)",
    description=(
        "For an area (county, township, village) or one school, and a term. Runs in the"
        " background: the answer is the queued run; `GET /reconciliations/{id}` shows its"
        " progress and, once `completed`, its counts. The run links the term's registrations to"
        " children (by ID number first; else name, birth date and guardian, homophones"
        " accepted by pinyin when the guardian agrees), then makes the three comparisons"
        " (四查三比对): population vs rosters (`not_enrolled`: school-age, on no roster, no"
        " exempt status; `outside_unproven`: 县外就读 with no evidence), rosters vs the"
        " population and the pupils present (`unknown_to_population`, `identity_mismatch`:"
        " the same ID number with another name or birth date, `double_enrolment`,"
        " `registered_absent`: 籍在人不在, the sweep or the school found the pupil not"
        " attending or living elsewhere), and dropouts vs the current poverty household lists"
        " (`poverty_out_of_school`, `poverty_unknown`). `new` and `gone` compare it with the"
        " previous completed run of the same scope and term."
    ),
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def start_reconciliation(
    request: Request,
    once: responses.OnceDep,
    body: ReconciliationCreate,
    background: BackgroundTasks,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ReconciliationOut:
    async def start() -> ReconciliationOut:
        run = await reconciliations.start(
            session=session, actor=actor, settings=settings, data=body
        )
        return reconciliations.out(run)

    answer = await once.create(
        body=body,
        write=start,
        status_code=202,
    )
    background.add_task(
        reconciliations.run,
        sessionmaker=request.app.state.sessionmaker,
        settings=settings,
        reconciliation_id=uuid.UUID(str(answer["id"])),
    )
    return ReconciliationOut.model_validate(answer)


@router.get(
    "",
    summary="Reconciliation runs over the caller's areas or schools, newest first",
    responses={401: {}, 403: {}},
)
async def list_reconciliations(
    actor: ActorDep,
    session: SessionDep,
    term: Term | None = None,
    status: ReconciliationStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ReconciliationOut]:
    return await reconciliations.search(
        session=session, actor=actor, term=term, status=status, limit=limit, offset=offset
    )


@router.get(
    "/{reconciliation_id}",
    summary="A run's state, progress and counts by kind",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_reconciliation(
    reconciliation_id: uuid.UUID, actor: ActorDep, session: SessionDep
) -> ReconciliationOut:
    run = await reconciliations.visible(session=session, actor=actor, run_id=reconciliation_id)
    return reconciliations.out(run)


@router.get(
    "/{reconciliation_id}/discrepancies",
    summary="What a run found, of the caller's part, a page at a time",
    description=(
        "Filter by `kind`, `area` (a subtree), `school`, `resolved`, and `change`: `new` (not"
        " in the previous run) or `gone` (in the previous run, no longer found: listed from"
        " the previous run). ID numbers are masked."
    ),
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def list_discrepancies(
    reconciliation_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    kind: DiscrepancyKind | None = None,
    area: AreaQuery = None,
    school: uuid.UUID | None = None,
    change: DiscrepancyChange | None = None,
    resolved: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[DiscrepancyOut]:
    return await reconciliations.discrepancies(
        session=session,
        actor=actor,
        run_id=reconciliation_id,
        kind=kind,
        area=area,
        school_id=school,
        change=change,
        resolved=resolved,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{reconciliation_id}/discrepancies/{discrepancy_id}/candidates",
    summary="Children who could be the pupil of a registration nobody matched, best first",
    description=(
        "For an `unknown_to_population` discrepancy (409 for any other kind): the children in"
        " the caller's reach whose name has the same pinyin as the registration's, not held"
        " by another registration of the term, scored by the matching rule (`score`,"
        " `reason`); `near_school` (the child lives in the school's township) orders equals."
        " A homophone with no guardian to confirm it is never linked by an import; it is"
        " offered here, and the resolution `link` with its `child_id` links it. At most"
        " `limit` (20 unless told)."
    ),
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def list_discrepancy_candidates(
    reconciliation_id: uuid.UUID,
    discrepancy_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[CandidateOut]:
    return await reconciliations.candidates(
        session=session,
        actor=actor,
        settings=settings,
        run_id=reconciliation_id,
        discrepancy_id=discrepancy_id,
        limit=limit,
    )


@router.post(
    "/{reconciliation_id}/discrepancies/{discrepancy_id}/resolution",
    summary="Resolve a discrepancy: open a case, or say it was corrected or why it stands",
    description=(
        "`open_case` opens the child's case (source `reconciliation`), or links the case"
        " already open; only for `not_enrolled`, `registered_absent` and"
        " `poverty_out_of_school`. `explained` needs a `note`; later runs keep it explained."
        " `link` with a `child_id` (one of the discrepancy's candidates, not holding another"
        " registration of the term) links an `unknown_to_population` registration to that"
        " child, audited; 422 naming `child_id` otherwise, 409 when the registration is"
        " linked already."
        " A discrepancy is resolved once (409 after)."
    ),
    responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
)
async def resolve_discrepancy(
    reconciliation_id: uuid.UUID,
    discrepancy_id: uuid.UUID,
    body: DiscrepancyResolve,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> DiscrepancyOut:
    return await reconciliations.resolve(
        session=session,
        actor=actor,
        settings=settings,
        run_id=reconciliation_id,
        discrepancy_id=discrepancy_id,
        data=body,
    )
