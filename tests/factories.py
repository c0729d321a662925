"""Small, explicit builders of test data."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, User, UserScope
from api.models.vocabulary import AreaLevel, UserRole
from api.services.access.passwords import hash_password

PASSWORD = "field-work-2026"


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    user_id: uuid.UUID


async def ensure_area(session: AsyncSession, code: str = "519901") -> str:
    if await session.get(Area, code) is None:
        session.add(Area(code=code, name="测试县", level=AreaLevel.COUNTY))
        await session.flush()
    return code


async def make_user(
    session: AsyncSession,
    *,
    role: UserRole = UserRole.COUNTY_ADMIN,
    username: str | None = None,
    password: str = PASSWORD,
    area_code: str | None = "519901",
    api_scopes: str | None = None,
    must_change_password: bool = False,
    is_active: bool = True,
    school_id: uuid.UUID | None = None,
    class_id: uuid.UUID | None = None,
) -> Login:
    username = username or f"{role.value}.{uuid.uuid4().hex[:6]}"
    user = User(
        username=username,
        display_name="测试用户",
        role=role,
        password_hash=hash_password(password),
        api_scopes=api_scopes,
        must_change_password=must_change_password,
        is_active=is_active,
    )
    session.add(user)
    await session.flush()
    if area_code:
        await ensure_area(session, area_code)
        session.add(UserScope(user_id=user.id, area_code=area_code))
    if school_id:
        session.add(UserScope(user_id=user.id, school_id=school_id))
    if class_id:
        session.add(UserScope(user_id=user.id, class_id=class_id))
    await session.commit()
    return Login(username, password, user.id)


async def token_for(client: httpx.AsyncClient, login: Login) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/token", data={"username": login.username, "password": login.password}
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
