"""Reading a spreadsheet of assignments (分工表) as county bureaus hand them out: one row per
assignment, naming the kind, the person (by account or mobile number, with their name to
catch a slip) and what they answer for. Each row is checked alone here; what it names is
found in the database by assignment_import.

Pure: a sheet in, rows with their faults out.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from api.models.vocabulary import AssignmentKind
from api.services.core.errors import Fault
from api.services.registry import id_number
from api.services.spreadsheets import import_rows
from api.services.spreadsheets.import_rows import Cell, Column, Layout, Sheet

K = AssignmentKind

LAYOUT = Layout(
    Column("kind", ("分工类型", "包保类型", "分工", "类型"), True),
    Column("username", ("负责人账号", "账号", "用户名")),
    Column("phone", ("负责人手机", "负责人电话", "负责人手机号码", "手机号码")),
    Column("display_name", ("负责人姓名", "负责人", "姓名")),
    Column("area_code", ("区划代码", "村代码", "村民小组代码", "村组代码")),
    Column("school_code", ("学校标识码", "学校代码", "学校编码")),
    Column("grade", ("年级",)),
    Column("class_name", ("班级", "班级名称", "班号")),
    Column("id_number", ("学生身份证号码", "儿童身份证号码", "身份证号码", "身份证号")),
    Column("valid_from", ("开始日期", "起始日期", "包保开始日期")),
)
PERSON_COLUMNS = ("username", "phone")

_KINDS = {k.value: k for k in AssignmentKind} | {
    **dict.fromkeys(("包村", "村", "包村干部", "包村领导"), K.VILLAGE),
    **dict.fromkeys(("包组", "组", "村民小组", "包组干部"), K.GROUP),
    **dict.fromkeys(("包校", "学校", "包校校长", "包校领导"), K.SCHOOL),
    **dict.fromkeys(("班主任", "包班", "班级"), K.CLASS),
    **dict.fromkeys(("包保学生", "包学生", "教师包学生", "学生", "包保教师"), K.CHILD),
}
# The column each kind's target is written in, when it is one column.
TARGET_COLUMN = {
    K.VILLAGE: "area_code",
    K.GROUP: "area_code",
    K.SCHOOL: "school_code",
    K.CLASS: "class_name",
    K.CHILD: "id_number",
}
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_JUNIOR = {"初一": 7, "初二": 8, "初三": 9, "七": 7, "八": 8, "九": 9}
_CLASS_NUMBER = re.compile(r"^[(（]?(\d{1,2})[)）]?\s*班?$")


@dataclass
class Row:
    number: int  # as the clerk sees it
    cells: list[Cell]
    kind: AssignmentKind | None = None
    username: str | None = None
    phone: str | None = None
    display_name: str | None = None
    area_code: str | None = None
    school_code: str | None = None
    grade: int | None = None
    class_name: str | None = None
    id_number: str | None = None
    valid_from: date | None = None
    faults: list[Fault] = field(default_factory=list)
    # Found in the database:
    user_id: uuid.UUID | None = None
    target: Any = None

    @property
    def target_column(self) -> str:
        assert self.kind is not None
        return TARGET_COLUMN[self.kind]


def kind(cell: Cell) -> AssignmentKind:
    found = _KINDS.get(import_rows.text(cell).lower())
    if found is None:
        raise ValueError(
            "分工类型须为 包村、包组、包校、班主任 或 包保学生 "
            "(village, group, school, class or child)"
        )
    return found


def grade(cell: Cell) -> int | None:
    value = import_rows.text(cell).removesuffix("年级")
    if not value:
        return None
    found = _JUNIOR.get(value) or _NUMERALS.get(value) or (int(value) if value.isdigit() else 0)
    if not 1 <= found <= 9:
        raise ValueError("年级须为1至9，或 一年级、初一 (a grade from 1 to 9)")
    return found


def class_number(name: str) -> int | None:
    """The class's number when the cell gives only that: 2, 2班, (2)班."""
    match = _CLASS_NUMBER.match(name)
    return int(match[1]) if match else None


def parse(sheet: Sheet) -> list[Row]:
    return [_row(number, cells, sheet) for number, cells in sheet.rows]


def _row(number: int, cells: list[Cell], sheet: Sheet) -> Row:
    row = Row(number=number, cells=cells)

    def cell(key: str) -> Cell:
        index = sheet.columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    readers: dict[str, Any] = {
        "kind": kind,
        "username": lambda c: import_rows.bounded(c, 60),
        "phone": import_rows.mobile,
        "display_name": lambda c: import_rows.bounded(c, 50),
        "area_code": lambda c: import_rows.area_code(c) if import_rows.text(c) else None,
        "school_code": lambda c: import_rows.bounded(c, 20),
        "grade": grade,
        "class_name": lambda c: import_rows.bounded(c, 40),
        "id_number": _id_number,
        "valid_from": lambda c: import_rows.day(c) if import_rows.text(c) else None,
    }
    for key, read in readers.items():
        try:
            setattr(row, key, read(cell(key)))
        except ValueError as exc:
            row.faults.append((key, str(exc)))
    if row.faults:
        return row
    if row.kind is None:
        row.faults.append(("kind", import_rows.REQUIRED_VALUE))
    if row.username is None and row.phone is None:
        row.faults.append(
            ("username", "请填写负责人账号或手机号码 (the person's account or mobile number)")
        )
    if row.kind is not None:
        row.faults += _target_faults(row)
    return row


def _id_number(cell: Cell) -> str | None:
    value = import_rows.id_number_text(cell)
    if not value:
        return None
    return id_number.parse(value).number  # its fault is a ValueError, as the readers' are


def _target_faults(row: Row) -> list[Fault]:
    assert row.kind is not None
    needed = {
        K.VILLAGE: ("area_code",),
        K.GROUP: ("area_code",),
        K.SCHOOL: ("school_code",),
        K.CLASS: ("school_code", "class_name"),
        K.CHILD: ("id_number",),
    }[row.kind]
    faults: list[Fault] = [
        (key, f"{row.kind.value} 的分工须填写这一项 (required for a {row.kind.value})")
        for key in needed
        if getattr(row, key) is None
    ]
    numbered = row.class_name is not None and class_number(row.class_name) is not None
    if row.kind is K.CLASS and numbered and row.grade is None:
        faults.append(("grade", "只写班号时须填写年级 (a class number needs its grade)"))
    return faults
