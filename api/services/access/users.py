"""Users: the caller's own account, and accounts as their managers manage them.

A county administrator manages every account within their county; a principal the teachers of
their own school (permissions.MANAGES). An account is the manager's when everything it covers
lies within what the manager covers; any other is "not found". A manager binds each account
to what its role works on (areas for the government line and supervisors, schools for
principals, classes for teachers), only within their own reach, and hands over a one-time
password that must be changed at first login.

A teacher's classes are all of one school, of any school year: what a class shows is already
cut to the registrations of this school year and the last (scoping), so last year's class
kept over the summer is how a teacher still finds a pupil who did not come back, and next
year's may be bound before term starts. Coverage changed takes effect at the account's next
request: an actor's coverage is loaded per request, not carried in the token.
"""

import secrets
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, School, SchoolClass, User, UserScope
from api.models.vocabulary import AreaLevel, AuditAction, UserRole
from api.schemas.me import CoveredArea, CoveredUnit, Me
from api.schemas.users import OneTimePassword, UserCreate, UserCreated, UserOut, UserUpdate
from api.services.access import auth, permissions, scoping, tokens
from api.services.access.passwords import hash_password
from api.services.access.permissions import Action, Resource
from api.services.core import audit
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput, Unauthenticated

# What each role is bound to, and at which levels of the area tree.
_AREA_LEVELS: dict[UserRole, frozenset[AreaLevel]] = {
    UserRole.COUNTY_ADMIN: frozenset({AreaLevel.PROVINCE, AreaLevel.PREFECTURE, AreaLevel.COUNTY}),
    UserRole.SUPERVISOR: frozenset(AreaLevel),
    UserRole.TOWNSHIP_OFFICER: frozenset({AreaLevel.TOWNSHIP}),
    UserRole.VILLAGE_CADRE: frozenset({AreaLevel.VILLAGE, AreaLevel.GROUP}),
    UserRole.INTEGRATION_CLIENT: frozenset(AreaLevel),
}
_BOUND_TO: dict[UserRole, frozenset[str]] = {
    **{role: frozenset({"areas"}) for role in _AREA_LEVELS},
    UserRole.PRINCIPAL: frozenset({"schools"}),
    UserRole.TEACHER: frozenset({"classes"}),
    # A third party's system serves a county, a township or one school.
    UserRole.INTEGRATION_CLIENT: frozenset({"areas", "schools"}),
}
# No 0/O, 1/l/I: the password is read out or copied from paper.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_COVERAGE_KINDS = ("areas", "schools", "classes")
SECRET_FIELDS = {
    "password_hash",
    "previous_password_hash",
    "failed_login_count",
    "last_login_at",
    "token_generation",
}


@dataclass
class Coverage:
    areas: list[CoveredArea]
    schools: list[CoveredUnit]
    classes: list[CoveredUnit]


def one_time_password() -> str:
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


async def coverage_of(
    *, session: AsyncSession, user_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Coverage]:
    """What each of these users covers, named, in three queries whatever their number."""
    found: dict[uuid.UUID, Coverage] = defaultdict(lambda: Coverage([], [], []))
    in_users = col(UserScope.user_id).in_(user_ids)
    for user_id, area in await session.exec(
        select(UserScope.user_id, Area).join(Area).where(in_users).order_by(col(Area.code))
    ):
        found[user_id].areas.append(CoveredArea(code=area.code, name=area.name, level=area.level))
    for user_id, school_id, name in await session.exec(
        select(UserScope.user_id, School.id, School.name).join(School).where(in_users)
    ):
        found[user_id].schools.append(CoveredUnit(id=school_id, name=name))
    for user_id, class_id, name in await session.exec(
        select(UserScope.user_id, SchoolClass.id, SchoolClass.name)
        .join(SchoolClass)
        .where(in_users)
    ):
        found[user_id].classes.append(CoveredUnit(id=class_id, name=name))
    return found


def _out(user: User, coverage: Coverage) -> UserOut:
    return UserOut.model_validate(
        {
            **user.model_dump(),
            "areas": coverage.areas,
            "schools": coverage.schools,
            "classes": coverage.classes,
            "api_scopes": sorted((user.api_scopes or "").split()),
        }
    )


async def describe(*, session: AsyncSession, actor: Actor) -> Me:
    user = await session.get(User, actor.user_id)
    if user is None:
        raise Unauthenticated("The account no longer exists.")
    coverage = (await coverage_of(session=session, user_ids=[user.id]))[user.id]
    return Me(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        must_change_password=user.must_change_password,
        areas=coverage.areas,
        schools=coverage.schools,
        classes=coverage.classes,
        api_scopes=sorted(actor.api_scopes),
    )


def visible(actor: Actor) -> ColumnElement[bool]:
    """The accounts the actor manages: of a role they manage, covering something within the
    actor's coverage and nothing beyond it."""
    within = select(UserScope.id).where(scoping.user_scopes(actor))
    beyond = select(UserScope.id).where(
        col(UserScope.user_id) == col(User.id), col(UserScope.id).not_in(within)
    )
    return and_(
        col(User.role).in_(sorted(permissions.manages(actor))),
        col(User.id).in_(select(UserScope.user_id).where(col(UserScope.id).in_(within))),
        ~beyond.exists(),
    )


async def check_binding(
    *,
    session: AsyncSession,
    actor: Actor,
    role: UserRole,
    areas: list[str],
    schools: list[uuid.UUID],
    classes: list[uuid.UUID],
) -> None:
    """What an account of this role is bound to: of the kinds its role takes, at least one,
    each known, within the administrator's own reach, and areas at the role's levels."""
    bound_to = _BOUND_TO[role]
    given: dict[str, list[Any]] = {"areas": areas, "schools": schools, "classes": classes}
    kinds = " or ".join(sorted(bound_to))
    for name, values in given.items():
        if name not in bound_to and values:
            raise InvalidInput(name, f"a {role.value} is bound to {kinds}, not {name}")
    if not any(given[name] for name in bound_to):
        raise InvalidInput(sorted(bound_to)[0], f"a {role.value} must be bound to {kinds}")
    if areas:
        found = (await session.exec(select(Area).where(col(Area.code).in_(areas)))).all()
        known = {a.code: a for a in found}
        if missing := [c for c in areas if c not in known]:
            raise InvalidInput("areas", "unknown area codes: " + ", ".join(missing))
        if outside := scoping.outside_areas(actor, areas):
            raise InvalidInput("areas", "outside the areas you cover: " + ", ".join(outside))
        levels = _AREA_LEVELS[role]
        if wrong := [c for c in areas if known[c].level not in levels]:
            allowed = ", ".join(sorted(level.value for level in levels))
            raise InvalidInput("areas", f"a {role.value} covers {allowed}; not {', '.join(wrong)}")
    for name, model, visible in (
        ("schools", School, scoping.schools(actor)),
        ("classes", SchoolClass, scoping.classes(actor)),
    ):
        ids = given[name]
        if ids:
            reachable = set(
                (await session.exec(select(model.id).where(col(model.id).in_(ids), visible))).all()
            )
            if missing := [str(i) for i in ids if i not in reachable]:
                raise InvalidInput(name, "unknown or outside your scope: " + ", ".join(missing))
    if role is UserRole.TEACHER and classes:
        of_schools = select(func.count(func.distinct(SchoolClass.school_id))).where(
            col(SchoolClass.id).in_(classes)
        )
        if (await session.exec(of_schools)).one() > 1:
            raise InvalidInput("classes", "a teacher's classes are all of one school")


def bind(
    user_id: uuid.UUID,
    *,
    areas: list[str],
    schools: list[uuid.UUID],
    classes: list[uuid.UUID] | None = None,
) -> list[UserScope]:
    return (
        [UserScope(user_id=user_id, area_code=code) for code in areas]
        + [UserScope(user_id=user_id, school_id=i) for i in schools]
        + [UserScope(user_id=user_id, class_id=i) for i in classes or []]
    )


async def create(*, session: AsyncSession, actor: Actor, data: UserCreate) -> UserCreated:
    permissions.require(actor, Resource.USER, Action.WRITE)
    permissions.require_manages(actor, data.role)
    if data.role is UserRole.INTEGRATION_CLIENT:
        raise InvalidInput("role", "integration clients are kept at /api/v1/integration-clients")
    await check_binding(
        session=session,
        actor=actor,
        role=data.role,
        areas=data.areas,
        schools=data.schools,
        classes=data.classes,
    )
    password = data.password or one_time_password()
    if problems := auth.policy_problems(password, data.username):
        raise InvalidInput("password", "; ".join(problems))
    if (await session.exec(select(User.id).where(User.username == data.username))).first():
        raise Conflict(f"The username {data.username} is taken.")
    user = User(
        username=data.username,
        display_name=data.display_name,
        phone=data.phone,
        role=data.role,
        password_hash=hash_password(password),
        must_change_password=True,
    )
    session.add(user)
    await session.flush()  # the scopes refer to the user
    session.add_all(bind(user.id, areas=data.areas, schools=data.schools, classes=data.classes))
    scopes = {
        "areas": data.areas,
        "schools": [str(i) for i in data.schools],
        "classes": [str(i) for i in data.classes],
    }
    audit.created(session=session, actor=actor, new=user, exclude=SECRET_FIELDS, also=scopes)
    try:
        await session.commit()
    except IntegrityError as exc:  # a concurrent create took the name first
        await session.rollback()
        raise Conflict(f"The username {data.username} is taken.") from exc
    coverage = (await coverage_of(session=session, user_ids=[user.id]))[user.id]
    return UserCreated.model_validate(
        {**_out(user, coverage).model_dump(), "one_time_password": password}
    )


async def search(
    *, session: AsyncSession, actor: Actor, role: UserRole | None, limit: int, offset: int
) -> tuple[list[UserOut], int]:
    permissions.require(actor, Resource.USER, Action.READ)
    conditions = [visible(actor)]
    if role:
        conditions.append(col(User.role) == role)
    total = (await session.exec(select(func.count()).select_from(User).where(*conditions))).one()
    users = (
        await session.exec(
            select(User).where(*conditions).order_by(col(User.username)).limit(limit).offset(offset)
        )
    ).all()
    coverage = await coverage_of(session=session, user_ids=[u.id for u in users])
    return [_out(u, coverage[u.id]) for u in users], total


async def _visible_user(*, session: AsyncSession, actor: Actor, user_id: uuid.UUID) -> User:
    return await scoping.one(session=session, model=User, object_id=user_id, visible=visible(actor))


async def get(*, session: AsyncSession, actor: Actor, user_id: uuid.UUID) -> UserOut:
    permissions.require(actor, Resource.USER, Action.READ)
    user = await _visible_user(session=session, actor=actor, user_id=user_id)
    return _out(user, (await coverage_of(session=session, user_ids=[user.id]))[user.id])


async def update(
    *, session: AsyncSession, actor: Actor, user_id: uuid.UUID, data: UserUpdate
) -> UserOut:
    """Every field given is applied or refused (the schema refuses any other): the name, the
    phone, whether active, and what the account covers (a kind given replaces that kind)."""
    permissions.require(actor, Resource.USER, Action.WRITE)
    user = await _visible_user(session=session, actor=actor, user_id=user_id)
    given = data.model_dump(exclude_unset=True)
    coverage = {name: given.pop(name) for name in _COVERAGE_KINDS if name in given}
    before = audit.snapshot(user, exclude=SECRET_FIELDS)
    for name, value in given.items():
        if value is None and name != "phone":
            raise InvalidInput(name, "may not be empty")
        setattr(user, name, value)
    if user.id == actor.user_id and user.is_active is False:
        raise InvalidInput("is_active", "you cannot disable your own account")
    changes = audit.diff(before, audit.snapshot(user, exclude=SECRET_FIELDS))
    if coverage:
        changes |= await _rebind(session=session, actor=actor, user=user, given=coverage)
    if changes:
        user.version += 1
        session.add(user)
        if "is_active" in changes and not user.is_active:
            await tokens.revoke_user(session=session, user_id=user.id, reason="disabled")
        audit.record(
            session=session,
            action=AuditAction.UPDATE,
            actor=actor,
            object_type="user",
            object_id=user.id,
            changes=changes,
        )
        await session.commit()
    return _out(user, (await coverage_of(session=session, user_ids=[user.id]))[user.id])


async def _rebind(
    *, session: AsyncSession, actor: Actor, user: User, given: dict[str, list[Any] | None]
) -> dict[str, Any]:
    """Bind the account anew, the kinds given replacing theirs, checked as at creation; the
    change as the audit shows it: each kind changed, before and after."""
    if user.role is UserRole.INTEGRATION_CLIENT:
        raise InvalidInput(
            next(iter(given)),
            f"an integration client's coverage is kept at /api/v1/integration-clients/{user.id}",
        )
    if blank := [name for name, values in given.items() if values is None]:
        raise InvalidInput(blank[0], "may not be empty; [] for none")
    return await rebind(
        session=session,
        actor=actor,
        user=user,
        given={name: values for name, values in given.items() if values is not None},
    )


async def rebind(
    *, session: AsyncSession, actor: Actor, user: User, given: Mapping[str, list[Any]]
) -> dict[str, Any]:
    """Bind an account anew (a person's or an integration client's): the kinds given (areas,
    schools, classes) replace theirs, the others stay; checked as at creation. The change as
    the audit shows it: each kind changed, before and after, as sets."""
    held = (await coverage_of(session=session, user_ids=[user.id]))[user.id]
    old: dict[str, list[str]] = {
        "areas": sorted(a.code for a in held.areas),
        "schools": sorted(str(u.id) for u in held.schools),
        "classes": sorted(str(u.id) for u in held.classes),
    }
    new = {**old, **{name: sorted({str(v) for v in values}) for name, values in given.items()}}
    schools = [uuid.UUID(i) for i in new["schools"]]
    classes = [uuid.UUID(i) for i in new["classes"]]
    await check_binding(
        session=session,
        actor=actor,
        role=user.role,
        areas=new["areas"],
        schools=schools,
        classes=classes,
    )
    changes = audit.diff(old, new)
    if changes:
        await session.exec(delete(UserScope).where(col(UserScope.user_id) == user.id))
        session.add_all(bind(user.id, areas=new["areas"], schools=schools, classes=classes))
    return changes


async def reset_password(
    *, session: AsyncSession, actor: Actor, user_id: uuid.UUID
) -> OneTimePassword:
    """A forgotten password: a new one-time password, the lock lifted, every session ended."""
    permissions.require(actor, Resource.USER, Action.WRITE)
    user = await _visible_user(session=session, actor=actor, user_id=user_id)
    if user.role is UserRole.INTEGRATION_CLIENT:
        raise Conflict(
            "An integration client has a secret, not a password:"
            f" POST /api/v1/integration-clients/{user.id}/secret rotates it."
        )
    password = one_time_password()
    before = audit.snapshot(user, exclude=SECRET_FIELDS)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_login_count = 0
    user.locked_until = None
    user.token_generation += 1  # the access tokens of the sessions ended, too
    user.version += 1
    session.add(user)
    await tokens.revoke_user(session=session, user_id=user.id, reason="password reset")
    audit.record(
        session=session,
        action=AuditAction.PASSWORD_RESET,
        actor=actor,
        object_type="user",
        object_id=user.id,
        changes={
            **audit.diff(before, audit.snapshot(user, exclude=SECRET_FIELDS)),
            "password": {"before": "***", "after": "***"},
        },
    )
    await session.commit()
    return OneTimePassword(one_time_password=password)
