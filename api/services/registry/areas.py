"""Areas (行政区划): the registry's tree by official code, and the official code list imported.

Areas are public administrative data: every logged-in user reads all of them. Only those who
may write areas import the code list, and only within the areas they cover themselves.
"""

import csv
import io
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import ColumnElement, Table, bindparam, func, insert, literal, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area
from api.models.base import utcnow
from api.models.vocabulary import AreaLevel, AuditAction
from api.schemas.areas import AreaDetail, AreaImportReport, AreaNode, AreaOut, AreaRef, RowError
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_TREE_NODES = 5000
MAX_REPORTED_ERRORS = 500
# Rows per executemany batch: a whole county fits in a few, and no batch strains the driver.
_BATCH = 5000
# Deeper than any real chain (province, prefecture, county, township, village, group): it
# only stops the ancestors' walk should bad data ever make a cycle.
_MAX_CHAIN = 8

T = TypeVar("T")
_TABLE: Table = Area.__table__  # type: ignore[attr-defined]
_DIGITS = re.compile(r"[0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CODE_LENGTH = {
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
    AreaLevel.GROUP: 15,
}
_LEVEL_OF_LENGTH = {length: level for level, length in _CODE_LENGTH.items()}
_LEVEL_NAMES = {
    AreaLevel.COUNTY: ("county", "县", "区县", "县级"),
    AreaLevel.TOWNSHIP: ("township", "乡镇", "乡", "镇", "街道", "乡镇级"),
    AreaLevel.VILLAGE: ("village", "村", "社区", "村级", "村/社区"),
    AreaLevel.GROUP: ("group", "组", "村民小组", "小组"),
}
_LEVELS = {name: level for level, names in _LEVEL_NAMES.items() for name in names}
_COLUMNS = {
    "code": ("code", "代码", "区划代码", "统计用区划代码"),
    "name": ("name", "名称", "区划名称"),
    "level": ("level", "级别", "层级"),
    "parent": ("parent", "parent_code", "上级代码", "上级区划代码"),
}
_HEADERS = {header: column for column, headers in _COLUMNS.items() for header in headers}


# Reading --------------------------------------------------------------------------------


async def _children_counts(session: AsyncSession, codes: list[str]) -> dict[str, int]:
    if not codes:
        return {}
    rows = await session.exec(
        select(Area.parent_code, func.count())
        .where(col(Area.parent_code).in_(codes))
        .group_by(col(Area.parent_code))
    )
    return {parent: count for parent, count in rows.all() if parent}


def _out(area: Area, children_count: int) -> AreaOut:
    return AreaOut(
        code=area.code,
        name=area.name,
        level=area.level,
        parent_code=area.parent_code,
        children_count=children_count,
    )


async def _existing(session: AsyncSession, code: str) -> Area:
    area = await session.get(Area, code)
    if area is None:
        raise NotFound(f"No area {code} here.")
    return area


async def search(
    *, session: AsyncSession, actor: Actor, parent: str | None, limit: int, offset: int
) -> tuple[list[AreaOut], int]:
    """The direct children of ``parent``; without it the top of the tree (no parent)."""
    permissions.require(actor, Resource.AREA, Action.READ)
    if parent is not None:
        await _existing(session, parent)
    where = col(Area.parent_code) == parent if parent else col(Area.parent_code).is_(None)
    total = (await session.exec(select(func.count()).select_from(Area).where(where))).one()
    areas = (
        await session.exec(
            select(Area).where(where).order_by(col(Area.code)).limit(limit).offset(offset)
        )
    ).all()
    counts = await _children_counts(session, [a.code for a in areas])
    return [_out(a, counts.get(a.code, 0)) for a in areas], total


async def tree(*, session: AsyncSession, actor: Actor, root: str, depth: int) -> AreaNode:
    """``root`` with ``depth`` levels below it, one query a level, at most MAX_TREE_NODES."""
    permissions.require(actor, Resource.AREA, Action.READ)
    levels = [[await _existing(session, root)]]
    size = 1
    under: dict[str, list[Area]] = defaultdict(list)
    for _ in range(depth):
        frontier = [a.code for a in levels[-1]]
        below: list[Area] = []
        if frontier:
            # One more than allowed is enough to know the tree is too big.
            below = list(
                (
                    await session.exec(
                        select(Area)
                        .where(col(Area.parent_code).in_(frontier))
                        .order_by(col(Area.code))
                        .limit(MAX_TREE_NODES - size + 1)
                    )
                ).all()
            )
        size += len(below)
        if size > MAX_TREE_NODES:
            raise InvalidInput(
                "root",
                f"区划树超过{MAX_TREE_NODES}个 (the tree holds more than {MAX_TREE_NODES} areas;"
                " choose a lower root or a smaller depth)",
                location="query",
            )
        for area in below:
            under[area.parent_code or ""].append(area)
        levels.append(below)
    leaf_counts = await _children_counts(session, [a.code for a in levels[-1]])

    def node(area: Area, level: int) -> AreaNode:
        if level == depth:
            return AreaNode(**_out(area, leaf_counts.get(area.code, 0)).model_dump())
        children = [node(child, level + 1) for child in under[area.code]]
        return AreaNode(**_out(area, len(children)).model_dump(), children=children)

    return node(levels[0][0], 0)


async def get(*, session: AsyncSession, actor: Actor, code: str) -> AreaDetail:
    """One area with its ancestors (top first) and its direct children."""
    permissions.require(actor, Resource.AREA, Action.READ)
    area = await _existing(session, code)
    # The chain upwards by parent_code in one recursive query: a prefecture's code is no
    # prefix of its counties', so the codes alone cannot name the ancestors.
    chain = (
        select(_TABLE.c.parent_code, literal(1).label("up"))
        .where(_TABLE.c.code == code)
        .cte("chain", recursive=True)
    )
    above = _TABLE.alias("above")
    chain = chain.union_all(
        select(above.c.parent_code, chain.c.up + 1).where(
            above.c.code == chain.c.parent_code, chain.c.up < _MAX_CHAIN
        )
    )
    ancestors = (
        await session.exec(
            select(Area)
            .join(chain, col(Area.code) == chain.c.parent_code)
            .order_by(chain.c.up.desc())
        )
    ).all()
    children = (
        await session.exec(
            select(Area).where(col(Area.parent_code) == code).order_by(col(Area.code))
        )
    ).all()
    counts = await _children_counts(session, [c.code for c in children])
    return AreaDetail(
        **_out(area, len(children)).model_dump(),
        ancestors=[AreaRef(code=a.code, name=a.name, level=a.level) for a in ancestors],
        children=[_out(c, counts.get(c.code, 0)) for c in children],
    )


# Importing the official code list ----------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    level: str
    parent: str


@dataclass
class _Plan:
    """What the file asks for, row by row, against what the database holds."""

    created: dict[str, tuple[AreaLevel, str, str | None]] = field(default_factory=dict)
    renamed: dict[str, tuple[str, str]] = field(default_factory=dict)
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)


def _decode(data: bytes) -> str:
    # Chinese Excel saves "CSV" in GB18030 (GBK); anything else saves UTF-8, often with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
    raise InvalidInput("file", "文件编码无法识别 (the file is neither UTF-8 nor GB18030 text)")


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield start, [cell.strip() for cell in cells]
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(
            "file", f"第{reader.line_num}行格式错误 (line {reader.line_num} is not CSV: {exc})"
        ) from exc


def _rows(data: bytes) -> list[_Row]:
    records = _records(_decode(data))
    header_line, header = next(records, (0, []))
    if not header:
        raise InvalidInput("file", "文件是空的 (the file is empty)")
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        column = _HEADERS.get(heading.lower())
        if column in columns:
            raise InvalidInput("file", f"列“{heading}”重复 (the column {column} appears twice)")
        if column:
            columns[column] = index
    if missing := [c for c in ("code", "name") if c not in columns]:
        raise InvalidInput(
            "file",
            f"第{header_line}行须为表头 代码,名称,级别,上级代码 (the header must name the columns"
            f" code, name, level, parent; missing: {', '.join(missing)})",
        )

    def value(cells: list[str], column: str) -> str:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    rows = [
        _Row(
            line,
            value(cells, "code"),
            value(cells, "name"),
            value(cells, "level"),
            value(cells, "parent"),
        )
        for line, cells in records
    ]
    if not rows:
        raise InvalidInput("file", "表头下没有数据 (the file has no rows below the header)")
    return rows


async def _known(session: AsyncSession, actor: Actor) -> dict[str, tuple[str, AreaLevel]]:
    """Every area a good row can name, in one query: the actor's subtrees and the areas above
    them (a row outside these is refused anyway)."""
    if not actor.area_codes:
        return {}
    above = {own[:n] for own in actor.area_codes for n in (6, 9, 12) if n < len(own)}
    within: list[ColumnElement[bool]] = [scoping.in_area(Area.code, c) for c in actor.area_codes]
    rows = await session.exec(
        select(Area.code, Area.name, Area.level).where(or_(col(Area.code).in_(above), *within))
    )
    return {code: (name, AreaLevel(level)) for code, name, level in rows.all()}


def _check(
    row: _Row,
    *,
    actor: Actor,
    known: dict[str, tuple[str, AreaLevel]],
    accepted: set[str],
    first_seen: dict[str, int],
) -> tuple[AreaLevel | None, list[tuple[str, str]]]:
    """The row's level and its faults as (column, message)."""
    faults: list[tuple[str, str]] = []
    if not 1 <= len(row.name) <= 60:
        faults.append(("name", "名称须为1至60个字 (the name must be 1 to 60 characters)"))
    elif _CONTROL.search(row.name):
        faults.append(("name", "名称须为一行文字 (the name must be one line of plain text)"))
    level = _LEVELS.get(row.level.lower()) if row.level else _LEVEL_OF_LENGTH.get(len(row.code))
    if row.level and level is None:
        faults.append(("level", "级别须为 县/乡镇/村/组 (county, township, village or group)"))
    if not _DIGITS.fullmatch(row.code):
        return level, [*faults, ("code", "代码须为数字 (the code must be digits)")]
    if level is None:
        if not row.level:
            faults.append(("code", "代码须为6、9、12或15位 (a code has 6, 9, 12 or 15 digits)"))
        return level, faults
    if len(row.code) != _CODE_LENGTH[level]:
        digits, zh = _CODE_LENGTH[level], _LEVEL_NAMES[level][1]
        faults.append(("code", f"{zh}级代码须为{digits}位 (a {level.value} has {digits} digits)"))
        return level, faults
    if (earlier := first_seen[row.code]) != row.line:
        faults.append(("code", f"代码与第{earlier}行重复 (the code repeats line {earlier})"))
    if scoping.outside_areas(actor, [row.code]):
        # Nothing more is known there, so nothing more is said.
        return level, [*faults, ("code", "不在您管辖的区划内 (outside the areas you cover)")]
    if row.code in known and known[row.code][1] is not level:
        held = known[row.code][1].value
        faults.append(("level", f"该代码已存在，级别不同 (the code exists as a {held})"))
    faults.extend(_parent_faults(row, level, known, accepted, first_seen))
    return level, faults


def _parent_faults(
    row: _Row,
    level: AreaLevel,
    known: dict[str, tuple[str, AreaLevel]],
    accepted: set[str],
    in_file: dict[str, int],
) -> list[tuple[str, str]]:
    if level is AreaLevel.COUNTY:
        if row.parent:
            return [("parent", "县级不填上级代码 (a county has no parent code in this list)")]
        return []
    expected = row.code[:-3]
    if not row.parent:
        return [("parent", f"须填上级代码{expected} (the parent code {expected} is required)")]
    if row.parent != expected:
        return [
            ("parent", f"上级代码须为{expected} (the parent must be the code's prefix {expected})")
        ]
    if expected in known or expected in accepted:
        return []
    if expected in in_file:
        return [("parent", "上级代码未能导入，或在本行之后 (the parent's row is refused or later)")]
    return [("parent", "上级代码不存在 (the parent code does not exist)")]


def _plan(rows: list[_Row], actor: Actor, known: dict[str, tuple[str, AreaLevel]]) -> _Plan:
    """Validate the whole file in memory; rows may name parents accepted earlier in it."""
    plan = _Plan()
    first_seen: dict[str, int] = {}
    for row in rows:
        first_seen.setdefault(row.code, row.line)
    accepted: set[str] = set()
    for row in rows:
        level, faults = _check(
            row, actor=actor, known=known, accepted=accepted, first_seen=first_seen
        )
        if faults or level is None:
            plan.rejected += 1
            plan.errors.extend(RowError(row=row.line, field=f, message=m) for f, m in faults)
            continue
        accepted.add(row.code)
        if row.code not in known:
            plan.created[row.code] = (level, row.name, row.parent or None)
        elif known[row.code][0] != row.name:
            plan.renamed[row.code] = (known[row.code][0], row.name)
        else:
            plan.unchanged += 1
    return plan


def _refusal(plan: _Plan) -> InvalidInput:
    faults = [(f"file.{e.row}.{e.field}", e.message) for e in plan.errors[:MAX_REPORTED_ERRORS]]
    refusal = InvalidInput(*faults[0], others=faults[1:])
    refusal.detail = (
        f"{plan.rejected} rows of the file are refused, so nothing was stored (all_or_nothing)."
    )
    return refusal


def _batches(rows: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(rows), _BATCH):
        yield rows[start : start + _BATCH]


async def _write(session: AsyncSession, plan: _Plan) -> None:
    now = utcnow()
    connection = await session.connection()
    # Parents before children, whatever the file's order.
    created = [
        {
            "code": code,
            "name": name,
            "level": level,
            "parent_code": parent,
            "created_at": now,
            "updated_at": now,
        }
        for code, (level, name, parent) in sorted(plan.created.items(), key=lambda i: len(i[0]))
    ]
    for batch in _batches(created):
        await connection.execute(insert(_TABLE), batch)
    renamed = [{"b_code": code, "b_name": new} for code, (_, new) in plan.renamed.items()]
    rename = (
        update(_TABLE)
        .where(_TABLE.c.code == bindparam("b_code"))
        .values(name=bindparam("b_name"), updated_at=now)
    )
    for names in _batches(renamed):
        await connection.execute(rename, names)


async def import_csv(
    *,
    session: AsyncSession,
    actor: Actor,
    data: bytes,
    filename: str | None,
    all_or_nothing: bool,
) -> AreaImportReport:
    """The official code list as CSV: good rows stored, bad ones reported by line and column
    (with ``all_or_nothing``, any bad row stores nothing). A code already held under the same
    name is left as it is; under another name it is renamed."""
    permissions.require(actor, Resource.AREA, Action.WRITE)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
    rows = _rows(data)
    plan = _plan(rows, actor, await _known(session, actor))
    if plan.errors and all_or_nothing:
        raise _refusal(plan)
    counts = {
        "created": len(plan.created),
        "renamed": len(plan.renamed),
        "unchanged": plan.unchanged,
        "rejected": plan.rejected,
    }
    audit.record(
        session=session,
        action=AuditAction.CREATE,
        actor=actor,
        object_type="area_import",
        object_id=uuid.uuid4(),
        changes={
            "counts": counts,
            "created": {c: {"before": None, "after": n} for c, (_, n, _) in plan.created.items()},
            "renamed": {c: {"before": b, "after": a} for c, (b, a) in plan.renamed.items()},
        },
        detail=f"CSV {filename or ''}, {len(rows)} rows, {len(data)} bytes"[:300],
    )
    try:
        await _write(session, plan)
        await session.commit()
    except IntegrityError as exc:  # another import stored some of these codes meanwhile
        await session.rollback()
        raise Conflict("区划已被同时导入 (another import changed these areas; try again)") from exc
    return AreaImportReport(**counts, errors=plan.errors[:MAX_REPORTED_ERRORS])
