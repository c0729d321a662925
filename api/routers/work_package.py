from typing import Annotated

from fastapi import APIRouter, Header, Response

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.common import AreaQuery
from api.schemas.work_package import SinceQuery, WorkPackage
from api.services.sweeps import work_package

router = APIRouter(prefix="/work-package", tags=["visits"])


@router.get(
    "",
    response_model=WorkPackage,
    summary="A cadre's work package (入户包): the households and children to visit, for offline",
    description=(
        "Of `area`, or else of the villages and groups assigned to the caller (包村, 包组), or"
        " else of the caller's whole scope. With `since` (a version this endpoint gave) only"
        " the households changed since are sent, each whole, with the ids of all those now in"
        " the package. `If-None-Match` with the last ETag answers 304 when nothing changed."
        " Identifiers are in full only for a role that may read them, and that read is audited."
    ),
    responses={304: {"description": "not modified"}, 401: {}, 403: {}, 404: {}, 422: {}},
)
async def get_work_package(
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    since: SinceQuery = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> WorkPackage | Response:
    answer = await work_package.get(
        session=session,
        actor=actor,
        settings=settings,
        area=area,
        since=since,
        if_none_match=if_none_match,
    )
    # The phone asks again each time it has signal; a shared cache must not keep the package.
    headers = {"ETag": answer.etag, "Cache-Control": "private, no-cache"}
    if answer.package is None:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return answer.package
