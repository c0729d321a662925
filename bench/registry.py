"""Registry read figures: listing and searching children, on the county-scale demo.

Targets (p95): a filtered, paginated ``GET /api/v1/children`` under 50 ms; a search
(``?q=``) under 100 ms. Each variant is ``requests`` requests (after a few warm-ups) through
the real app in-process (httpx.ASGITransport), each with the Bearer token of a real login as
one of the demo accounts, and its parameters drawn from the data (townships, statuses, pages
that exist, initials, names and ID numbers of real children), seeded so that runs repeat:

- ``children_list_county``: demo.county, ``area=<a township>&status=<a status>``, a page of 50
  anywhere in the result (at school: long lists paged deep; out of school: short ones);
- ``children_list_township``, ``_village``: their whole area unfiltered, any page of 50;
- ``children_list_principal``: the school's pupils unfiltered (scoped by enrolment), any page;
- ``children_list_teacher``: the class's pupils (scoped by enrolment), pages of 20 or 50;
- ``children_search_initials``, ``_name``, ``_id6``: demo.county, ``q=`` two or three pinyin
  initials, part of a name in characters, the last six characters of an ID number.

Each figure has a floor, ``<variant>_p50_floor`` / ``_p95_floor``: the same two statements the
service needs (the count of matches and the page), written plainly in SQLAlchemy Core and run
on the app's own engine without HTTP, ORM or serialisation, right after each request. The
floor's answers are checked against the app's (the same total, the same children in the same
order), so the floor is known to be the same query; the gap between figure and floor is the
app's own cost, and a floor over the target means the SQL itself (its plan, the indexes) has
to change.

``python -m bench.registry`` runs only these figures, on the database DATABASE_URL names
(which must already hold the county demo: ``python -m api.demo --scale county``).
"""

import asyncio
import math
import random
import secrets
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import ColumnElement, false, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.demo.loader import DEMO_PASSWORD
from api.models import metadata
from api.models.vocabulary import AreaLevel, SchoolingStatus
from api.services.access import scoping
from api.services.core import text_search
from api.settings import Settings
from bench.figures import emit, machine_speed

CHILD = metadata.tables["child"]
ENROLMENT = metadata.tables["enrolment"]
AREA = metadata.tables["area"]
USER = metadata.tables["user"]
USER_SCOPE = metadata.tables["user_scope"]

PAGE = 50
# What a county officer filters a township's list by: mostly the children at school (long
# lists, paged deep), often the ones who are not (short lists).
COUNTY_STATUSES: tuple[tuple[SchoolingStatus, float], ...] = (
    (SchoolingStatus.ENROLLED_IN_COUNTY, 0.4),
    (SchoolingStatus.ENROLLED_OUTSIDE_COUNTY, 0.15),
    (SchoolingStatus.DROPPED_OUT, 0.15),
    (SchoolingStatus.SUSPENDED, 0.05),
    (SchoolingStatus.HOME_DELIVERED, 0.05),
    (SchoolingStatus.NEVER_ENROLLED, 0.05),
    (SchoolingStatus.WHEREABOUTS_UNKNOWN, 0.05),
    (SchoolingStatus.COMPLETED, 0.1),
)


class Match(StrEnum):
    """What a search box's text is, and so which columns it is looked up in."""

    INITIALS = "initials"  # "zs": the initials' or the spelling's beginning
    NAME = "name"  # part of the name in characters
    ID_DIGITS = "id_digits"  # some digits of the ID number


@dataclass(frozen=True)
class Query:
    """One ``GET /api/v1/children``."""

    area: str | None = None
    status: SchoolingStatus | None = None
    q: str | None = None
    match: Match | None = None
    limit: int = PAGE
    offset: int = 0

    def params(self) -> dict[str, str | int]:
        params: dict[str, str | int] = {"limit": self.limit, "offset": self.offset}
        if self.area is not None:
            params["area"] = self.area
        if self.status is not None:
            params["status"] = self.status.value
        if self.q is not None:
            params["q"] = self.q
        return params


@dataclass(frozen=True)
class Scope:
    """What an account covers (its UserScope rows)."""

    area_codes: tuple[str, ...] = ()
    school_ids: tuple[uuid.UUID, ...] = ()
    class_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class Variant:
    name: str
    username: str
    queries: list[Query]  # the warm-ups first


@dataclass(frozen=True)
class Answer:
    total: int
    ids: tuple[str, ...]


@dataclass
class Sample:
    """What the variants draw their parameters from, read plainly from the database."""

    scopes: dict[str, Scope]
    totals: dict[str, int]  # each account's children, unfiltered
    townships: list[str]
    by_township_status: Counter[tuple[str, SchoolingStatus]]
    names: list[str] = field(default_factory=list)
    initials: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)


async def registry_reads(
    database_url: str, requests: int = 200, warmups: int = 5, seed: int = 2026
) -> None:
    """The registry's read figures on a database that holds the county demo."""
    settings = Settings(
        database_url=database_url,
        log_level="WARNING",
        jwt_secret=SecretStr(secrets.token_urlsafe(32)),
    )
    app = create_app(settings)
    engine: AsyncEngine = app.state.engine
    try:
        if engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load (statistics, and the visibility map
            # that lets a count read an index alone); done here so that every run measures
            # the same database rather than depending on when autovacuum happens to wake.
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM ANALYZE"))
        terms_floor = scoping.recent_terms_floor(settings, None)
        sample = await _sample(engine, terms_floor)
        rng = random.Random(seed)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for variant in _variants(sample, rng, requests, warmups):
                token = await login(client, variant.username)  # a fresh one: tokens expire
                scope = sample.scopes[variant.username]
                timings, floor_timings = await _measure(
                    client, engine, token, scope, terms_floor, variant.queries
                )
                for suffix, measured in (("", timings), ("_floor", floor_timings)):
                    p50, p95 = _p50_p95(measured[warmups:])
                    emit(f"{variant.name}_p50{suffix}", p50, "ms")
                    emit(f"{variant.name}_p95{suffix}", p95, "ms")
    finally:
        await engine.dispose()


def _p50_p95(timings: Sequence[float]) -> tuple[float, float]:
    return statistics.median(timings) * 1000, statistics.quantiles(timings, n=20)[18] * 1000


# --- the parameters ------------------------------------------------------------------------


async def _sample(engine: AsyncEngine, terms_floor: str) -> Sample:
    async with engine.connect() as connection:
        scope_rows = (
            await connection.execute(
                select(
                    USER.c.username,
                    USER_SCOPE.c.area_code,
                    USER_SCOPE.c.school_id,
                    USER_SCOPE.c.class_id,
                )
                .join(USER_SCOPE, USER_SCOPE.c.user_id == USER.c.id)
                .where(USER.c.username.like("demo.%"))
            )
        ).all()
        scopes: dict[str, Scope] = {}
        for username, area_code, school_id, class_id in scope_rows:
            known = scopes.get(username, Scope())
            scopes[username] = Scope(
                area_codes=known.area_codes + ((area_code,) if area_code else ()),
                school_ids=known.school_ids + ((school_id,) if school_id else ()),
                class_ids=known.class_ids + ((class_id,) if class_id else ()),
            )
        if "demo.county" not in scopes:
            raise RuntimeError("no demo accounts here: load the county demo first")
        totals: dict[str, int] = {}
        for username, scope in scopes.items():
            count = select(func.count()).select_from(CHILD)
            visible = _scope_clause(scope, terms_floor)
            totals[username] = (
                await connection.execute(count.where(visible, CHILD.c.removed_at.is_(None)))
            ).scalar_one()
        townships = sorted(
            (
                await connection.execute(
                    select(AREA.c.code).where(AREA.c.level == AreaLevel.TOWNSHIP)
                )
            )
            .scalars()
            .all()
        )
        by_township_status: Counter[tuple[str, SchoolingStatus]] = Counter()
        grouped = await connection.execute(
            select(CHILD.c.area_code, CHILD.c.schooling_status, func.count())
            .where(CHILD.c.removed_at.is_(None))
            .group_by(CHILD.c.area_code, CHILD.c.schooling_status)
        )
        for area_code, status, count in grouped:
            for township in townships:
                if area_code.startswith(township):
                    by_township_status[township, SchoolingStatus(status)] += count
        children = (
            await connection.execute(
                select(CHILD.c.name, CHILD.c.name_initials, CHILD.c.id_number)
                .where(CHILD.c.removed_at.is_(None))
                .order_by(CHILD.c.id)
            )
        ).all()
    return Sample(
        scopes=scopes,
        totals=totals,
        townships=townships,
        by_township_status=by_township_status,
        names=[name for name, _, _ in children],
        initials=[
            initials
            for _, initials, _ in children
            if len(initials) >= 2 and initials.isascii() and initials.isalpha()
        ],
        id_numbers=[number for _, _, number in children if number],
    )


def _page_offset(rng: random.Random, total: int, limit: int = PAGE) -> int:
    """The start of one of the pages there are, any of them equally."""
    return limit * rng.randrange(max(1, math.ceil(total / limit)))


def _variants(sample: Sample, rng: random.Random, requests: int, warmups: int) -> list[Variant]:
    n = requests + warmups
    statuses = [status for status, _ in COUNTY_STATUSES]
    weights = [weight for _, weight in COUNTY_STATUSES]

    def county_list() -> Query:
        township = rng.choice(sample.townships)
        status = rng.choices(statuses, weights)[0]
        total = sample.by_township_status[township, status]
        return Query(area=township, status=status, offset=_page_offset(rng, total))

    def unfiltered(username: str, limits: Sequence[int] = (PAGE,), n: int = n) -> list[Query]:
        queries = []
        for _ in range(n):
            limit = rng.choice(limits)
            offset = _page_offset(rng, sample.totals[username], limit)
            queries.append(Query(limit=limit, offset=offset))
        return queries

    def initials() -> Query:
        letters = rng.choice(sample.initials)[:3]
        if len(letters) == 3 and rng.random() < 0.5:
            letters = letters[:2]  # still typing
        return Query(q=letters, match=Match.INITIALS)

    def name_part() -> Query:
        name = rng.choice(sample.names)
        given, start = name[1:], name[:2]  # "丽梓" or "杨丽" of 杨丽梓; "婷" or "王婷" of 王婷
        return Query(q=rng.choice((given, start)), match=Match.NAME)

    def id_digits() -> Query:
        return Query(q=rng.choice(sample.id_numbers)[-6:], match=Match.ID_DIGITS)

    return [
        Variant("children_list_county", "demo.county", [county_list() for _ in range(n)]),
        Variant("children_list_township", "demo.township", unfiltered("demo.township")),
        Variant("children_list_village", "demo.village", unfiltered("demo.village")),
        Variant("children_list_principal", "demo.principal", unfiltered("demo.principal")),
        # A class fits in one page of 50; the phone app pages by 20 too.
        Variant("children_list_teacher", "demo.teacher", unfiltered("demo.teacher", (20, 50))),
        Variant("children_search_initials", "demo.county", [initials() for _ in range(n)]),
        Variant("children_search_name", "demo.county", [name_part() for _ in range(n)]),
        Variant("children_search_id6", "demo.county", [id_digits() for _ in range(n)]),
    ]


# --- through the app, and the floor -------------------------------------------------------


async def login(client: httpx.AsyncClient, username: str) -> str:
    response = await client.post(
        "/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


async def _measure(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    token: str,
    scope: Scope,
    terms_floor: str,
    queries: Sequence[Query],
) -> tuple[list[float], list[float]]:
    """Each query through the app, then at once its floor (so that both meet the same load
    on the machine), and the floor's answer checked against the app's."""
    headers = {"Authorization": f"Bearer {token}"}
    timings: list[float] = []
    floor_timings: list[float] = []
    for query in queries:
        started = time.perf_counter()
        response = await client.get("/api/v1/children", params=query.params(), headers=headers)
        timings.append(time.perf_counter() - started)
        response.raise_for_status()
        page: dict[str, Any] = response.json()
        answer = Answer(page["total"], tuple(item["id"] for item in page["items"]))
        started = time.perf_counter()
        visible = _scope_clause(scope, terms_floor, within=query.area)
        found = await _floor(engine, visible, query)
        floor_timings.append(time.perf_counter() - started)
        if found != answer:
            raise RuntimeError(
                f"the floor is not the app's query: {query} gave the app {answer.total} "
                f"children, the floor {found.total}, or another page"
            )
    return timings, floor_timings


def _scope_clause(scope: Scope, terms_floor: str, within: str | None = None) -> ColumnElement[bool]:
    """The children an account sees: living in its areas (cut to ``within``, as the app
    does), or enrolled (this school year or the last) at its schools or in its classes."""
    areas = scoping.narrowed(scope.area_codes, within)
    clauses = [scoping.in_area(CHILD.c.area_code, code) for code in areas]
    enrolled_where = []
    if scope.school_ids:
        enrolled_where.append(ENROLMENT.c.school_id.in_(scope.school_ids))
    if scope.class_ids:
        enrolled_where.append(ENROLMENT.c.class_id.in_(scope.class_ids))
    if enrolled_where:
        pupils = select(ENROLMENT.c.child_id).where(
            ENROLMENT.c.child_id.is_not(None),
            ENROLMENT.c.term >= terms_floor,
            or_(*enrolled_where),
        )
        clauses.append(CHILD.c.id.in_(pupils))
    return or_(false(), *clauses)


def _matching(query: Query) -> ColumnElement[bool]:
    """The search as the ids it matches, looked up first by their own index, with the app's
    own prefix range and substring pattern (``text_search``)."""
    assert query.q is not None
    if query.match is Match.INITIALS:
        return CHILD.c.id.in_(
            select(CHILD.c.id)
            .where(text_search.starts_with(CHILD.c.name_initials, query.q))
            .union_all(
                select(CHILD.c.id).where(text_search.starts_with(CHILD.c.name_pinyin, query.q))
            )
        )
    column = CHILD.c.id_number if query.match is Match.ID_DIGITS else CHILD.c.name
    return CHILD.c.id.in_(select(CHILD.c.id).where(text_search.contains(column, query.q)))


def _where(visible: ColumnElement[bool], query: Query) -> list[ColumnElement[bool]]:
    where = [visible, CHILD.c.removed_at.is_(None)]
    if query.area is not None:
        where.append(scoping.in_area(CHILD.c.area_code, query.area))
    if query.status is not None:
        where.append(CHILD.c.schooling_status == query.status)
    if query.q is not None:
        where.append(_matching(query))
    return where


async def _floor(engine: AsyncEngine, visible: ColumnElement[bool], query: Query) -> Answer:
    """The count and the page, as plain Core statements on one pooled connection."""
    where = _where(visible, query)
    async with engine.connect() as connection:
        total = (
            await connection.execute(select(func.count()).select_from(CHILD).where(*where))
        ).scalar_one()
        rows = (
            await connection.execute(
                select(CHILD)
                .where(*where)
                .order_by(CHILD.c.area_code, CHILD.c.name_pinyin, CHILD.c.id)
                .limit(query.limit)
                .offset(query.offset)
            )
        ).all()
    return Answer(total, tuple(str(row.id) for row in rows))


if __name__ == "__main__":
    machine_speed()
    asyncio.run(registry_reads(Settings().database_url))
