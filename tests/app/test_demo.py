"""The demo county's invariants, its determinism, and its loading with the demo accounts."""

import asyncio
import os
import sys
from collections import Counter
from datetime import date
from functools import cache

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.demo import chains, generator, loader
from api.demo.generator import DemoData
from api.models import Assignment, Child, User, UserScope
from api.models.vocabulary import AreaLevel, AssignmentKind, SchoolingStatus
from api.services.access.passwords import verify_password
from api.services.core import school_age
from api.services.registry import id_number, names
from api.settings import ROOT, Settings
from tests.databases import fresh_database, migrate

REFERENCE = date(2026, 11, 23)
SETTINGS = Settings()


@cache
def small(seed: int = 11) -> DemoData:
    return generator.generate(scale="small", seed=seed, reference_date=REFERENCE)


def test_same_seed_gives_the_same_county_and_another_seed_another() -> None:
    again = generator.generate(scale="small", seed=11, reference_date=REFERENCE)
    assert again.rows == small().rows
    assert generator.generate(scale="small", seed=12, reference_date=REFERENCE).rows != again.rows


def test_area_codes_are_well_formed_and_nested() -> None:
    areas = {a["code"]: a for a in small().rows["area"]}
    lengths = {
        AreaLevel.COUNTY: 6,
        AreaLevel.TOWNSHIP: 9,
        AreaLevel.VILLAGE: 12,
        AreaLevel.GROUP: 15,
    }
    for code, area in areas.items():
        assert code.isdigit()
        assert len(code) == lengths[area["level"]]
        if area["parent_code"]:
            assert code.startswith(area["parent_code"])
            assert area["parent_code"] in areas


def test_every_id_number_is_valid_and_agrees_with_the_child() -> None:
    children = small().rows["child"]
    with_numbers = [c for c in children if c["id_number"]]
    assert 0 < len(with_numbers) < len(children), "some children must have no ID number yet"
    for child in with_numbers:
        facts = id_number.parse(child["id_number"])
        assert (facts.birth_date, facts.sex) == (child["birth_date"], child["sex"])
    assert len({c["id_number"] for c in with_numbers}) == len(with_numbers)


def test_every_child_is_in_a_household_and_a_group_area() -> None:
    data = small()
    households = {h["id"]: h for h in data.rows["household"]}
    groups = {a["code"] for a in data.rows["area"] if a["level"] is AreaLevel.GROUP}
    for child in data.rows["child"]:
        household = households[child["household_id"]]
        assert child["area_code"] == household["area_code"]
        assert child["area_code"] in groups
        assert child["name_pinyin"] == names.pinyin(child["name"])


def test_ages_are_school_age_except_those_who_completed() -> None:
    school_year = school_age.school_year_of(REFERENCE, SETTINGS)
    for child in small().rows["child"]:
        grade = school_age.expected_grade(child["birth_date"], school_year, SETTINGS)
        if child["schooling_status"] is SchoolingStatus.COMPLETED:
            assert grade == 10
        else:
            assert 1 <= grade <= 9


def test_every_child_has_a_guardian_and_statuses_have_history() -> None:
    data = small()
    guardians = {g["id"] for g in data.rows["guardian"]}
    cared_for = Counter(link["child_id"] for link in data.rows["guardianship"])
    history = {change["child_id"] for change in data.rows["schooling_status_change"]}
    for link in data.rows["guardianship"]:
        assert link["guardian_id"] in guardians
    for child in data.rows["child"]:
        assert cared_for[child["id"]] >= 1
        assert child["id"] in history
    assert any(c["left_behind"] == 2 for c in data.rows["child"])


def test_the_county_scale_has_realistic_shares_out_of_school_and_roster_faults() -> None:
    data = generator.generate(scale="county", seed=5, reference_date=REFERENCE)
    children = data.rows["child"]
    assert 55_000 <= len(children) <= 65_000
    assert len(data.rows["household"]) == 50_000
    assert 50 <= len(data.rows["school"]) <= 150
    statuses = Counter(c["schooling_status"] for c in children)
    out_of_school = statuses[SchoolingStatus.DROPPED_OUT] + statuses[SchoolingStatus.NEVER_ENROLLED]
    assert 0.005 < out_of_school / len(children) < 0.03
    by_child = {c["id"]: c for c in children}
    enrolments = data.rows["enrolment"]
    schools = {s["id"]: s for s in data.rows["school"]}
    assert all(
        schools[e["school_id"]]["grade_from"] <= e["grade"] <= schools[e["school_id"]]["grade_to"]
        for e in enrolments
    )
    # Faults for reconciliation: each kind is present, and only a few of each.
    roster_only = [e for e in enrolments if e["child_id"] is None]
    renamed = [
        e for e in enrolments if e["child_id"] and e["name"] != by_child[e["child_id"]]["name"]
    ]
    misdated = [
        e
        for e in enrolments
        if e["child_id"] and e["birth_date"] != by_child[e["child_id"]]["birth_date"]
    ]
    doubled = [
        n for n in Counter(e["child_id"] for e in enrolments if e["child_id"]).values() if n > 1
    ]
    hidden_dropouts = [
        e
        for e in enrolments
        if e["child_id"]
        and by_child[e["child_id"]]["schooling_status"] is SchoolingStatus.DROPPED_OUT
    ]
    for faults in (roster_only, renamed, misdated, doubled, hidden_dropouts):
        assert 0 < len(faults) < 0.01 * len(enrolments)
    assert all(names.pinyin(e["name"]) == names.pinyin(by_child[e["child_id"]]["name"])
               for e in renamed)  # fmt: skip


async def test_loading_writes_every_row_and_the_demo_accounts(session: AsyncSession) -> None:
    data = small()
    accounts = await loader.load(session=session, data=data)
    count = (await session.exec(select(func.count()).select_from(Child))).one()
    assert count == len(data.rows["child"])
    users = (await session.exec(select(User))).all()
    demo = {
        "demo.county",
        "demo.township",
        "demo.village",
        "demo.principal",
        "demo.teacher",
    }
    assert {a.username for a in accounts} == demo
    staff = chains.people(data)
    assert {u.username for u in users} == demo | {u["username"] for u in staff["user"]}
    # One hash each for the demo accounts and their generated colleagues: checked on a few.
    assert all(u.password_hash.startswith("$argon2id$") for u in users)
    assert all(
        verify_password(u.password_hash, loader.DEMO_PASSWORD)
        for u in users
        if u.username in demo or u.username == staff["user"][0]["username"]
    )
    scopes = (await session.exec(select(UserScope))).all()
    assert len(scopes) == 5 + len(staff["user_scope"])
    by_name = {u.id: u.username for u in users}
    held = (await session.exec(select(Assignment))).all()
    covered = {by_name[a.user_id]: a.kind for a in held if by_name[a.user_id] in demo}
    assert covered == {
        "demo.township": AssignmentKind.VILLAGE,
        "demo.village": AssignmentKind.GROUP,
        "demo.principal": AssignmentKind.SCHOOL,
        "demo.teacher": AssignmentKind.CLASS,
    }
    assert len(held) == 4 + len(staff["assignment"])
    assert not await loader.is_empty(session)


async def _run(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, _ = await process.communicate()
    return process.returncode or 0, stdout.decode()


async def test_the_command_seeds_once_and_then_leaves_the_database_alone() -> None:
    async with fresh_database() as url:
        await migrate(url)
        env = {**os.environ, "DATABASE_URL": url}
        command = [sys.executable, "-m", "api.demo", "--scale", "small", "--if-empty"]
        code, output = await _run(command, env)
        assert code == 0
        assert "demo.village" in output
        code, output = await _run(command, env)
        assert code == 0
        assert "nothing generated" in output
        code, _ = await _run(command[:-1], env)  # without --if-empty it refuses a full database
        assert code == 1
