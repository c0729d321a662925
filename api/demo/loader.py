"""Writes a generated demo county into the database, set-based, with the demo accounts."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.demo.generator import TABLE_ORDER, DemoData, Row
from api.models import metadata
from api.models.area import Area
from api.models.assignment import Assignment
from api.models.user import User, UserScope
from api.models.vocabulary import AreaLevel, AssignmentKind, SchoolKind, UserRole
from api.services.passwords import hash_password

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the documented demo password (shared/API.md)
CHUNK = 5_000


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: UserRole
    scope: str  # a human description printed for the person who runs the demo


async def is_empty(session: AsyncSession) -> bool:
    return (await session.exec(select(Area.code).limit(1))).first() is None


async def load(*, session: AsyncSession, data: DemoData) -> list[DemoAccount]:
    connection = await session.connection()
    for table_name in TABLE_ORDER:
        table = metadata.tables[table_name]
        for chunk in _chunks(data.rows[table_name]):
            await connection.execute(insert(table), chunk)
    accounts = await _create_accounts(session=session, data=data)
    await session.commit()
    return accounts


def _chunks(rows: list[Row]) -> Iterator[list[Row]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


async def _create_accounts(*, session: AsyncSession, data: DemoData) -> list[DemoAccount]:
    """The five demo accounts of shared/API.md, each bound to the first unit of its kind."""
    areas = data.rows["area"]
    township = next(a for a in areas if a["level"] is AreaLevel.TOWNSHIP)
    village = next(a for a in areas if a["parent_code"] == township["code"])
    school = next(
        s
        for s in data.rows["school"]
        if s["area_code"] == township["code"] and s["kind"] is not SchoolKind.SPECIAL_EDUCATION
    )
    school_class = next(c for c in data.rows["school_class"] if c["school_id"] == school["id"])
    group = next(a for a in areas if a["parent_code"] == village["code"])
    password_hash = hash_password(DEMO_PASSWORD)
    plan: list[tuple[DemoAccount, dict[str, Any]]] = [
        (
            DemoAccount("demo.county", "县教育局管理员", UserRole.COUNTY_ADMIN, areas[0]["name"]),
            {"area_code": data.county_code},
        ),
        (
            DemoAccount(
                "demo.township", "乡镇包村干部", UserRole.TOWNSHIP_OFFICER, township["name"]
            ),
            {"area_code": township["code"]},
        ),
        (
            DemoAccount("demo.village", "村干部", UserRole.VILLAGE_CADRE, village["name"]),
            {"area_code": village["code"]},
        ),
        (
            DemoAccount("demo.principal", "校长", UserRole.PRINCIPAL, school["name"]),
            {"school_id": school["id"]},
        ),
        (
            DemoAccount(
                "demo.teacher",
                "班主任",
                UserRole.TEACHER,
                f"{school['name']} {school_class['name']}",
            ),
            {"class_id": school_class["id"]},
        ),
    ]
    # Each field account answers for its own unit (包村, 包组, 包校, 班主任), from the demo's day.
    covers: dict[str, tuple[AssignmentKind, dict[str, Any]]] = {
        "demo.township": (AssignmentKind.VILLAGE, {"area_code": village["code"]}),
        "demo.village": (AssignmentKind.GROUP, {"area_code": group["code"]}),
        "demo.principal": (AssignmentKind.SCHOOL, {"school_id": school["id"]}),
        "demo.teacher": (AssignmentKind.CLASS, {"class_id": school_class["id"]}),
    }
    for account, target in plan:
        user_id = uuid.uuid4()
        session.add(
            User(
                id=user_id,
                username=account.username,
                display_name=account.display_name,
                role=account.role,
                password_hash=password_hash,
            )
        )
        await session.flush()
        session.add(UserScope(user_id=user_id, **target))
        if account.username in covers:
            kind, unit = covers[account.username]
            session.add(
                Assignment(kind=kind, user_id=user_id, valid_from=data.reference_date, **unit)
            )
    await session.flush()
    return [account for account, _ in plan]
