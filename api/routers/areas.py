from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from api import uploads
from api.deps import ActorDep, SessionDep
from api.schemas.areas import (
    AreaCodePath,
    AreaDetail,
    AreaImportReport,
    AreaNode,
    DepthQuery,
    ParentQuery,
    RootQuery,
)
from api.schemas.common import Limit, Offset, Page
from api.services.core.errors import InvalidInput
from api.services.registry import areas

router = APIRouter(prefix="/areas", tags=["areas"])


@router.get(
    "",
    summary="Areas by parent (top level without one), or the tree under root to a depth",
    description=(
        "`?parent=CODE` lists the direct children of an area, `?root=CODE&depth=N` answers that"
        f" area alone with `children` nested N levels down (at most {areas.MAX_TREE_NODES}"
        " areas, else a 422 naming `root`). Readable by every logged-in user."
    ),
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def list_areas(
    actor: ActorDep,
    session: SessionDep,
    parent: ParentQuery = None,
    root: RootQuery = None,
    depth: DepthQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AreaNode]:
    if root is None:
        if depth is not None:
            raise InvalidInput("depth", "depth goes with root", location="query")
        items, total = await areas.search(
            session=session, actor=actor, parent=parent, limit=limit, offset=offset
        )
        return Page(
            items=[AreaNode(**i.model_dump()) for i in items],
            total=total,
            limit=limit,
            offset=offset,
        )
    if parent is not None:
        raise InvalidInput("root", "give either parent or root", location="query")
    tree = await areas.tree(session=session, actor=actor, root=root, depth=depth or 1)
    return Page(items=[tree], total=1, limit=limit, offset=0)


@router.get(
    "/{code}",
    summary="One area with its ancestors (breadcrumbs) and direct children",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_area(code: AreaCodePath, actor: ActorDep, session: SessionDep) -> AreaDetail:
    return await areas.get(session=session, actor=actor, code=code)


@router.post(
    "/import",
    summary="Import the official area code list from CSV (county administrators)",
    description=(
        "A CSV file (UTF-8, with or without BOM, or GB18030 as Chinese Excel saves it) with the"
        " columns `code,name,level,parent` or `代码,名称,级别,上级代码`; the level may be left"
        " empty (it follows from the code's length). Good rows are stored and bad ones reported"
        " by line and column (with `all_or_nothing`, a bad row refuses the whole file: a 422 naming"
        " each row); importing the same file again changes nothing."
    ),
    responses={401: {}, 403: {}, 409: {}, 413: {}, 422: {}},
)
async def import_areas(
    actor: ActorDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="the code list, CSV, at most 10 MB")],
    all_or_nothing: uploads.AllOrNothingDep,
) -> AreaImportReport:
    # One byte more than allowed tells the service the file is too large.
    data = await file.read(areas.MAX_UPLOAD_BYTES + 1)
    return await areas.import_csv(
        session=session,
        actor=actor,
        data=data,
        filename=file.filename,
        all_or_nothing=all_or_nothing,
    )
