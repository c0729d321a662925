"""Finding children within one's scope: the search box, the filters, a stable order, a page."""

import re
import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, Enrolment, Household
from api.models.vocabulary import LeftBehind, SchoolingStatus
from api.schemas.children import ChildListItem
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import school_age, text_search
from api.services.core.actors import Actor
from api.services.registry.children import list_item
from api.settings import Settings

_ID_NUMBER_LIKE = re.compile(r"\d{3,17}[\dXx]?")
_LATIN = re.compile(r"[A-Za-z]+")


class ChildSort(StrEnum):
    AREA = "area"  # by area, then name: how a village's list is read out
    NAME = "name"
    BIRTH_DATE = "birth_date"
    BIRTH_DATE_DESC = "-birth_date"
    STATUS_CHANGED = "status_changed_at"
    STATUS_CHANGED_DESC = "-status_changed_at"


_ORDER: dict[ChildSort, tuple[Any, ...]] = {
    ChildSort.AREA: (col(Child.area_code), col(Child.name_pinyin)),
    ChildSort.NAME: (col(Child.name_pinyin),),
    ChildSort.BIRTH_DATE: (col(Child.birth_date),),
    ChildSort.BIRTH_DATE_DESC: (col(Child.birth_date).desc(),),
    ChildSort.STATUS_CHANGED: (col(Child.status_changed_at),),
    ChildSort.STATUS_CHANGED_DESC: (col(Child.status_changed_at).desc(),),
}


@dataclass(frozen=True)
class ChildFilter:
    area: str | None = None
    school_id: uuid.UUID | None = None
    grade: int | None = None  # the grade enrolled in, this school year
    statuses: tuple[SchoolingStatus, ...] = ()
    q: str | None = None
    compulsory_age: bool | None = None
    left_behind: LeftBehind | None = None
    has_disability: bool | None = None
    is_orphan: bool | None = None
    is_unattended: bool | None = None
    is_in_hardship: bool | None = None
    is_migrant: bool | None = None
    poverty_registered: bool | None = None


def matching(q: str) -> ColumnElement[bool]:
    """A search box: an ID number (whole, or some of its digits), pinyin initials or spelling
    ("zs", "zhangsan"), or part of a name in characters.

    The matches are found first, as a list of ids from the name's (or number's) own index, and
    only then checked against scope and filters: otherwise the database walks the whole
    scope's area index testing each child against the search."""
    q = q.strip()
    if _ID_NUMBER_LIKE.fullmatch(q):
        if len(q) in (15, 18):
            return col(Child.id_number) == q.upper()
        return _ids(text_search.contains(Child.id_number, q.upper()))
    if _LATIN.fullmatch(q):
        latin = q.lower()
        by_initials = select(Child.id).where(text_search.starts_with(Child.name_initials, latin))
        by_spelling = select(Child.id).where(text_search.starts_with(Child.name_pinyin, latin))
        return col(Child.id).in_(by_initials.union_all(by_spelling))
    return _ids(text_search.contains(Child.name, q))


def _ids(where: ColumnElement[bool]) -> ColumnElement[bool]:
    return col(Child.id).in_(select(Child.id).where(where))


def _enrolled(filters: ChildFilter, settings: Settings, today: date) -> ColumnElement[bool] | None:
    if filters.school_id is None and filters.grade is None:
        return None
    pupils = select(Enrolment.child_id).where(
        col(Enrolment.term) >= f"{school_age.school_year_of(today, settings)}-"
        if filters.grade is not None
        else col(Enrolment.term) >= scoping.recent_terms_floor(settings, today)
    )
    if filters.school_id is not None:
        pupils = pupils.where(col(Enrolment.school_id) == filters.school_id)
    if filters.grade is not None:
        pupils = pupils.where(col(Enrolment.grade) == filters.grade)
    return col(Child.id).in_(pupils)


def _compulsory(settings: Settings, today: date) -> ColumnElement[bool]:
    year = school_age.school_year_of(today, settings)
    return col(Child.birth_date).between(*school_age.births_of_school_year(year, settings))


def _flags(filters: ChildFilter) -> list[ColumnElement[bool]]:
    conditions = []
    for name in ("is_orphan", "is_unattended", "is_in_hardship", "is_migrant"):
        if (wanted := getattr(filters, name)) is not None:
            conditions.append(col(getattr(Child, name)) == wanted)
    if filters.left_behind is not None:
        conditions.append(col(Child.left_behind) == int(filters.left_behind))
    if filters.has_disability is not None:
        has = col(Child.disability_kind).is_not(None)
        conditions.append(has if filters.has_disability else ~has)
    if filters.poverty_registered is not None:
        poor = select(Household.id).where(col(Household.is_poverty_registered).is_(True))
        in_poor = col(Child.household_id).in_(poor)
        conditions.append(in_poor if filters.poverty_registered else ~in_poor)
    return conditions


def conditions(
    actor: Actor, settings: Settings, filters: ChildFilter, today: date
) -> list[ColumnElement[bool]]:
    where = [
        scoping.children(actor, settings=settings, today=today, within=filters.area),
        col(Child.removed_at).is_(None),
        *_flags(filters),
    ]
    if filters.area:
        where.append(scoping.in_area(Child.area_code, filters.area))
    if (enrolled := _enrolled(filters, settings, today)) is not None:
        where.append(enrolled)
    if filters.statuses:
        where.append(col(Child.schooling_status).in_(filters.statuses))
    if filters.compulsory_age is not None:
        of_age = _compulsory(settings, today)
        where.append(of_age if filters.compulsory_age else ~of_age)
    if filters.q and filters.q.strip():
        where.append(matching(filters.q))
    return where


async def search(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    filters: ChildFilter,
    sort: ChildSort = ChildSort.AREA,
    limit: int,
    offset: int,
    today: date | None = None,
) -> tuple[list[ChildListItem], int]:
    permissions.require(actor, Resource.CHILD, Action.READ)
    today = today or school_age.local_today(settings)
    where = conditions(actor, settings, filters, today)
    order = (*_ORDER[sort], col(Child.id))  # the id makes pages stable under ties
    # The page's ids first, then their rows: the rows skipped to reach a deep page are then
    # read from the index alone, not fetched from the table one by one only to be dropped.
    page = select(Child.id).where(*where).order_by(*order).limit(limit).offset(offset).subquery()
    rows = (
        await session.exec(select(Child).join(page, col(Child.id) == page.c.id).order_by(*order))
    ).all()
    if 0 < len(rows) < limit or (offset == 0 and not rows):
        total = offset + len(rows)  # the last page: the count is known without counting
    else:
        total = (await session.exec(select(func.count()).select_from(Child).where(*where))).one()
    return [list_item(c, settings=settings, today=today) for c in rows], total
