from fastapi import APIRouter, Response

from api.deps import NewcomerDep, SessionDep
from api.schemas.auth import PasswordChange
from api.schemas.me import Me
from api.services.access import auth, users

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", summary="The caller, their role and what they cover", responses={401: {}})
async def get_me(actor: NewcomerDep, session: SessionDep) -> Me:
    return await users.describe(session=session, actor=actor)


@router.post(
    "/password",
    status_code=204,
    summary="Change one's own password",
    responses={401: {}, 422: {}},
)
async def change_password(
    body: PasswordChange, actor: NewcomerDep, session: SessionDep
) -> Response:
    await auth.change_password(
        session=session, user_id=actor.user_id, current=body.current_password, new=body.new_password
    )
    return Response(status_code=204)
