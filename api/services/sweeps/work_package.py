"""A cadre's work package (入户包): the households and children of the groups they cover,
with each child's last known schooling, for the phone to carry where there is no signal.

A package's version is the time it was read and a fingerprint of what it covers. Given the
version a phone holds, only the households changed since are sent (a change to the household,
a child, a guardian, a registration, a case or a visit), each whole, with the list of those now
in the package, so that the phone's copy ends equal to the server's. A change stamped just
before a read but committed just after it is caught by looking MARGIN further back; a version
older than FULL_AFTER, or of another coverage (a group reassigned), is answered with the whole
package. The ETag is the time of the latest change held: asked with it, an unchanged package
is answered 304 with nothing.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, union
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Area,
    Assignment,
    Campaign,
    CampaignArea,
    CampaignPhaseSpan,
    Case,
    Child,
    Enrolment,
    Guardian,
    Household,
    School,
    Visit,
)
from api.models.vocabulary import AssignmentKind
from api.schemas.areas import AreaRef
from api.schemas.work_package import (
    PackageCampaign,
    PackageCase,
    PackageChild,
    PackageGuardian,
    PackageHousehold,
    PackageVisit,
    WorkPackage,
)
from api.services.access import masking, permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.cases import case_rules
from api.services.core import audit, school_age
from api.services.core.actors import Actor
from api.services.core.errors import InvalidInput, NotFound
from api.services.registry import names
from api.services.responsibility import assignments
from api.settings import Settings

MARGIN = timedelta(minutes=2)
FULL_AFTER = timedelta(days=30)
MAX_HOUSEHOLDS = 3000  # a township's worth at most: a phone is not the county's database
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TICK = timedelta(microseconds=1)
_CODE_LENGTHS = (2, 4, 6, 9, 12, 15)  # province, city, county, township, village, group


@dataclass(frozen=True)
class Answer:
    etag: str
    package: WorkPackage | None  # None: the phone's copy is current (If-None-Match)


@dataclass(frozen=True)
class _Cover:
    """What one caller's package covers."""

    areas: tuple[str, ...]  # area subtrees; none: the caller's whole scope
    households: ColumnElement[bool]  # removed ones included: their removal is a change
    full: bool  # identifiers in full
    fingerprint: str


async def get(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    area: str | None = None,
    since: str | None = None,
    if_none_match: str | None = None,
) -> Answer:
    """The caller's package: of ``area``, or else of the villages and groups assigned to them
    (包村, 包组), or else of their whole scope; whole, or what changed since ``since``."""
    permissions.require(actor, Resource.VISIT, Action.WRITE)
    permissions.require(actor, Resource.HOUSEHOLD, Action.READ)
    now = datetime.now(UTC)
    today = school_age.local_today(settings)
    cover = await _cover(session=session, actor=actor, settings=settings, area=area, today=today)
    changed_at, households = await _stamp(session, actor, cover, today)
    if households > MAX_HOUSEHOLDS:
        raise InvalidInput(
            "area",
            f"该范围有 {households} 户, 超过工作包上限 {MAX_HOUSEHOLDS} 户, 请选择村或组"
            f" (more than {MAX_HOUSEHOLDS} households: choose a smaller area)",
            location="query",
        )
    version = f"v1.{(now - _EPOCH) // _TICK}.{cover.fingerprint}"
    # The campaigns' phase moves with the date, so the day is part of the answer's tag.
    changed = f"{(changed_at - _EPOCH) // _TICK}.{cover.fingerprint}.{today:%Y%m%d}"
    etag = f'"{changed}{"~" + since if since else ""}"'
    if if_none_match is not None and etag in {t.strip() for t in if_none_match.split(",")}:
        return Answer(etag=etag, package=None)
    after = _after(since, cover, now)
    package = await _build(
        session=session,
        actor=actor,
        settings=settings,
        cover=cover,
        today=today,
        version=version,
        now=now,
        after=after,
    )
    if cover.full and package.households:
        await audit.read_in_full(
            session=session,
            actor=actor,
            object_type="work_package",
            object_id=version,
            detail=f"{len(package.households)} 户 "
            f"{sum(len(h.children) for h in package.households)} 名儿童",
        )
    return Answer(etag=etag, package=package)


async def _cover(
    *, session: AsyncSession, actor: Actor, settings: Settings, area: str | None, today: date
) -> _Cover:
    if area is not None:
        areas: tuple[str, ...] = (area,)
        known = (await session.exec(select(Area.code).where(col(Area.code) == area))).first()
        in_reach = not actor.area_codes or any(
            area.startswith(code) or code.startswith(area) for code in actor.area_codes
        )
        if known is None or not in_reach:
            raise NotFound(f"没有这个区划或不在您的范围内 (area {area} not found)", area=area)
    else:
        assigned = await session.exec(
            select(Assignment.area_code).where(
                col(Assignment.user_id) == actor.user_id,
                col(Assignment.kind).in_([AssignmentKind.GROUP, AssignmentKind.VILLAGE]),
                assignments.in_force(today),
            )
        )
        areas = tuple(sorted({code for code in assigned.all() if code}))
    where = scoping.households(actor, settings=settings, today=today)
    if areas:
        where = and_(where, or_(*(scoping.in_area(Household.area_code, c) for c in areas)))
    full = permissions.allowed(actor, Resource.CHILD, Action.READ_PERSONAL) and (
        permissions.allowed(actor, Resource.HOUSEHOLD, Action.READ_PERSONAL)
    )
    covered = [areas, actor.area_codes, actor.school_ids, actor.class_ids, full]
    digest = hashlib.sha256(json.dumps(covered, default=str, sort_keys=True).encode())
    return _Cover(areas=areas, households=where, full=full, fingerprint=digest.hexdigest()[:12])


def _ancestors(codes: tuple[str, ...]) -> set[str]:
    return {code[:n] for code in codes for n in _CODE_LENGTHS if n <= len(code)}


def _campaigns(actor: Actor, cover: _Cover, today: date) -> ColumnElement[bool]:
    """The campaigns under way today over the package's areas (any area of a subtree)."""
    where = and_(
        scoping.campaigns(actor),
        col(Campaign.started_at).is_not(None),
        col(Campaign.starts_on) <= today,
        col(Campaign.ends_on) >= today,
    )
    if not cover.areas:
        return where
    overlapping = select(CampaignArea.campaign_id).where(
        or_(
            col(CampaignArea.area_code).in_(_ancestors(cover.areas)),
            *(scoping.in_area(CampaignArea.area_code, code) for code in cover.areas),
        )
    )
    return and_(where, col(Campaign.id).in_(overlapping))


def _sources(cover: _Cover) -> list[tuple[Select[Any], Any, Any]]:
    """Each kind of change a household's entry shows: (household ids, when changed, from)."""
    held = sa_select(col(Household.id)).where(cover.households)
    kids = sa_select(col(Child.id)).where(col(Child.household_id).in_(held))
    of_child = sa_select(col(Child.household_id))
    return [
        (sa_select(col(Household.id)), col(Household.updated_at), cover.households),
        (sa_select(col(Child.household_id)), col(Child.updated_at), col(Child.id).in_(kids)),
        (
            sa_select(col(Guardian.household_id)),
            col(Guardian.updated_at),
            col(Guardian.household_id).in_(held),
        ),
        (
            sa_select(col(Visit.household_id)),
            col(Visit.received_at),
            col(Visit.household_id).in_(held),
        ),
        (
            of_child.join(Enrolment, col(Enrolment.child_id) == col(Child.id)),
            col(Enrolment.updated_at),
            col(Enrolment.child_id).in_(kids),
        ),
        (
            of_child.join(Case, col(Case.child_id) == col(Child.id)),
            col(Case.updated_at),
            col(Case.child_id).in_(kids),
        ),
    ]


async def _stamp(
    session: AsyncSession, actor: Actor, cover: _Cover, today: date
) -> tuple[datetime, int]:
    """The latest change the package holds, and its households: one statement."""
    latest = [
        sa_select(func.max(when)).where(where).scalar_subquery()
        for _, when, where in _sources(cover)
    ]
    latest.append(
        sa_select(func.max(col(Campaign.updated_at)))
        .where(_campaigns(actor, cover, today))
        .scalar_subquery()
    )
    live = (
        sa_select(func.count())
        .select_from(Household)
        .where(cover.households, col(Household.removed_at).is_(None))
        .scalar_subquery()
    )
    row = (await (await session.connection()).execute(sa_select(live, *latest))).one()
    stamps = [when for when in row[1:] if when is not None]
    return max(stamps, default=_EPOCH), int(row[0])


def _after(since: str | None, cover: _Cover, now: datetime) -> datetime | None:
    """From when changes are sent: None for the whole package."""
    if since is None:
        return None
    _, ticks, fingerprint = since.split(".")
    held = _EPOCH + int(ticks) * _TICK if int(ticks) < 2**62 else None
    if held is None or held > now + MARGIN:
        raise InvalidInput("since", "不是本服务给出的版本 (not a version this server gave)",
                           location="query")  # fmt: skip
    if fingerprint != cover.fingerprint or held < now - FULL_AFTER:
        return None
    return held - MARGIN


async def _build(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    cover: _Cover,
    today: date,
    version: str,
    now: datetime,
    after: datetime | None,
) -> WorkPackage:
    live = and_(cover.households, col(Household.removed_at).is_(None))
    sent = live
    if after is not None:
        changed = union(*(ids.where(where, when > after) for ids, when, where in _sources(cover)))
        sent = and_(live, col(Household.id).in_(sa_select(changed.subquery().c[0])))
    households = list(
        (
            await session.exec(
                select(Household)
                .where(sent)
                .order_by(col(Household.area_code), col(Household.address), col(Household.id))
            )
        ).all()
    )
    shown = masking.Disclosure(full=cover.full)
    page = sa_select(col(Household.id)).where(sent)
    children = await _children(
        session=session, actor=actor, settings=settings, page=page, today=today, shown=shown
    )
    guardians: dict[uuid.UUID, list[PackageGuardian]] = {}
    for guardian in (
        await session.exec(
            select(Guardian)
            .where(col(Guardian.household_id).in_(page), col(Guardian.removed_at).is_(None))
            .order_by(col(Guardian.name))
        )
    ).all():
        guardians.setdefault(guardian.household_id, []).append(  # type: ignore[arg-type]
            PackageGuardian(
                id=guardian.id,
                name=guardian.name,
                phone=shown.phone(guardian.phone),
                works_away=guardian.works_away,
                work_place=guardian.work_place,
            )
        )
    visits = await _last_visits(session, page)
    return WorkPackage(
        version=version,
        full=after is None,
        generated_at=now,
        masked=not cover.full,
        areas=await _areas(session, cover.areas or actor.area_codes),
        campaigns=await _current_campaigns(session, actor, cover, today),
        households=[
            PackageHousehold(
                id=h.id,
                version=h.version,
                area_code=h.area_code,
                address=h.address,
                head_name=h.head_name,
                head_pinyin=names.pinyin(h.head_name),  # cached: head names repeat
                head_initials=names.initials(h.head_name),
                phone=shown.phone(h.phone),
                is_poverty_registered=h.is_poverty_registered,
                is_minimum_living=h.is_minimum_living,
                guardians=guardians.get(h.id, []),
                children=children.get(h.id, []),
                last_visit=visits.get(h.id),
            )
            for h in households
        ],
        household_ids=None
        if after is None
        else list(
            (await session.exec(select(Household.id).where(live).order_by(col(Household.id)))).all()
        ),
    )


async def _children(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    page: Select[Any],
    today: date,
    shown: masking.Disclosure,
) -> dict[uuid.UUID, list[PackageChild]]:
    """The children of the households sent, each with this year's school and open case."""
    # A teacher reaches a household through one pupil: siblings only as far as their scope.
    kids = and_(
        col(Child.household_id).in_(page),
        col(Child.removed_at).is_(None),
        scoping.children(actor, settings=settings, today=today),
    )
    of_kids = sa_select(col(Child.id)).where(kids)
    year = school_age.school_year_of(today, settings)
    schools: dict[uuid.UUID, tuple[str, int]] = {}
    for child_id, name, grade in (
        await (await session.connection()).execute(
            sa_select(col(Enrolment.child_id), col(School.name), col(Enrolment.grade))
            .join(School, col(School.id) == col(Enrolment.school_id))
            .where(col(Enrolment.child_id).in_(of_kids), col(Enrolment.term) >= f"{year}-")
            .order_by(col(Enrolment.term))
        )
    ).all():
        if child_id is not None:
            schools[child_id] = (name, grade)  # the latest term's last
    cases = {
        child_id: PackageCase(id=case_id, status=status)
        for case_id, child_id, status in (
            await (await session.connection()).execute(
                sa_select(col(Case.id), col(Case.child_id), col(Case.status)).where(
                    col(Case.child_id).in_(of_kids), col(Case.status).in_(case_rules.OPEN)
                )
            )
        ).all()
    }
    by_household: dict[uuid.UUID, list[PackageChild]] = {}
    for child in (
        await session.exec(select(Child).where(kids).order_by(col(Child.birth_date)))
    ).all():
        grade = school_age.expected_grade(child.birth_date, year, settings)
        school_name, registered_grade = schools.get(child.id, (None, None))
        by_household.setdefault(child.household_id, []).append(
            PackageChild(
                id=child.id,
                name=child.name,
                name_pinyin=child.name_pinyin,
                name_initials=child.name_initials,
                sex=child.sex,
                birth_date=child.birth_date,
                id_number=shown.id_number(child.id_number),
                schooling_status=child.schooling_status,
                status_changed_at=child.status_changed_at,
                expected_grade=grade if 1 <= grade <= settings.compulsory_years else None,
                left_behind=child.left_behind,
                school_name=school_name,
                grade=registered_grade,
                open_case=cases.get(child.id),
            )
        )
    return by_household


async def _last_visits(session: AsyncSession, page: Select[Any]) -> dict[uuid.UUID, PackageVisit]:
    """Each household's latest visit, found from the household by its index on visits."""
    latest = (
        sa_select(col(Visit.id))
        .where(col(Visit.household_id) == col(Household.id))
        .order_by(col(Visit.visited_at).desc(), col(Visit.id))
        .limit(1)
        .correlate(Household)
        .scalar_subquery()
    )
    ids = sa_select(latest).where(col(Household.id).in_(page))
    rows = await session.exec(select(Visit).where(col(Visit.id).in_(ids)))
    return {
        visit.household_id: PackageVisit(
            visited_at=visit.visited_at, outcome=visit.outcome, campaign_id=visit.campaign_id
        )
        for visit in rows.all()
    }


async def _areas(session: AsyncSession, codes: tuple[str, ...]) -> list[AreaRef]:
    rows = await session.exec(
        select(Area).where(col(Area.code).in_(codes)).order_by(col(Area.code))
    )
    return [AreaRef.model_validate(area, from_attributes=True) for area in rows.all()]


async def _current_campaigns(
    session: AsyncSession, actor: Actor, cover: _Cover, today: date
) -> list[PackageCampaign]:
    found = list(
        (
            await session.exec(
                select(Campaign)
                .where(_campaigns(actor, cover, today))
                .order_by(col(Campaign.starts_on), col(Campaign.id))
            )
        ).all()
    )
    phases = dict(
        (
            await session.exec(
                select(CampaignPhaseSpan.campaign_id, CampaignPhaseSpan.phase).where(
                    col(CampaignPhaseSpan.campaign_id).in_([c.id for c in found]),
                    col(CampaignPhaseSpan.starts_on) <= today,
                    col(CampaignPhaseSpan.ends_on) >= today,
                )
            )
        ).all()
    )
    return [
        PackageCampaign(
            id=c.id,
            name=c.name,
            kind=c.kind,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            phase=phases.get(c.id),
        )
        for c in found
    ]
