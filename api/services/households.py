"""Households (户): finding them within one's scope, and reading one with its members."""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, Guardian, Household
from api.models.vocabulary import AuditAction
from api.schemas.households import HouseholdDetail, HouseholdGuardian, HouseholdListItem
from api.services import audit, children, masking, permissions, scoping, text_search
from api.services.actors import Actor
from api.services.permissions import Action, Resource
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
    today: date | None = None,
) -> HouseholdDetail:
    permissions.require(actor, Resource.HOUSEHOLD, Action.READ)
    household = await scoping.one(
        session=session,
        model=Household,
        object_id=household_id,
        visible=scoping.households(actor, settings=settings, today=today),
    )
    full = permissions.allowed(actor, Resource.HOUSEHOLD, Action.READ_PERSONAL)
    shown = masking.Disclosure(full=full)
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
            "children": [children.list_item(child) for child in members],
            "guardians": [
                HouseholdGuardian.model_validate({**g.model_dump(), "phone": shown.phone(g.phone)})
                for g in guardians
            ],
        }
    )
    if full:
        audit.record(
            session=session,
            action=AuditAction.READ_PERSONAL,
            actor=actor,
            object_type="household",
            object_id=household.id,
        )
        await session.commit()
    return detail
