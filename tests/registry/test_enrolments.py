"""Registrations per term: student numbers, classes, transfers keeping history, double schools."""

from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Enrolment
from api.models.vocabulary import EnrolmentStatus, UserRole
from tests import world as w


def enrolment(world: w.World, **overrides: Any) -> dict[str, Any]:
    return {
        "child_id": str(world.children["xi_a"]),
        "school_id": str(world.schools["east"]),
        "class_id": str(world.classes["east-3-2"]),
        "grade": 3,
        "student_number": "G" + world.id_numbers["xi_a"],
        **overrides,
    }


async def test_a_second_school_in_one_term_is_registered_but_flagged(
    client: httpx.AsyncClient, world: w.World, admin: dict[str, str]
) -> None:
    created = await client.post("/api/v1/enrolments", json=enrolment(world), headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["term"] == world.term
    assert body["name"] == "赵小丽"  # the registration keeps its own copy
    assert body["also_enrolled_at"] == [str(world.schools["west"])]
    doubles = (await client.get("/api/v1/enrolments/doubles", headers=admin)).json()
    assert [d["child_id"] for d in doubles] == [str(world.children["xi_a"])]
    assert set(doubles[0]["school_ids"]) == {str(world.schools["east"]), str(world.schools["west"])}
    again = await client.post("/api/v1/enrolments", json=enrolment(world), headers=admin)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"student_number": "G510821201703011234"}, "student_number"),  # not a valid ID number
        ({"student_number": "X123"}, "student_number"),
        ({"class_id": None, "grade": 9}, "grade"),  # a primary school
        ({"class_id": "00000000-0000-4000-8000-000000000001"}, "class_id"),
        ({"grade": 4}, "class_id"),  # the class is a grade-3 class
        ({"term": "2026-2027-3"}, "term"),
        ({"school_id": "00000000-0000-4000-8000-000000000002"}, "school_id"),
        ({"child_id": "00000000-0000-4000-8000-000000000003"}, "child_id"),
    ],
)
async def test_bad_registrations_name_the_field(
    client: httpx.AsyncClient,
    world: w.World,
    admin: dict[str, str],
    overrides: dict[str, Any],
    field: str,
) -> None:
    response = await client.post(
        "/api/v1/enrolments", json=enrolment(world, **overrides), headers=admin
    )
    assert response.status_code == 422, response.text
    assert field in [e["loc"][1] for e in response.json()["errors"]]


async def test_a_student_number_must_carry_the_childs_own_id_number(
    client: httpx.AsyncClient, world: w.World, admin: dict[str, str]
) -> None:
    body = enrolment(world, student_number="G" + world.id_numbers["dong_a"])
    response = await client.post("/api/v1/enrolments", json=body, headers=admin)
    assert response.status_code == 422
    temporary = await client.post(
        "/api/v1/enrolments", json=enrolment(world, student_number="L2026000123"), headers=admin
    )
    assert temporary.status_code == 201


async def test_a_transfer_moves_the_registration_and_keeps_the_old_one(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="west")
    url = f"/api/v1/children/{world.children['xi_a']}/transfers"
    moved = await client.post(
        url,
        json={
            "to_school_id": str(world.schools["east"]),
            "to_class_id": str(world.classes["east-3-1"]),
            "evidence": "转学申请表（家长签字）",
        },
        headers=principal,
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["school_id"] == str(world.schools["east"])
    assert moved.json()["student_number"] == "G" + world.id_numbers["xi_a"]  # follows the child
    rows = (
        await session.exec(
            select(Enrolment).where(col(Enrolment.child_id) == world.children["xi_a"])
        )
    ).all()
    assert sorted((r.status, r.school_id) for r in rows) == sorted(
        [
            (EnrolmentStatus.ENROLLED, world.schools["east"]),
            (EnrolmentStatus.TRANSFERRED_OUT, world.schools["west"]),
        ]
    )
    doubles = await client.get("/api/v1/enrolments/doubles", headers=principal)
    assert doubles.json() == []
    twice = await client.post(
        url,
        json={"to_school_id": str(world.schools["east"]), "evidence": "再转"},
        headers=principal,
    )
    assert twice.status_code == 422  # already there
    assert twice.json()["errors"][0]["loc"] == ["body", "to_school_id"]
    onward = await client.post(
        url, json={"to_school_id": str(world.schools["neighbour"]), "evidence": "再转"},
        headers=principal,
    )  # fmt: skip
    assert onward.status_code == 403  # neither school is the sending principal's any more
    east = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    listed = await client.get(
        "/api/v1/enrolments", params={"school": str(world.schools["east"])}, headers=east
    )
    assert "赵小丽" in [e["name"] for e in listed.json()["items"]]
    # A G student number is G and the ID number: a list masks it as it masks the number.
    numbers = [e["student_number"] for e in listed.json()["items"]]
    whole = world.id_numbers["xi_a"]
    assert "G" + whole not in numbers
    assert f"G{whole[:6]}********{whole[-4:]}" in numbers


async def test_only_the_roster_keepers_register(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    teacher = await world.headers(client, session, UserRole.TEACHER, klass="east-3-1")
    response = await client.post("/api/v1/enrolments", json=enrolment(world), headers=teacher)
    assert response.status_code == 403
