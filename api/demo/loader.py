"""Writes a generated demo county into the database, set-based, with the demo accounts."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.demo import cases, chains
from api.demo.generator import TABLE_ORDER, DemoData, Row
from api.models import metadata
from api.models.area import Area
from api.models.assignment import Assignment
from api.models.user import User, UserScope
from api.models.vocabulary import AssignmentKind, UserRole
from api.services.access.passwords import hash_password
from api.services.core import bulk
from api.settings import Settings

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the demo password the README documents
CHUNK = 5_000


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: UserRole
    scope: str  # a human description printed for the person who runs the demo


async def is_empty(session: AsyncSession) -> bool:
    return (await session.exec(select(Area.code).limit(1))).first() is None


async def load(
    *, session: AsyncSession, data: DemoData, settings: Settings | None = None
) -> list[DemoAccount]:
    connection = await session.connection()
    for table_name in TABLE_ORDER:
        table = metadata.tables[table_name]
        for chunk in _chunks(data.rows[table_name]):
            await connection.execute(insert(table), chunk)
    staff = chains.people(data)
    # One hash for everyone: argon2 is slow by design, and all share the documented password.
    password_hash = hash_password(DEMO_PASSWORD)
    for user in staff["user"]:
        user["password_hash"] = password_hash
    for table_name in chains.TABLES:
        await bulk.insert_rows(
            connection=connection, table=metadata.tables[table_name], rows=staff[table_name]
        )
    accounts = await _create_accounts(session=session, data=data, password_hash=password_hash)
    # The cases name the people the assignments name, the demo accounts' among them.
    assignment = metadata.tables["assignment"]
    held = (await connection.execute(sa_select(assignment))).mappings().all()
    dossiers = cases.build(data, [dict(row) for row in held], settings)
    for table_name in cases.TABLES:
        await bulk.insert_rows(
            connection=connection, table=metadata.tables[table_name], rows=dossiers[table_name]
        )
    await session.commit()
    return accounts


def _chunks(rows: list[Row]) -> Iterator[list[Row]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


_Covers = tuple[AssignmentKind, dict[str, Any]]


async def _create_accounts(
    *, session: AsyncSession, data: DemoData, password_hash: str
) -> list[DemoAccount]:
    """The five demo accounts the README lists, each bound to the first unit of its kind and
    answering for it (包村, 包组, 包校, 班主任) from the demo's day."""
    units = chains.demo_units(data)
    school, school_class = units.school, units.school_class
    plan: list[tuple[DemoAccount, dict[str, Any], _Covers | None]] = [
        (
            DemoAccount(
                "demo.county", "县教育局管理员", UserRole.COUNTY_ADMIN, units.county["name"]
            ),
            {"area_code": data.county_code},
            None,
        ),
        (
            DemoAccount(
                "demo.township", "乡镇包村干部", UserRole.TOWNSHIP_OFFICER, units.township["name"]
            ),
            {"area_code": units.township["code"]},
            (AssignmentKind.VILLAGE, {"area_code": units.village["code"]}),
        ),
        (
            DemoAccount("demo.village", "村干部", UserRole.VILLAGE_CADRE, units.village["name"]),
            {"area_code": units.village["code"]},
            (AssignmentKind.GROUP, {"area_code": units.group["code"]}),
        ),
        (
            DemoAccount("demo.principal", "校长", UserRole.PRINCIPAL, school["name"]),
            {"school_id": school["id"]},
            (AssignmentKind.SCHOOL, {"school_id": school["id"]}),
        ),
        (
            DemoAccount(
                "demo.teacher",
                "班主任",
                UserRole.TEACHER,
                f"{school['name']} {school_class['name']}",
            ),
            {"class_id": school_class["id"]},
            (AssignmentKind.CLASS, {"class_id": school_class["id"]}),
        ),
    ]
    for account, target, covers in plan:
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
        if covers is not None:
            kind, unit = covers
            session.add(
                Assignment(kind=kind, user_id=user_id, valid_from=data.reference_date, **unit)
            )
    await session.flush()
    return [account for account, _, _ in plan]
