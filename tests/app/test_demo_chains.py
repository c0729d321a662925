"""The demo county's responsibility chains: most children covered on both lines, some gaps."""

import uuid
from datetime import date

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.demo import chains, generator, loader
from api.models import Assignment, Child, User
from api.models.vocabulary import AreaLevel, SchoolingStatus, UserRole
from api.services.core.actors import Actor
from api.services.responsibility import responsibility
from api.settings import Settings
from tests.factories import Login, bearer, token_for


def test_the_staff_are_the_same_for_the_same_county_and_day() -> None:
    first = generator.generate(scale="small", seed=5, reference_date=date(2026, 11, 23))
    again = generator.generate(scale="small", seed=5, reference_date=date(2026, 11, 23))
    assert chains.people(first) == chains.people(again)


async def test_the_demo_county_has_mostly_full_chains_and_gaps_for_the_report(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    data = generator.generate(scale="small", seed=2026, reference_date=date.today())
    await loader.load(session=session, data=data)
    county = await session.exec(select(User).where(col(User.username) == "demo.county"))
    admin = county.one()
    login = Login(username="demo.county", password=loader.DEMO_PASSWORD, user_id=admin.id)
    headers = bearer((await token_for(client, login))["access_token"])

    report = (await client.get("/api/v1/responsibility/gaps", headers=headers)).json()
    areas = data.rows["area"]
    last_village = [a for a in areas if a["level"] is AreaLevel.VILLAGE][-1]
    last_group = [a for a in areas if a["level"] is AreaLevel.GROUP][-1]
    assert last_village["code"] in {v["code"] for v in report["villages"]}
    assert last_group["code"] in {g["code"] for g in report["groups"]}
    assert data.rows["school"][-1]["name"] in {s["name"] for s in report["schools"]}
    assert str(data.rows["school_class"][-1]["id"]) in {str(c["id"]) for c in report["classes"]}
    counts = report["counts"]
    assert counts["children_without_government"] >= 1
    assert counts["children_without_school"] >= 1
    # The demo accounts' own units are covered: by them.
    units = chains.demo_units(data)
    assert units.village["code"] not in {v["code"] for v in report["villages"]}
    assert str(units.school_class["id"]) not in {str(c["id"]) for c in report["classes"]}

    # Most children have a full chain on both lines.
    actor = Actor(
        user_id=admin.id,
        username=admin.username,
        role=UserRole.COUNTY_ADMIN,
        area_codes=(data.county_code,),
    )
    watched = (
        await session.exec(
            select(Child.id).where(
                col(Child.schooling_status).in_(
                    [SchoolingStatus.ENROLLED_IN_COUNTY, SchoolingStatus.DROPPED_OUT]
                )
            )
        )
    ).all()
    full = 0
    for child_id in watched:
        chain = await responsibility.chain(
            session=session, actor=actor, settings=settings, child_id=uuid.UUID(str(child_id))
        )
        full += chain.gaps == 0
    assert full > 0.6 * len(watched), (full, len(watched))
    assert full < len(watched)
    held = (await session.exec(select(Assignment))).all()
    assert {a.kind.value for a in held} == {"village", "group", "school", "class"}
