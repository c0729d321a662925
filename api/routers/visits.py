from fastapi import APIRouter

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.visits import BatchResult, VisitBatchRaw
from api.services.sweeps import visits

router = APIRouter(prefix="/visits", tags=["visits"])

BATCH_SCHEMA = "VisitBatch"


@router.post(
    "/batch",
    summary="A phone's queued visits, and the households and children it found, exactly once",
    description=(
        "Each item carries the id the phone made. Answers per item, in `households`,"
        " `children` and `visits`: `created`; `duplicate` (sent before with the same content:"
        " nothing stored again); `conflict` (the id holds other content, nothing stored; or the"
        " visit is kept but an observation older than the child's last recorded change does"
        " not overwrite it, `server_state` giving that change); `invalid` with `errors`, the"
        " other items going on. Households and children come first, so that visits may name"
        " them. A school-age child found out of school, not lawfully so, opens a"
        " suspected-dropout case (`case_ids`), once."
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{BATCH_SCHEMA}"}}
            },
        }
    },
    responses={401: {}, 403: {}, 413: {}, 422: {}},
)
async def receive_visits(
    body: VisitBatchRaw, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> BatchResult:
    return await visits.receive(session=session, actor=actor, settings=settings, batch=body)
