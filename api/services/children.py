"""Children (适龄儿童少年): finding them within one's scope, and reading one whole."""

import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, Enrolment, Guardian, Guardianship, Household, School, SchoolClass
from api.models.vocabulary import AuditAction, SchoolingStatus
from api.schemas.children import (
    ChildDetail,
    ChildListItem,
    EnrolmentBrief,
    GuardianOut,
    HouseholdBrief,
)
from api.services import audit, masking, permissions, scoping, text_search
from api.services.actors import Actor
from api.services.permissions import Action, Resource
from api.settings import Settings

_ID_NUMBER_LIKE = re.compile(r"\d{3,17}[\dXx]?")
_LATIN = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class ChildFilter:
    area: str | None = None
    school_id: uuid.UUID | None = None
    statuses: tuple[SchoolingStatus, ...] = ()
    q: str | None = None


def matching(q: str) -> ColumnElement[bool]:
    """A search box: an ID number (whole, or some of its digits), pinyin initials or spelling
    ("zs", "zhangsan"), or part of a name in characters."""
    q = q.strip()
    if _ID_NUMBER_LIKE.fullmatch(q):
        if len(q) in (15, 18):
            return col(Child.id_number) == q.upper()
        return text_search.contains(Child.id_number, q.upper())
    if _LATIN.fullmatch(q):
        return or_(
            text_search.starts_with(Child.name_initials, q.lower()),
            text_search.starts_with(Child.name_pinyin, q.lower()),
        )
    return text_search.contains(Child.name, q)


def _conditions(
    actor: Actor, settings: Settings, filters: ChildFilter, today: date | None
) -> list[ColumnElement[bool]]:
    conditions = [
        scoping.children(actor, settings=settings, today=today),
        col(Child.removed_at).is_(None),
    ]
    if filters.area:
        conditions.append(scoping.in_area(Child.area_code, filters.area))
    if filters.school_id:
        at_school = select(Enrolment.child_id).where(
            col(Enrolment.school_id) == filters.school_id,
            col(Enrolment.term) >= scoping.recent_terms_floor(settings, today),
        )
        conditions.append(col(Child.id).in_(at_school))
    if filters.statuses:
        conditions.append(col(Child.schooling_status).in_(filters.statuses))
    if filters.q and filters.q.strip():
        conditions.append(matching(filters.q))
    return conditions


def list_item(child: Child) -> ChildListItem:
    return ChildListItem.model_validate(
        {
            **child.model_dump(),
            "id_number": masking.id_number(child.id_number),
            "has_disability": child.disability_kind is not None,
        }
    )


async def search(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    filters: ChildFilter,
    limit: int,
    offset: int,
    today: date | None = None,
) -> tuple[list[ChildListItem], int]:
    permissions.require(actor, Resource.CHILD, Action.READ)
    conditions = _conditions(actor, settings, filters, today)
    total = (await session.exec(select(func.count()).select_from(Child).where(*conditions))).one()
    rows = await session.exec(
        select(Child)
        .where(*conditions)
        .order_by(col(Child.area_code), col(Child.name_pinyin), col(Child.id))
        .limit(limit)
        .offset(offset)
    )
    return [list_item(child) for child in rows.all()], total


async def get(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    child_id: uuid.UUID,
    today: date | None = None,
) -> ChildDetail:
    """One child whole; identifiers in full only for a role that needs them, and that read is
    written to the audit log."""
    permissions.require(actor, Resource.CHILD, Action.READ)
    child = await scoping.one(
        session=session,
        model=Child,
        object_id=child_id,
        visible=scoping.children(actor, settings=settings, today=today),
    )
    full = permissions.allowed(actor, Resource.CHILD, Action.READ_PERSONAL)
    shown = masking.Disclosure(full=full)
    household = await session.get(Household, child.household_id)
    assert household is not None  # a foreign key
    guardians = (
        await session.exec(
            select(Guardian, Guardianship)
            .join(Guardianship, col(Guardianship.guardian_id) == col(Guardian.id))
            .where(col(Guardianship.child_id) == child.id, col(Guardian.removed_at).is_(None))
            .order_by(col(Guardianship.is_primary).desc(), col(Guardian.name))
        )
    ).all()
    enrolments = (
        await session.exec(
            select(Enrolment, School.name, SchoolClass.name)
            .join(School, col(School.id) == col(Enrolment.school_id))
            .outerjoin(SchoolClass, col(SchoolClass.id) == col(Enrolment.class_id))
            .where(col(Enrolment.child_id) == child.id)
            .order_by(col(Enrolment.term).desc())
        )
    ).all()
    detail = ChildDetail.model_validate(
        {
            **list_item(child).model_dump(),
            "id_number": shown.id_number(child.id_number),
            "masked": not full,
            "registered_address": child.registered_address,
            "disability_kind": child.disability_kind,
            "disability_grade": child.disability_grade,
            "placement": child.placement,
            "is_in_legal_case": child.is_in_legal_case,
            "version": child.version,
            "created_at": child.created_at,
            "updated_at": child.updated_at,
            "household": HouseholdBrief.model_validate(
                {**household.model_dump(), "phone": shown.phone(household.phone)}
            ),
            "guardians": [
                GuardianOut.model_validate(
                    {
                        **g.model_dump(),
                        **link.model_dump(),
                        "id": g.id,
                        "phone": shown.phone(g.phone),
                    }
                )
                for g, link in guardians
            ],
            "enrolments": [
                EnrolmentBrief.model_validate(
                    {**e.model_dump(), "school_name": school_name, "class_name": class_name}
                )
                for e, school_name, class_name in enrolments
            ],
        }
    )
    if full:
        audit.record(
            session=session,
            action=AuditAction.READ_PERSONAL,
            actor=actor,
            object_type="child",
            object_id=child.id,
        )
        await session.commit()
    return detail
