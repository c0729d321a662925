"""Reading a poverty household list (脱贫户/监测户/低保户名单) as the rural-revitalisation office
exports it: one row a member, the household's columns (户编号, 户类型, 户主姓名, 区划代码)
repeated on each of its members' rows. Each row is checked here, alone and against the rows
above it (an ID number twice, a household told two ways); poverty_lists stores what passes.

Pure: a sheet in, rows with their faults out; nothing here touches the database.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from api.models.vocabulary import PovertyKind
from api.services.core.errors import Fault
from api.services.registry import id_number, names
from api.services.spreadsheets import import_rows
from api.services.spreadsheets.import_rows import REQUIRED_VALUE, Cell, Column, Layout, Sheet

K = PovertyKind

LAYOUT = Layout(
    Column("household_number", ("户编号", "户码", "户号"), True),
    Column("kind", ("户类型", "类别", "户属性", "户类别"), True),
    Column("area_code", ("区划代码", "村代码", "行政区划代码", "统计用区划代码")),
    Column("head_name", ("户主姓名", "户主"), True),
    Column("name", ("成员姓名", "姓名", "人员姓名"), True),
    Column("id_number", ("身份证号码", "证件号码", "身份证号", "公民身份号码", "身份证件号码")),
    Column("relation", ("与户主关系",)),
    Column("birth_date", ("出生日期", "出生年月日")),
)

_KINDS = {k.value: k for k in PovertyKind} | {
    **dict.fromkeys(("脱贫户", "建档立卡户", "一般脱贫户"), K.LIFTED),
    # 脱贫不稳定户 is one of the three kinds of household watched against falling back.
    **dict.fromkeys(
        (
            "监测户",
            "脱贫不稳定户",
            "边缘易致贫户",
            "突发严重困难户",
            "监测对象",
            "防止返贫监测对象",
        ),
        K.MONITORED,
    ),
    **dict.fromkeys(("低保户", "低保", "农村低保户", "低保对象"), K.MINIMUM_LIVING),
}
# The household's columns, said once for all its members' rows.
_HOUSEHOLD_COLUMNS = ("kind", "head_name", "area_code")


@dataclass
class Row:
    number: int  # as the clerk sees it
    cells: list[Cell]
    household_number: str | None = None
    kind: PovertyKind | None = None
    area_code: str | None = None
    head_name: str | None = None
    name: str | None = None
    id_number: str | None = None
    birth_date: date | None = None
    relation: str | None = None
    faults: list[Fault] = field(default_factory=list)

    def member(self, list_id: Any) -> dict[str, Any]:
        """The row as a poverty_member row, every column given (bulk.insert_rows)."""
        assert self.name is not None
        return {
            "list_id": list_id,
            "row": self.number,
            "household_number": self.household_number,
            "kind": self.kind,
            "area_code": self.area_code,
            "head_name": self.head_name,
            "name": self.name,
            "name_pinyin": names.pinyin(self.name)[:200],
            "id_number": self.id_number,
            "birth_date": self.birth_date,
            "relation": self.relation,
        }


def kind(cell: Cell) -> PovertyKind:
    found = _KINDS.get(import_rows.text(cell).lower())
    if found is None:
        raise ValueError(
            "户类型须为 脱贫户（建档立卡户）、监测户（脱贫不稳定户、边缘易致贫户、突发严重困难户）"
            "或 低保户 (must be lifted, monitored or minimum_living)"
        )
    return found


def _id_number(cell: Cell) -> str:
    return import_rows.id_number_text(cell)


_READERS: dict[str, Any] = {
    "household_number": lambda c: import_rows.bounded(c, 40),
    "kind": kind,
    "area_code": import_rows.area_code,
    "head_name": lambda c: import_rows.bounded(c, 50),
    "name": lambda c: import_rows.bounded(c, 50),
    "id_number": _id_number,
    "relation": lambda c: import_rows.bounded(c, 20),
    "birth_date": import_rows.day,
}


def parse(sheet: Sheet, *, area_code: str, today: date) -> list[Row]:
    """Every row of the sheet with its faults; the good ones are those without."""
    # Where each field is, once for the file; a column it lacks reads as a blank cell.
    where = [
        (key, read, sheet.columns.get(key, -1), key in LAYOUT.required)
        for key, read in _READERS.items()
    ]
    rows = [_row(where, number, cells, area_code, today) for number, cells in sheet.rows]
    _across(rows)
    return rows


def _row(
    where: list[tuple[str, Any, int, bool]],
    number: int,
    cells: list[Cell],
    area_code: str,
    today: date,
) -> Row:
    row = Row(number=number, cells=cells)
    raw_number = ""
    for key, read, index, required in where:
        cell: Cell = cells[index] if 0 <= index < len(cells) else ""
        if isinstance(cell, str) and not cell.strip():
            if required:
                row.faults.append((key, REQUIRED_VALUE))
            continue
        try:
            value = read(cell)
        except ValueError as exc:
            row.faults.append((key, str(exc)))
            continue
        if key == "id_number":
            raw_number = value
        else:
            setattr(row, key, value)
    if row.area_code is not None and not row.area_code.startswith(area_code):
        row.faults.append(
            (
                "area_code",
                f"不在本名单的区域（{area_code}）内 (outside the list's area {area_code})",
            )
        )
    if row.birth_date is not None and row.birth_date > today:
        row.faults.append(("birth_date", "出生日期不能晚于今天 (the birth date is in the future)"))
    if raw_number:
        _identify(row, raw_number, today)
    return row


def _identify(row: Row, raw_number: str, today: date) -> None:
    """The number checked, and the birth date taken from it or held against it."""
    try:
        facts = id_number.parse(raw_number, today=today)
    except id_number.InvalidIdNumber as exc:
        row.faults.append(("id_number", str(exc)))
        return
    row.id_number = facts.number
    if row.birth_date is None:
        row.birth_date = facts.birth_date
    elif row.birth_date != facts.birth_date:
        row.faults.append(
            (
                "id_number",
                f"身份证号码中的出生日期是{facts.birth_date:%Y-%m-%d}，与填写的出生日期不一致 "
                f"(the birth date in it, {facts.birth_date}, differs from the one given)",
            )
        )


def _across(rows: list[Row]) -> None:
    """Faults only the rows together show, the later row refused: the same ID number twice,
    a household whose type, head or area differs from its first good row's."""
    numbers: dict[str, int] = {}
    households: dict[str, Row] = {}
    for row in rows:
        if row.faults:
            continue
        assert row.household_number is not None
        if row.id_number is not None and (earlier := numbers.get(row.id_number)) is not None:
            row.faults.append(
                ("id_number", f"与第{earlier}行的身份证号码重复 (the same as row {earlier})")
            )
        if (first := households.get(row.household_number)) is not None:
            row.faults += _disagreements(first, row)
        if not row.faults:
            if row.id_number is not None:
                numbers[row.id_number] = row.number
            households.setdefault(row.household_number, row)


def _disagreements(first: Row, row: Row) -> list[Fault]:
    """The household's columns that ``row`` tells otherwise than the household's first row."""
    faults: list[Fault] = []
    for key in _HOUSEHOLD_COLUMNS:
        said, says = getattr(first, key), getattr(row, key)
        if said is not None and says is not None and said != says:
            faults.append(
                (key, f"与本户第{first.number}行不一致 (differs from row {first.number})")
            )
    return faults
