"""Households (户): finding them within one's scope, and reading one with its members."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, Guardian, Household
from api.models.vocabulary import AreaLevel
from api.schemas.households import (
    HouseholdCreate,
    HouseholdDetail,
    HouseholdGuardian,
    HouseholdListItem,
    HouseholdUpdate,
)
from api.services.access import masking, permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit, records, school_age, text_search
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, Fault, InvalidInput
from api.services.registry import area_rules, children
from api.settings import Settings


@dataclass(frozen=True)
class HouseholdFilter:
    area: str | None = None
    q: str | None = None  # the head's name or part of the address
    poverty_registered: bool | None = None


def _conditions(
    actor: Actor, settings: Settings, filters: HouseholdFilter, today: date | None
) -> list[ColumnElement[bool]]:
    conditions = [
        scoping.households(actor, settings=settings, today=today),
        col(Household.removed_at).is_(None),
    ]
    if filters.area:
        conditions.append(scoping.in_area(Household.area_code, filters.area))
    if filters.poverty_registered is not None:
        conditions.append(col(Household.is_poverty_registered) == filters.poverty_registered)
    if filters.q and filters.q.strip():
        q = filters.q.strip()
        conditions.append(
            or_(
                text_search.contains(Household.head_name, q),
                text_search.contains(Household.address, q),
            )
        )
    return conditions


def _list_item(household: Household, shown: masking.Disclosure) -> HouseholdListItem:
    return HouseholdListItem.model_validate(
        {**household.model_dump(), "phone": shown.phone(household.phone)}
    )


async def search(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    filters: HouseholdFilter,
    limit: int,
    offset: int,
    today: date | None = None,
) -> tuple[list[HouseholdListItem], int]:
    permissions.require(actor, Resource.HOUSEHOLD, Action.READ)
    conditions = _conditions(actor, settings, filters, today)
    total = (
        await session.exec(select(func.count()).select_from(Household).where(*conditions))
    ).one()
    rows = await session.exec(
        select(Household)
        .where(*conditions)
        .order_by(col(Household.area_code), col(Household.address), col(Household.id))
        .limit(limit)
        .offset(offset)
    )
    return [_list_item(h, masking.MASKED) for h in rows.all()], total


async def get(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    household_id: uuid.UUID,
) -> HouseholdDetail:
    permissions.require(actor, Resource.HOUSEHOLD, Action.READ)
    household = await _visible_household(
        session=session, actor=actor, settings=settings, household_id=household_id
    )
    full = permissions.allowed(actor, Resource.HOUSEHOLD, Action.READ_PERSONAL)
    detail = await _detail(
        session=session, actor=actor, settings=settings, household=household, full=full
    )
    if full:
        await audit.read_in_full(
            session=session, actor=actor, object_type="household", object_id=household.id
        )
    return detail


async def _visible_household(
    *, session: AsyncSession, actor: Actor, settings: Settings, household_id: uuid.UUID
) -> Household:
    return await scoping.one(
        session=session,
        model=Household,
        object_id=household_id,
        visible=scoping.households(actor, settings=settings),
    )


async def _detail(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    household: Household,
    full: bool,
) -> HouseholdDetail:
    shown = masking.Disclosure(full=full)
    today = school_age.local_today(settings)
    # A teacher reaches a household through one pupil; the siblings are shown only as far as
    # the teacher's own scope reaches.
    members = (
        await session.exec(
            select(Child)
            .where(
                col(Child.household_id) == household.id,
                col(Child.removed_at).is_(None),
                scoping.children(actor, settings=settings, today=today),
            )
            .order_by(col(Child.birth_date))
        )
    ).all()
    guardians = (
        await session.exec(
            select(Guardian)
            .where(col(Guardian.household_id) == household.id, col(Guardian.removed_at).is_(None))
            .order_by(col(Guardian.name))
        )
    ).all()
    detail = HouseholdDetail.model_validate(
        {
            **_list_item(household, shown).model_dump(),
            "masked": not full,
            "note": household.note,
            "version": household.version,
            "created_at": household.created_at,
            "updated_at": household.updated_at,
            "children": [children.list_item(c, settings=settings, today=today) for c in members],
            "guardians": [
                HouseholdGuardian.model_validate({**g.model_dump(), "phone": shown.phone(g.phone)})
                for g in guardians
            ],
        }
    )
    return detail


_LIVING_LEVELS = {AreaLevel.VILLAGE, AreaLevel.GROUP}
_REQUIRED = {"area_code", "address", "head_name", "is_poverty_registered", "is_minimum_living"}


async def area_faults(*, session: AsyncSession, actor: Actor, code: str) -> list[Fault]:
    return await area_rules.placement_faults(
        session=session,
        actor=actor,
        code=code,
        levels=_LIVING_LEVELS,
        wrong_level="户应登记在村或村民小组 (a household belongs to a village or group)",
    )


async def create(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    data: HouseholdCreate,
) -> HouseholdDetail:
    permissions.require(actor, Resource.HOUSEHOLD, Action.WRITE)
    if faults := await area_faults(session=session, actor=actor, code=data.area_code):
        raise InvalidInput.of(faults)
    if data.id is not None and await session.get(Household, data.id) is not None:
        raise Conflict(
            "这一户已存在 (a household with this id exists)", existing_household_id=str(data.id)
        )
    fields: dict[str, Any] = data.model_dump(exclude={"id"})
    if data.id is not None:
        fields["id"] = data.id
    household = Household(**fields)
    session.add(household)
    audit.created(session=session, actor=actor, new=household)
    await session.commit()
    return await _detail(
        session=session, actor=actor, settings=settings, household=household, full=True
    )


async def update(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    household_id: uuid.UUID,
    data: HouseholdUpdate,
    expected_version: int | None,
) -> HouseholdDetail:
    permissions.require(actor, Resource.HOUSEHOLD, Action.WRITE)
    household = await _visible_household(
        session=session, actor=actor, settings=settings, household_id=household_id
    )
    records.check_version(household, expected_version)
    changes = data.model_dump(exclude_unset=True)
    faults = records.blanked(changes, _REQUIRED)
    if changes.get("area_code") not in (None, household.area_code):
        faults += await area_faults(session=session, actor=actor, code=changes["area_code"])
    if faults:
        raise InvalidInput.of(faults)
    if changes.get("area_code") is not None:  # its children live where it lives, same commit
        await session.exec(
            sa.update(Child)
            .where(col(Child.household_id) == household.id)
            .values(area_code=changes["area_code"])
        )
    await records.update_versioned(
        session=session,
        actor=actor,
        record=household,
        changes=changes,
        expected_version=expected_version,
    )
    return await _detail(
        session=session, actor=actor, settings=settings, household=household, full=True
    )


async def remove(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    household_id: uuid.UUID,
    reason: str,
    expected_version: int | None,
) -> None:
    permissions.require(actor, Resource.HOUSEHOLD, Action.WRITE)
    household = await _visible_household(
        session=session, actor=actor, settings=settings, household_id=household_id
    )
    members = (
        await session.exec(
            select(func.count()).where(
                col(Child.household_id) == household.id, col(Child.removed_at).is_(None)
            )
        )
    ).one()
    if members:
        raise Conflict(
            "这一户还有儿童，请先迁出或移除 (move or remove its children first)", children=members
        )
    await records.soft_remove(
        session=session,
        actor=actor,
        record=household,
        reason=reason,
        expected_version=expected_version,
    )
