import uuid

from fastapi import APIRouter

from api.deps import ActorDep, SessionDep
from api.models.vocabulary import UserRole
from api.schemas.common import Limit, Offset, Page
from api.schemas.users import OneTimePassword, UserCreate, UserCreated, UserOut, UserUpdate
from api.services.access import users

router = APIRouter(prefix="/users", tags=["users"])


@router.post(
    "",
    status_code=201,
    summary="Create an account with a one-time password",
    description=(
        "A county administrator creates any account within their county; a principal, the"
        " teachers of their own school, bound to its classes (403 for another role)."
    ),
    responses={401: {}, 403: {}, 409: {}, 422: {}},
)
async def create_user(body: UserCreate, actor: ActorDep, session: SessionDep) -> UserCreated:
    return await users.create(session=session, actor=actor, data=body)


@router.get(
    "",
    summary="Accounts the caller manages: within their county, or their school's teachers",
    responses={401: {}, 403: {}},
)
async def list_users(
    actor: ActorDep,
    session: SessionDep,
    role: UserRole | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[UserOut]:
    items, total = await users.search(
        session=session, actor=actor, role=role, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{user_id}", summary="One account", responses={401: {}, 403: {}, 404: {}})
async def get_user(user_id: uuid.UUID, actor: ActorDep, session: SessionDep) -> UserOut:
    return await users.get(session=session, actor=actor, user_id=user_id)


@router.patch(
    "/{user_id}",
    summary="Rename, change the phone or coverage, or disable an account",
    description=(
        "Every field given is applied or refused: any other field is a 422 naming it. A"
        " coverage kind given (areas, schools, classes) replaces that kind, checked as at"
        " creation and audited before and after; it takes effect at the account's next request."
    ),
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def update_user(
    user_id: uuid.UUID, body: UserUpdate, actor: ActorDep, session: SessionDep
) -> UserOut:
    return await users.update(session=session, actor=actor, user_id=user_id, data=body)


@router.post(
    "/{user_id}/password-reset",
    summary="Issue a new one-time password, lift a lock and end every session",
    description="An integration client has a secret instead: a 409 (rotate it).",
    responses={401: {}, 403: {}, 404: {}, 409: {}},
)
async def reset_password(
    user_id: uuid.UUID, actor: ActorDep, session: SessionDep
) -> OneTimePassword:
    return await users.reset_password(session=session, actor=actor, user_id=user_id)
