"""Reconciliation (人籍一致): a small county built with each kind of discrepancy exactly where
expected, and a run that finds those and no others; fuzzy matching by pinyin; new and gone
between runs; resolving; scoping; bad requests."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    AuditEvent,
    Case,
    Child,
    Discrepancy,
    Enrolment,
    Guardian,
    Guardianship,
    Household,
    PovertyList,
    PovertyMember,
    Reconciliation,
    SchoolingStatusChange,
    Visit,
    VisitObservation,
)
from api.models.base import utcnow
from api.models.vocabulary import (
    AuditAction,
    CaseSource,
    EnrolmentStatus,
    GuardianRelation,
    ImportStatus,
    ObservedSchooling,
    PovertyKind,
    ReconciliationStatus,
    SchoolingStatus,
    Sex,
    StatusSource,
    UserRole,
    VisitOutcome,
)
from api.services.core import school_age
from api.services.registry import id_number, names
from api.services.rosters import discrepancy_finding, reconciliations
from api.settings import Settings
from tests import world as w

RUNS = "/api/v1/reconciliations"
_sequence = iter(range(100, 999))


def grade_birth(grade: int, world: w.World, settings: Settings, day: int = 10) -> date:
    first, _ = school_age.birth_dates_for_grade(grade, world.school_year, settings)
    return first.replace(day=day)


async def add_child(
    session: AsyncSession,
    *,
    name: str,
    area: str,
    born: date,
    status: SchoolingStatus = SchoolingStatus.UNKNOWN,
    with_id: bool = True,
    guardian: str | None = None,
) -> tuple[uuid.UUID, str | None]:
    household = Household(area_code=area, address=f"{name}家", head_name=guardian or f"{name}父")
    session.add(household)
    await session.flush()
    number = (
        id_number.make(area_code="510821", birth_date=born, sequence=next(_sequence))
        if with_id
        else None
    )
    child = Child(
        household_id=household.id,
        area_code=area,
        name=name,
        name_pinyin=names.pinyin(name),
        name_initials=names.initials(name),
        sex=Sex.FEMALE,
        birth_date=born,
        id_number=number,
        schooling_status=status,
    )
    session.add(child)
    await session.flush()
    if guardian:
        carer = Guardian(household_id=household.id, name=guardian)
        session.add(carer)
        await session.flush()
        session.add(
            Guardianship(child_id=child.id, guardian_id=carer.id, relation=GuardianRelation.MOTHER)
        )
    await session.commit()
    return child.id, number


def registration(world: w.World, school: str, **fields: Any) -> Enrolment:
    name = fields.pop("name")
    return Enrolment(
        school_id=world.schools[school],
        term=world.term,
        grade=fields.pop("grade", 3),
        student_number=fields.pop("student_number", f"J{next(_sequence)}"),
        name=name,
        name_pinyin=names.pinyin(name),
        sex=fields.pop("sex", Sex.FEMALE),
        **fields,
    )


async def run(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    started = await client.post(RUNS, json=body, headers=headers)
    assert started.status_code == 202, started.text
    assert started.headers["Location"].endswith(started.json()["id"])
    done = await client.get(f"{RUNS}/{started.json()['id']}", headers=headers)
    assert done.status_code == 200, done.text
    answer: dict[str, Any] = done.json()
    assert answer["status"] == "completed", answer
    return answer


async def found(
    client: httpx.AsyncClient, headers: dict[str, str], run_id: str, **query: Any
) -> list[dict[str, Any]]:
    page = await client.get(
        f"{RUNS}/{run_id}/discrepancies", params={"limit": 200, **query}, headers=headers
    )
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


def kinds(items: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(item["kind"], item["name"]) for item in items}


@pytest.fixture
async def county(session: AsyncSession, settings: Settings, world: w.World) -> dict[str, Any]:
    """The world, plus one child or registration for each kind of discrepancy, and as many
    that look alike and are fine."""
    grade2 = grade_birth(2, world, settings)
    made: dict[str, Any] = {}
    # Population vs rosters.
    made["missing"], _ = await add_child(session, name="周小云", area=w.DONG, born=grade2)
    await add_child(
        session, name="吴缓学", area=w.DONG, born=grade2, status=SchoolingStatus.DEFERRED
    )
    await add_child(
        session,
        name="郑成年",
        area=w.DONG,
        born=grade2.replace(year=grade2.year - 10),  # past compulsory age
    )
    away, _ = await add_child(
        session,
        name="冯外读",
        area=w.NAN,
        born=grade2,
        status=SchoolingStatus.ENROLLED_OUTSIDE_COUNTY,
    )
    proven, _ = await add_child(
        session,
        name="陈有证",
        area=w.NAN,
        born=grade2,
        status=SchoolingStatus.ENROLLED_OUTSIDE_COUNTY,
    )
    session.add(
        SchoolingStatusChange(
            child_id=proven,
            to_status=SchoolingStatus.ENROLLED_OUTSIDE_COUNTY,
            source=StatusSource.MANUAL,
            evidence="成都市某小学在读证明",
        )
    )
    made["away"] = away
    # Fuzzy matching: a child with no ID number, registered under a homophone of her name by
    # a roster that names her guardian; and one whose roster names nobody.
    made["fuzzy"], _ = await add_child(
        session, name="刘晓东", area=w.NAN, born=grade2, with_id=False, guardian="刘桂芳"
    )
    made["unconfirmed"], _ = await add_child(
        session, name="黄晓玲", area=w.XI, born=grade2, with_id=False, guardian="黄桂英"
    )
    # Rosters vs the population and the pupils present.
    dong_a = (
        await session.exec(
            select(Enrolment).where(col(Enrolment.child_id) == world.children["dong_a"])
        )
    ).one()
    dong_a.name = "张晓明"  # same ID number, another name
    dong_b = await session.get(Child, world.children["dong_b"])
    assert dong_b is not None
    dong_b.schooling_status = SchoolingStatus.DROPPED_OUT  # still on the roster: 籍在人不在
    visitor = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.NAN)
    visit = Visit(
        household_id=world.households["nan_a"],
        visitor_id=visitor.user_id,
        visited_at=utcnow(),
        received_at=utcnow(),
        outcome=VisitOutcome.MET,
        content_sha256="0" * 64,
    )
    session.add(visit)
    await session.flush()
    session.add(
        VisitObservation(
            visit_id=visit.id,
            child_id=world.children["nan_a"],
            observed_at=utcnow(),
            schooling=ObservedSchooling.AWAY,
            whereabouts="随父母在广东",
        )
    )
    xi_a = (
        await session.exec(
            select(Enrolment).where(col(Enrolment.child_id) == world.children["xi_a"])
        )
    ).one()
    stranger = id_number.make(area_code="510821", birth_date=grade2, sequence=77)
    session.add_all(
        [
            registration(  # xi_a on a second roster
                world,
                "east",
                name="赵小丽",
                child_id=world.children["xi_a"],
                id_number=xi_a.id_number,
                birth_date=xi_a.birth_date,
                student_number=xi_a.student_number,
            ),
            registration(  # nobody the households know
                world, "west", name="钱多多", id_number=stranger, birth_date=grade2,
                student_number="G" + stranger,
            ),
            registration(  # a homophone, confirmed by the guardian
                world, "east", name="刘小东", birth_date=grade2, guardian_name="刘桂芳"
            ),
            registration(  # a homophone with no guardian to confirm it
                world, "west", name="黄小玲", birth_date=grade2
            ),
            registration(  # left the school: not on the roster any more
                world, "west", name="周小云", birth_date=grade2,
                status=EnrolmentStatus.TRANSFERRED_OUT,
            ),
        ]
    )  # fmt: skip
    # Dropouts vs the poverty household list.
    admin = await world.login(session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    listed = PovertyList(
        area_code=w.COUNTY,
        created_by_id=admin.user_id,
        created_by_username=admin.username,
        file_name="脱贫户.xlsx",
        sha256="1" * 64,
        status=ImportStatus.STORED,
    )
    session.add(listed)
    await session.flush()
    unknown_number = id_number.make(area_code="510821", birth_date=grade2, sequence=99)
    members = [
        ("H1", w.DONG, "李大山", "李小红", world.id_numbers["dong_b"], dong_b.birth_date),
        ("H2", w.DONG_GROUP, "张大山", "张小明", world.id_numbers["dong_a"], None),
        ("H2", w.DONG_GROUP, "张大山", "张大山", "510821198001011234", date(1980, 1, 1)),
        ("H3", w.XI, "马大山", "马小跳", unknown_number, grade2),
    ]
    for row, (household, area, head, name, number, born) in enumerate(members, start=2):
        session.add(
            PovertyMember(
                list_id=listed.id,
                row=row,
                household_number=household,
                kind=PovertyKind.LIFTED,
                area_code=area,
                head_name=head,
                name=name,
                name_pinyin=names.pinyin(name),
                id_number=number,
                birth_date=born or id_number.parse(number).birth_date,
            )
        )
    await session.commit()
    return made


EXPECTED = {
    ("not_enrolled", "周小云"),
    ("not_enrolled", "黄晓玲"),  # her homophone registration was not confirmed
    ("outside_unproven", "冯外读"),
    ("identity_mismatch", "张晓明"),
    ("double_enrolment", "赵小丽"),  # at 东镇中心小学
    ("registered_absent", "李小红"),  # the child dropped out
    ("registered_absent", "王小刚"),  # the sweep found him away
    ("unknown_to_population", "钱多多"),
    ("unknown_to_population", "黄小玲"),
    ("poverty_out_of_school", "李小红"),
    ("poverty_unknown", "马小跳"),
}


async def test_a_run_finds_each_discrepancy_where_it_is_and_nothing_else(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    county: dict[str, Any],
) -> None:
    done = await run(client, admin, area_code=w.COUNTY)
    items = await found(client, admin, done["id"])
    assert kinds(items) == EXPECTED
    doubles = [i for i in items if i["kind"] == "double_enrolment"]
    assert {d["school_id"] for d in doubles} == {
        str(world.schools["east"]),
        str(world.schools["west"]),
    }  # each school sees its side
    assert doubles[0]["detail"]["also_at"] in (["东镇中心小学"], ["西镇小学"])
    assert done["counts"] == {
        "not_enrolled": 2,
        "outside_unproven": 1,
        "identity_mismatch": 1,
        "double_enrolment": 2,
        "registered_absent": 2,
        "unknown_to_population": 2,
        "poverty_out_of_school": 1,
        "poverty_unknown": 1,
    }
    assert done["progress"] == 100
    assert done["new"] == 0
    assert done["gone"] == 0
    assert all(i["is_new"] for i in items)
    assert all("*" in (i["id_number"] or "*") for i in items)  # masked in the list
    stranger = next(i for i in items if i["name"] == "钱多多")
    assert stranger["student_number"].startswith("G510821")  # G and the ID number, masked
    assert "*" in stranger["student_number"]
    mismatch = next(i for i in items if i["kind"] == "identity_mismatch")
    assert mismatch["detail"]["population"]["name"] == "张小明"
    assert mismatch["match_reason"] == "id_number" or mismatch["match_reason"] is None
    # The homophone confirmed by the guardian is linked to the child, with score and reason.
    linked = (await session.exec(select(Enrolment).where(col(Enrolment.name) == "刘小东"))).one()
    assert linked.child_id == county["fuzzy"]
    assert linked.match_score == pytest.approx(0.85)
    assert linked.match_reason == "homophone+birth_date+guardian"
    unlinked = (await session.exec(select(Enrolment).where(col(Enrolment.name) == "黄小玲"))).one()
    assert unlinked.child_id is None
    # The neighbouring county is not this county's business.
    assert not [i for i in items if i["area_code"].startswith(w.NEIGHBOUR)]


async def test_filters_by_kind_area_and_school(
    client: httpx.AsyncClient, world: w.World, admin: dict[str, str], county: dict[str, Any]
) -> None:
    done = await run(client, admin, area_code=w.COUNTY)
    assert kinds(await found(client, admin, done["id"], kind="registered_absent")) == {
        ("registered_absent", "李小红"),
        ("registered_absent", "王小刚"),
    }
    west = kinds(await found(client, admin, done["id"], area=w.WEST))
    assert west == {
        ("not_enrolled", "黄晓玲"),
        ("poverty_unknown", "马小跳"),
        ("double_enrolment", "赵小丽"),
        ("unknown_to_population", "钱多多"),
        ("unknown_to_population", "黄小玲"),
    }
    at_east = await found(client, admin, done["id"], school=str(world.schools["east"]))
    assert {i["kind"] for i in at_east} == {
        "identity_mismatch",
        "double_enrolment",
        "registered_absent",
    }
    bad = await client.get(f"{RUNS}/{done['id']}/discrepancies?kind=nonsense", headers=admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"][-1] == "kind"


async def test_a_second_run_says_what_is_new_and_what_is_gone(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    county: dict[str, Any],
    settings: Settings,
) -> None:
    first = await run(client, admin, area_code=w.COUNTY)
    items = await found(client, admin, first["id"])
    outside = next(i for i in items if i["kind"] == "outside_unproven")
    explained = await client.post(
        f"{RUNS}/{first['id']}/discrepancies/{outside['id']}/resolution",
        json={"action": "explained", "note": "县外学校已电话核实"},
        headers=admin,
    )
    assert explained.status_code == 200, explained.text
    # 周小云 is registered after all; a new child turns up with no registration.
    session.add(
        registration(
            world, "east", name="周小云", child_id=county["missing"],
            birth_date=grade_birth(2, world, settings),
        )
    )  # fmt: skip
    await session.commit()
    await add_child(session, name="孙新来", area=w.DONG, born=grade_birth(4, world, settings))
    second = await run(client, admin, area_code=w.COUNTY)
    assert second["previous_id"] == first["id"]
    assert (second["new"], second["gone"]) == (1, 1)
    assert kinds(await found(client, admin, second["id"], change="new")) == {
        ("not_enrolled", "孙新来")
    }
    assert kinds(await found(client, admin, second["id"], change="gone")) == {
        ("not_enrolled", "周小云")
    }
    kept = next(
        i for i in await found(client, admin, second["id"]) if i["kind"] == "outside_unproven"
    )
    assert kept["resolution"] == "explained"
    assert kept["resolution_note"] == "县外学校已电话核实"
    assert not kept["is_new"]
    unresolved = await found(client, admin, second["id"], resolved="false")
    assert len(unresolved) == sum(second["counts"].values()) - 1


async def test_resolving_opens_a_case_once_and_refuses_what_does_not_fit(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    county: dict[str, Any],
) -> None:
    done = await run(client, admin, area_code=w.COUNTY)
    items = await found(client, admin, done["id"])
    missing = next(i for i in items if i["kind"] == "not_enrolled" and i["name"] == "周小云")
    path = f"{RUNS}/{done['id']}/discrepancies/{missing['id']}/resolution"
    opened = await client.post(
        path, json={"action": "open_case", "note": "比对发现"}, headers=admin
    )
    assert opened.status_code == 200, opened.text
    case = await session.get(Case, uuid.UUID(opened.json()["case_id"]))
    assert case is not None
    assert case.child_id == county["missing"]
    assert case.source is CaseSource.RECONCILIATION
    again = await client.post(path, json={"action": "corrected"}, headers=admin)
    assert again.status_code == 409
    unknown = next(i for i in items if i["kind"] == "unknown_to_population")
    refused = await client.post(
        f"{RUNS}/{done['id']}/discrepancies/{unknown['id']}/resolution",
        json={"action": "open_case"},
        headers=admin,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"][-1] == "action"
    no_note = await client.post(
        f"{RUNS}/{done['id']}/discrepancies/{unknown['id']}/resolution",
        json={"action": "explained", "note": "  "},
        headers=admin,
    )
    assert no_note.status_code == 422
    assert no_note.json()["errors"][0]["loc"][-1] == "note"
    row = await session.get(Discrepancy, uuid.UUID(unknown["id"]))
    assert row is not None
    assert row.resolution is None
    # A child whose case is open already gets that case, not a second one.
    absent = next(i for i in items if i["kind"] == "registered_absent" and i["name"] == "李小红")
    linked = await client.post(
        f"{RUNS}/{done['id']}/discrepancies/{absent['id']}/resolution",
        json={"action": "open_case"},
        headers=admin,
    )
    assert linked.status_code == 200, linked.text
    poverty = next(i for i in items if i["kind"] == "poverty_out_of_school")
    same = await client.post(
        f"{RUNS}/{done['id']}/discrepancies/{poverty['id']}/resolution",
        json={"action": "open_case"},
        headers=admin,
    )
    assert same.json()["case_id"] == linked.json()["case_id"]
    cases = (
        await session.exec(select(Case).where(col(Case.child_id) == world.children["dong_b"]))
    ).all()
    assert len(cases) == 1


async def test_each_reader_sees_their_own_part(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    county: dict[str, Any],
) -> None:
    done = await run(client, admin, area_code=w.COUNTY)
    west = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST)
    assert (await client.get(f"{RUNS}/{done['id']}", headers=west)).status_code == 200
    assert {i["area_code"][:9] for i in await found(client, west, done["id"])} == {w.WEST}
    # A township officer reads runs but does not start them.
    assert (await client.post(RUNS, json={"area_code": w.WEST}, headers=west)).status_code == 403
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    assert (await client.get(f"{RUNS}/{done['id']}", headers=cadre)).status_code == 403
    neighbour = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.NEIGHBOUR)
    assert (await client.get(f"{RUNS}/{done['id']}", headers=neighbour)).status_code == 404
    listed = await client.get(RUNS, headers=neighbour)
    assert listed.json()["total"] == 0
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="west")
    theirs = await found(client, principal, done["id"])
    assert {i["school_id"] for i in theirs} == {str(world.schools["west"])}


async def test_a_principal_reconciles_their_own_school(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    county: dict[str, Any],
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    done = await run(client, principal, school_id=str(world.schools["east"]))
    assert kinds(await found(client, principal, done["id"])) == {
        ("identity_mismatch", "张晓明"),
        ("double_enrolment", "赵小丽"),
        ("registered_absent", "李小红"),
        ("registered_absent", "王小刚"),
    }
    other = await client.post(
        RUNS, json={"school_id": str(world.schools["west"])}, headers=principal
    )
    assert other.status_code == 404
    area = await client.post(RUNS, json={"area_code": w.EAST}, headers=principal)
    assert area.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "area_code"),
        ({"area_code": w.COUNTY, "school_id": str(uuid.uuid4())}, "area_code"),
        ({"area_code": "12345"}, "area_code"),
        ({"area_code": w.COUNTY, "term": "2026-2027-3"}, "term"),
        ({"area_code": w.COUNTY, "term": "2026-2028-1"}, "term"),  # years that do not follow
    ],
)
async def test_bad_requests_name_the_field_and_store_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    body: dict[str, Any],
    field: str,
) -> None:
    answer = await client.post(RUNS, json=body, headers=admin)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["loc"][-1] == field
    assert (await session.exec(select(Reconciliation))).all() == []


async def test_an_unknown_area_or_school_is_not_found(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert (await client.post(RUNS, json={"area_code": "519909"}, headers=admin)).status_code == 404
    unknown_school = await client.post(RUNS, json={"school_id": str(uuid.uuid4())}, headers=admin)
    assert unknown_school.status_code == 404
    assert (await client.get(f"{RUNS}/{uuid.uuid4()}", headers=admin)).status_code == 404


async def test_a_failed_run_says_so_and_a_replayed_request_runs_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    county: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*_: object) -> list[discrepancy_finding.Found]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(discrepancy_finding, "poverty", broken)
    key = {"Idempotency-Key": "run-once-1", **admin}
    started = await client.post(RUNS, json={"area_code": w.COUNTY}, headers=key)
    assert started.status_code == 202
    failed = (await client.get(f"{RUNS}/{started.json()['id']}", headers=admin)).json()
    assert failed["status"] == "failed"
    assert "disk full" in failed["error"]
    replay = await client.post(RUNS, json={"area_code": w.COUNTY}, headers=key)
    assert replay.json()["id"] == started.json()["id"]
    assert len((await session.exec(select(Reconciliation))).all()) == 1
    assert (await session.exec(select(Discrepancy))).all() == []


async def test_runs_left_by_a_stopped_server_are_run_at_the_next_start(
    app: Any,
    session: AsyncSession,
    world: w.World,
    county: dict[str, Any],
    settings: Settings,
) -> None:
    admin = await world.login(session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    left = Reconciliation(
        term=world.term,
        area_code=w.COUNTY,
        status=ReconciliationStatus.RUNNING,
        progress=50,
        created_by_id=admin.user_id,
        created_by_username=admin.username,
        created_at=utcnow() - timedelta(minutes=5),
    )
    session.add(left)
    await session.commit()
    assert await reconciliations.resume(sessionmaker=app.state.sessionmaker, settings=settings) == 1
    await session.refresh(left)
    assert left.status is ReconciliationStatus.COMPLETED
    assert sum(left.counts.values()) == len(EXPECTED) + 1  # the double counts at each school


async def test_uploaded_rosters_are_reconciled_and_a_replaced_one_says_what_went(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    settings: Settings,
) -> None:
    """From the school's CSV export to the county's discrepancies, through the API only."""
    born = grade_birth(3, world, settings)
    fuzzy, _ = await add_child(
        session, name="刘晓东", area=w.XI, born=born, with_id=False, guardian="刘桂芳"
    )
    stranger = id_number.make(area_code="510821", birth_date=born, sequence=62)  # a girl
    xi_a = world.id_numbers["xi_a"]
    header = "学籍号,姓名,性别,出生日期,身份证号码,年级,班级,监护人姓名\n"
    known = f"G{xi_a},赵小丽,男,{born_of(xi_a)},{xi_a},3,三年级1班,\n"
    homophone = f"J{next(_sequence)},刘小东,女,{born},,3,三年级1班,刘桂芳\n"
    unknown = f"G{stranger},钱多多,女,{born},{stranger},3,三年级1班,\n"
    roster = f"/api/v1/schools/{world.schools['west']}/roster"

    async def upload(rows: str) -> None:
        sent = await client.post(
            roster,
            params={"term": world.term, "confirm_shrink": "true"},  # one of three struck
            files={"file": ("学籍.csv", (header + rows).encode("gbk"), "text/csv")},
            headers=admin,
        )
        assert sent.status_code == 201, sent.text
        assert sent.json()["rejected"] == 0, sent.json()["errors"]

    await upload(known + homophone + unknown)
    first = await run(client, admin, area_code=w.WEST)
    assert kinds(await found(client, admin, first["id"])) == {("unknown_to_population", "钱多多")}
    linked = (await session.exec(select(Enrolment).where(col(Enrolment.name) == "刘小东"))).one()
    assert linked.child_id == fuzzy
    assert linked.match_reason == "homophone+birth_date+guardian"
    await upload(known + homophone)  # the school struck the pupil it never had
    second = await run(client, admin, area_code=w.WEST)
    assert (second["new"], second["gone"]) == (0, 1)
    assert sum(second["counts"].values()) == 0
    assert kinds(await found(client, admin, second["id"], change="gone")) == {
        ("unknown_to_population", "钱多多")
    }


def born_of(number: str) -> date:
    return id_number.parse(number).birth_date


@pytest.fixture
async def homophone(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    settings: Settings,
) -> dict[str, Any]:
    """李欣航 on the west school's roster with no ID number and no guardian; 黎鑫航 in the
    population with the same birth date, living in the school's township; 李欣航 of another
    birth date in the east; 厉心航, already held by a registration of the term; 李新航 in the
    neighbouring county. A roster upload that links none of them."""
    born = grade_birth(3, world, settings)
    made: dict[str, Any] = {"born": born}
    made["li"], _ = await add_child(session, name="黎鑫航", area=w.XI, born=born, with_id=False)
    made["namesake"], _ = await add_child(
        session, name="李欣航", area=w.NAN, born=born.replace(day=20), with_id=False
    )
    made["held"], _ = await add_child(session, name="厉心航", area=w.XI, born=born, with_id=False)
    session.add(registration(world, "east", name="厉心航", child_id=made["held"], birth_date=born))
    await session.commit()
    made["stranger"], _ = await add_child(
        session, name="李新航", area=w.NEIGHBOUR_VILLAGE, born=born, with_id=False
    )
    number = f"J{next(_sequence)}"
    made["student_number"] = number
    header = "学籍号,姓名,性别,出生日期,身份证号码,年级,班级,监护人姓名\n"
    sent = await client.post(
        f"/api/v1/schools/{world.schools['west']}/roster",
        params={"term": world.term},
        files={
            "file": (
                "学籍.csv",
                (header + f"{number},李欣航,女,{born},,3,三年级1班,\n").encode("gbk"),
                "text/csv",
            )
        },
        headers=admin,
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["rejected"] == 0, sent.json()["errors"]
    return made


async def _unknown(client: httpx.AsyncClient, admin: dict[str, str], run_id: str) -> dict[str, Any]:
    items = await found(client, admin, run_id, kind="unknown_to_population")
    return next(i for i in items if i["name"] == "李欣航")


async def test_a_homophone_without_a_guardian_is_offered_and_linked_by_a_person(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    homophone: dict[str, Any],
) -> None:
    def on_roster() -> Any:
        return select(Enrolment).where(
            col(Enrolment.name) == "李欣航", col(Enrolment.school_id) == world.schools["west"]
        )

    # Never linked silently: neither the import nor the run links a homophone unconfirmed.
    assert (await session.exec(on_roster())).one().child_id is None
    done = await run(client, admin, area_code=w.COUNTY)
    session.expire_all()
    assert (await session.exec(on_roster())).one().child_id is None
    unknown = await _unknown(client, admin, done["id"])
    assert unknown["child_id"] is None
    path = f"{RUNS}/{done['id']}/discrepancies/{unknown['id']}"
    offered = await client.get(f"{path}/candidates", headers=admin)
    assert offered.status_code == 200, offered.text
    assert [(c["name"], c["score"], c["reason"]) for c in offered.json()] == [
        ("黎鑫航", 0.65, "homophone+birth_date+near_school"),
        ("李欣航", 0.45, "name+birth_date_differs"),
    ]  # not 厉心航 (held this term), not 李新航 (another county's child)
    best = offered.json()[0]
    assert best["child_id"] == str(homophone["li"])
    assert best["birth_date"] == homophone["born"].isoformat()
    assert best["near_school"] is True
    assert best["area_code"] == w.XI
    top = await client.get(f"{path}/candidates", params={"limit": 1}, headers=admin)
    assert [c["name"] for c in top.json()] == ["黎鑫航"]
    # A person links the one they judge right; the registration and the discrepancy say so.
    linked = await client.post(
        f"{path}/resolution",
        json={"action": "link", "child_id": best["child_id"], "note": "班主任核实为同一人"},
        headers=admin,
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["resolution"] == "link"
    assert linked.json()["child_id"] == str(homophone["li"])
    shown = await _unknown(client, admin, done["id"])
    assert (shown["resolution"], shown["child_id"]) == ("link", str(homophone["li"]))
    assert shown["resolution_note"] == "班主任核实为同一人"
    session.expire_all()
    registration_ = (await session.exec(on_roster())).one()
    assert registration_.child_id == homophone["li"]
    assert registration_.match_score == pytest.approx(0.65)
    assert registration_.match_reason == "homophone+birth_date+near_school+confirmed"
    # Audited: the registration and the discrepancy, each by the person who linked them.
    events = (
        await session.exec(
            select(AuditEvent).where(
                col(AuditEvent.object_id).in_([str(registration_.id), unknown["id"]]),
                col(AuditEvent.action) == AuditAction.UPDATE,
            )
        )
    ).all()
    assert {e.object_type for e in events} == {"enrolment", "discrepancy"}
    enrolment_event = next(e for e in events if e.object_type == "enrolment")
    assert enrolment_event.changes is not None
    assert enrolment_event.changes["child_id"] == {"before": None, "after": str(homophone["li"])}
    # Settled: a second link is refused, and the next run no longer finds the registration.
    again = await client.post(
        f"{path}/resolution", json={"action": "link", "child_id": best["child_id"]}, headers=admin
    )
    assert again.status_code == 409
    later = await run(client, admin, area_code=w.COUNTY)
    kinds_later = kinds(await found(client, admin, later["id"]))
    assert ("unknown_to_population", "李欣航") not in kinds_later


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "link"}, "child_id"),  # nobody chosen
        ({"action": "link", "child_id": "not-a-uuid"}, "child_id"),
        ({"action": "link", "child_id": "unknown"}, "child_id"),  # no such child
        ({"action": "link", "child_id": "held"}, "child_id"),  # registered elsewhere this term
        ({"action": "link", "child_id": "stranger"}, "child_id"),  # another county's child
        ({"action": "explained", "note": "核实", "child_id": "li"}, "child_id"),
        ({"action": "lnk", "child_id": "li"}, "action"),
    ],
)
async def test_a_link_refused_names_the_field_and_links_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    homophone: dict[str, Any],
    body: dict[str, Any],
    field: str,
) -> None:
    done = await run(client, admin, area_code=w.COUNTY)
    unknown = await _unknown(client, admin, done["id"])
    chosen = body.get("child_id")
    if chosen in homophone:
        body = {**body, "child_id": str(homophone[chosen])}
    elif chosen == "unknown":
        body = {**body, "child_id": str(uuid.uuid4())}
    answer = await client.post(
        f"{RUNS}/{done['id']}/discrepancies/{unknown['id']}/resolution", json=body, headers=admin
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["loc"][-1] == field
    session.expire_all()
    row = await session.get(Discrepancy, uuid.UUID(unknown["id"]))
    assert row is not None
    assert (row.resolution, row.child_id) == (None, None)
    linked = (await session.exec(select(Enrolment).where(col(Enrolment.name) == "李欣航"))).one()
    assert linked.child_id is None


async def test_candidates_are_for_an_unknown_registration_in_the_callers_part(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    admin: dict[str, str],
    county: dict[str, Any],
    homophone: dict[str, Any],
) -> None:
    done = await run(client, admin, area_code=w.COUNTY)
    items = await found(client, admin, done["id"])
    unknown = await _unknown(client, admin, done["id"])
    path = f"{RUNS}/{done['id']}/discrepancies"
    # Another kind has no candidates (409), nor a link (422 on the action).
    missing = next(i for i in items if i["kind"] == "not_enrolled")
    other = await client.get(f"{path}/{missing['id']}/candidates", headers=admin)
    assert other.status_code == 409, other.text
    assert other.json()["kind"] == "not_enrolled"
    refused = await client.post(
        f"{path}/{missing['id']}/resolution",
        json={"action": "link", "child_id": str(homophone["li"])},
        headers=admin,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"][-1] == "action"
    # Outside the caller's part it is not found; a bad limit names the field.
    east = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    assert (await client.get(f"{path}/{unknown['id']}/candidates", headers=east)).status_code == 404
    assert (await client.get(f"{path}/{uuid.uuid4()}/candidates", headers=admin)).status_code == 404
    bad = await client.get(f"{path}/{unknown['id']}/candidates?limit=0", headers=admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"][-1] == "limit"
    # The west township's officer is offered the children living in the township only.
    west = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST)
    theirs = await client.get(f"{path}/{unknown['id']}/candidates", headers=west)
    assert theirs.status_code == 200, theirs.text
    assert [c["name"] for c in theirs.json()] == ["黎鑫航"]
