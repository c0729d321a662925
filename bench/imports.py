"""Import figures: a county's spreadsheet of 60,000 children in one file.

Target: ``POST /api/v1/households/import``'s service, end to end (reading the XLSX, checking
every row, matching the registry, inserting households, guardians, children and
guardianships, keeping the import), under 20 s on SQLite and on PostgreSQL.

The sheet is made from the county-scale demo (api/demo/generator.py): its first 60,000
children with their households' columns repeated on each row and their primary carer, as a
county office keeps them (Chinese headings, dates as Excel dates, 是/否 flags, ID numbers as
text). It goes into a fresh migrated database holding only the county's areas and one county
administrator. Figures:

- ``household_import_60k``: the import, timed end to end;
- ``household_import_60k_again``: the same file once more, which adds nothing (every row is
  matched: the registry's idempotency, at county scale);
- ``household_import_60k_floor``: the same rows, already validated, inserted the plainest way
  (one SQLAlchemy Core executemany per table, no reading, checks or matching) into another
  fresh database: the bare inserts as anyone would first write them, beside the whole import
  (which inserts through bulk.insert_rows: COPY on PostgreSQL, ready tuples on SQLite).

``python -m bench.imports`` runs only these, on fresh databases of the kind DATABASE_URL names.
"""

import asyncio
import gc
import io
import secrets
import time
from datetime import date
from typing import Any

from openpyxl import Workbook
from pydantic import SecretStr
from sqlalchemy import insert

from api.db import create_engine, create_sessionmaker
from api.demo import generator
from api.demo.generator import DemoData, Row
from api.models import User, UserScope, metadata
from api.models.base import utcnow
from api.models.vocabulary import DisabilityPlacement, GuardianRelation, Sex, UserRole
from api.services.access.passwords import hash_password
from api.services.core import school_age
from api.services.core.actors import Actor
from api.services.registry import household_import, import_plan
from api.settings import Settings
from bench.figures import emit, machine_speed
from tests.databases import fresh_database, migrate

ROWS = 60_000
HEADINGS = (
    "区划代码",
    "家庭住址",
    "户主姓名",
    "联系电话",
    "是否建档立卡户",
    "是否低保户",
    "儿童姓名",
    "性别",
    "出生日期",
    "身份证号码",
    "户籍地址",
    "留守情况",
    "残疾类别",
    "残疾等级",
    "安置方式",
    "孤儿",
    "事实无人抚养",
    "困境儿童",
    "随迁子女",
    "监护人姓名",
    "与儿童关系",
    "监护人电话",
)
_RELATION = {
    GuardianRelation.FATHER: "父亲",
    GuardianRelation.MOTHER: "母亲",
    GuardianRelation.GRANDFATHER: "爷爷",
    GuardianRelation.GRANDMOTHER: "奶奶",
    GuardianRelation.OTHER_RELATIVE: "其他亲属",
    GuardianRelation.OTHER: "其他",
}
_PLACEMENT = {
    DisabilityPlacement.SPECIAL_SCHOOL: "特教学校",
    DisabilityPlacement.REGULAR_CLASS: "随班就读",
    DisabilityPlacement.SPECIAL_CLASS: "特教班",
    DisabilityPlacement.HOME_DELIVERED: "送教上门",
    DisabilityPlacement.INSTITUTION: "机构",
    DisabilityPlacement.AWAITING: "待安置",
}


def _yes(value: bool) -> str:
    return "是" if value else "否"


def county_sheet(data: DemoData, rows: int = ROWS) -> bytes:
    """The county's children, one row each, as a county office's workbook."""
    households = {h["id"]: h for h in data.rows["household"]}
    guardians = {g["id"]: g for g in data.rows["guardian"]}
    carers = {link["child_id"]: link for link in data.rows["guardianship"] if link["is_primary"]}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("适龄儿童")
    sheet.append([f"{data.county_code} 适龄儿童少年信息表"])
    sheet.append(list(HEADINGS))
    for child in data.rows["child"][:rows]:
        home = households[child["household_id"]]
        link = carers.get(child["id"])
        carer = guardians[link["guardian_id"]] if link else None
        sheet.append(
            [
                home["area_code"],
                home["address"],
                home["head_name"],
                home["phone"],
                _yes(home["is_poverty_registered"]),
                _yes(home["is_minimum_living"]),
                child["name"],
                "男" if child["sex"] is Sex.MALE else "女",
                child["birth_date"],
                child["id_number"] or "",
                child["registered_address"] or "",
                child["left_behind"],
                child["disability_kind"] or "",
                child["disability_grade"] or "",
                _PLACEMENT[child["placement"]] if child["placement"] else "",
                _yes(child["is_orphan"]),
                _yes(child["is_unattended"]),
                _yes(child["is_in_hardship"]),
                _yes(child["is_migrant"]),
                carer["name"] if carer else "",
                _RELATION[link["relation"]] if link else "",
                carer["phone"] if carer else "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def _county_ready(url: str, county: tuple[str, list[Row]]) -> tuple[Settings, Actor]:
    """A fresh database's county: its areas and one administrator to import as."""
    county_code, areas = county
    await migrate(url)
    settings = Settings(
        database_url=url, log_level="WARNING", jwt_secret=SecretStr(secrets.token_urlsafe(32))
    )
    engine = create_engine(settings)
    user = User(
        username="bench.county",
        display_name="县教育局管理员",
        role=UserRole.COUNTY_ADMIN,
        password_hash=hash_password(secrets.token_urlsafe(16)),
    )
    async with create_sessionmaker(engine, settings=settings)() as session:
        connection = await session.connection()
        await connection.execute(insert(metadata.tables["area"]), areas)
        session.add(user)
        await session.flush()
        session.add(UserScope(user_id=user.id, area_code=county_code))
        await session.commit()
    await engine.dispose()
    actor = Actor(
        user_id=user.id,
        username=user.username,
        role=UserRole.COUNTY_ADMIN,
        area_codes=(county_code,),
    )
    return settings, actor


async def _import(settings: Settings, actor: Actor, content: bytes) -> tuple[float, Any]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine, settings=settings)() as session:
            started = time.perf_counter()
            result = await household_import.import_file(
                session=session,
                actor=actor,
                settings=settings,
                data=content,
                filename="county.xlsx",
                all_or_nothing=False,
            )
            return time.perf_counter() - started, result
    finally:
        await engine.dispose()


async def _floor(settings: Settings, actor: Actor, content: bytes) -> float:
    """The validated rows (planned untimed, as the import plans them), inserted bare."""
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine, settings=settings)() as session:
            today = school_age.local_today(settings)
            sheet, rows = household_import.read(content, "county.xlsx", today)
            known = await household_import.load_known(session=session, actor=actor, rows=rows)
            plan = import_plan.decide(sheet, rows, known, now=utcnow())
            import_plan.spell(plan.children)
        tables: list[tuple[str, list[Row]]] = [
            ("household", plan.households),
            ("guardian", plan.guardians),
            ("child", plan.children),
            ("guardianship", plan.guardianships),
        ]
        started = time.perf_counter()
        async with engine.begin() as connection:
            for name, table_rows in tables:
                await connection.execute(insert(metadata.tables[name]), table_rows)
        return time.perf_counter() - started
    finally:
        await engine.dispose()


async def household_imports(rows: int = ROWS, seed: int = 2026) -> None:
    """The import figures, each on fresh databases of their own."""
    data = generator.generate(scale="county", seed=seed, reference_date=date.today())
    content = await asyncio.to_thread(county_sheet, data, rows)
    county = data.county_code, data.rows["area"]
    # The demo's millions of objects let go before the clock starts: a server importing a
    # file does not hold a county's worth of other objects for the collector to walk.
    del data
    gc.collect()
    async with fresh_database() as url:
        settings, actor = await _county_ready(url, county)
        elapsed, result = await _import(settings, actor, content)
        if result.rejected or result.children_created != rows:
            raise RuntimeError(f"the county's sheet did not import whole: {result}")
        emit("household_import_60k", elapsed, "s")
        again, repeat = await _import(settings, actor, content)
        if repeat.children_created or repeat.households_created:
            raise RuntimeError(f"importing the same file again added rows: {repeat}")
        emit("household_import_60k_again", again, "s")
    async with fresh_database() as url:
        settings, actor = await _county_ready(url, county)
        emit("household_import_60k_floor", await _floor(settings, actor, content), "s")


if __name__ == "__main__":
    machine_speed()
    asyncio.run(household_imports())
