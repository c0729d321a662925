"""Reading a school's roster (学籍名单) as the national student-status system exports it: one
row per pupil, with 学籍号, 姓名, 性别, 出生日期, 身份证件类型 and 身份证件号, 年级, 班级,
入学年月, 学籍状态 and the guardian's name when the school keeps it. Each row is checked alone
with the rules of registering one pupil (enrolments, child_rules), then the rows together: a
student number or an ID number twice in the file refuses the later rows. A document other than
a 居民身份证 (a passport, a 港澳/台湾 pass) is kept as given: it is no ID number, checked or
matched as one.

Pure: a sheet in (from a file, or built from a JSON body), rows with their faults out.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from api.models.vocabulary import EnrolmentStatus, IdDocumentType, Sex
from api.services.core.errors import Fault, InvalidInput
from api.services.registry import child_rules, enrolments, id_number
from api.services.responsibility import assignment_rows
from api.services.spreadsheets import import_rows
from api.services.spreadsheets.import_rows import REQUIRED_VALUE, Cell, Column, Layout, Sheet

S = EnrolmentStatus

# 学籍辅号 is another number (the system's auxiliary one) that exports carry beside 全国学籍号:
# read as a second student number it would refuse such a file for a column named twice.
LAYOUT = Layout(
    Column("student_number", ("学籍号", "全国学籍号", "学生学籍号"), True),
    Column("name", ("姓名", "学生姓名"), True),
    Column("sex", ("性别",), True),
    Column("birth_date", ("出生日期", "出生年月日"), True),
    Column("id_document_type", ("身份证件类型", "证件类型")),
    Column("id_number", ("身份证件号", "身份证号码", "身份证件号码", "身份证号", "公民身份号码")),
    Column("grade", ("年级",), True),
    Column("class_name", ("班级", "班级名称")),
    Column("entry_date", ("入学日期", "入学年月")),
    Column("status", ("学籍状态", "学生状态", "学生当前状态")),
    Column("guardian_name", ("监护人姓名", "家长姓名", "监护人")),
)
KEYS = tuple(column.key for column in LAYOUT.columns)

_STATUSES = {s.value: s for s in EnrolmentStatus} | {
    **dict.fromkeys(("在籍", "在读", "在校"), S.ENROLLED),
    **dict.fromkeys(("休学",), S.SUSPENDED),
    **dict.fromkeys(("转出", "已转出", "转学"), S.TRANSFERRED_OUT),
    **dict.fromkeys(("毕业", "已毕业"), S.GRADUATED),
    **dict.fromkeys(("注销", "已注销"), S.WITHDRAWN),
}
D = IdDocumentType
# The words the student-status system and schools write; the ministry's numeric codes are not
# read, for want of a source to tell which code is which document.
_DOCUMENTS = {d.value: d for d in IdDocumentType} | {
    **dict.fromkeys(("居民身份证", "身份证", "中华人民共和国居民身份证"), D.RESIDENT_ID),
    **dict.fromkeys(
        ("港澳居民来往内地通行证", "港澳通行证", "回乡证", "港澳居民往来内地通行证"),
        D.HK_MACAO_PASS,
    ),
    **dict.fromkeys(("台湾居民来往大陆通行证", "台胞证", "台湾居民往来大陆通行证"), D.TAIWAN_PASS),
    **dict.fromkeys(
        ("外国人永久居留身份证", "外国人永久居留证", "外国人永久居留身份证件"),
        D.FOREIGN_PERMANENT_RESIDENCE,
    ),
    **dict.fromkeys(("护照", "外国护照", "中国护照"), D.PASSPORT),
    **dict.fromkeys(("其他", "其它"), D.OTHER),
}
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")  # 2021-09, 202109
_CLASS_NUMBER = re.compile(r"(\d{1,2})\s*[)）]?\s*班?$")  # 2, 2班, (2)班, 三年级2班, 三(2)班


@dataclass(slots=True)
class Row:
    """One pupil's values, each None when blank or wrong (and then its fault is listed)."""

    row: int  # as the clerk sees it; the index in ``rows`` for a JSON body
    cells: list[Cell]
    faults: list[Fault] = field(default_factory=list)
    student_number: str | None = None
    name: str | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    id_number: str | None = None  # normalised; a 居民身份证's only
    id_document_type: IdDocumentType | None = None
    id_document_number: str | None = None  # another document's, as given
    grade: int | None = None
    class_name: str | None = None
    entry_date: date | None = None
    status: EnrolmentStatus = S.ENROLLED
    guardian_name: str | None = None


def student_number(cell: Cell) -> str:
    value = re.sub(r"\s+", "", import_rows.text(cell)).upper()
    if len(value) > 30:
        raise ValueError("不能超过30个字符 (at most 30 characters)")
    return value


def status(cell: Cell) -> EnrolmentStatus:
    found = _STATUSES.get(import_rows.text(cell).lower())
    if found is None:
        raise ValueError(
            "学籍状态须为 在籍、休学、转出、毕业 或 注销 "
            "(enrolled, suspended, transferred_out, graduated or withdrawn)"
        )
    return found


def id_document_type(cell: Cell) -> IdDocumentType:
    found = _DOCUMENTS.get(re.sub(r"\s+", "", import_rows.text(cell)).lower())
    if found is None:
        raise ValueError(
            "身份证件类型须为 居民身份证、港澳居民来往内地通行证、台湾居民来往大陆通行证、"
            "外国人永久居留身份证、护照 或 其他 (resident_id, hk_macao_pass, taiwan_pass, "
            "foreign_permanent_residence, passport or other)"
        )
    return found


def entry_date(cell: Cell) -> date:
    """A day, or a month as 入学年月 gives it (2021-09, 2021年9月, 202109): its first day."""
    match = _MONTH.match(import_rows.text(cell))
    if match is None:
        return import_rows.day(cell)
    month = int(match[2] or match[3])
    if not 1 <= month <= 12:
        raise ValueError(import_rows.NOT_A_DATE)
    return date(int(match[1]), month, 1)


def class_number(name: str) -> int | None:
    """The class's number in its name: 2 of 2班, (2)班, 三年级2班 or 三(2)班."""
    match = _CLASS_NUMBER.search(name)
    return int(match[1]) if match and int(match[1]) >= 1 else None


@dataclass(frozen=True)
class _Field:
    key: str
    read: Callable[[Cell], Any]
    required: bool = False
    blank: Any = None  # the value of a blank cell


_FIELDS = (
    _Field("student_number", student_number, required=True),
    _Field("name", partial(import_rows.bounded, longest=50), required=True),
    _Field("sex", import_rows.sex, required=True),
    _Field("birth_date", import_rows.day, required=True),
    _Field("id_document_type", id_document_type),
    _Field("id_number", import_rows.id_number_text, blank=""),
    _Field("grade", assignment_rows.grade, required=True),
    _Field("class_name", partial(import_rows.bounded, longest=40)),
    _Field("entry_date", entry_date),
    _Field("status", status, blank=S.ENROLLED),
    _Field("guardian_name", partial(import_rows.bounded, longest=50)),
)


def sheet_of(rows: Sequence[Mapping[str, Cell | None]]) -> Sheet:
    """A JSON body's rows as a sheet: the API's field names for the header (with any other key
    a row has, reported as ignored), each row numbered by its index."""
    header = list(KEYS)
    seen = set(header)
    for values in rows:
        for key in values:
            if key not in seen:
                seen.add(key)
                header.append(key)
    if len(header) > import_rows.MAX_COLUMNS:
        raise InvalidInput(
            "rows",
            f"字段超过{import_rows.MAX_COLUMNS}个 (more than {import_rows.MAX_COLUMNS} fields)",
        )
    return Sheet(
        header=header,
        columns={key: index for index, key in enumerate(KEYS)},
        rows=[
            (index, ["" if (v := values.get(key)) is None else v for key in header])
            for index, values in enumerate(rows)
        ],
    )


def parse(sheet: Sheet, *, grades: tuple[int, int], today: date) -> list[Row]:
    """Each row checked alone, then the rows together."""
    rows = [_row(sheet, number, cells, grades, today) for number, cells in sheet.rows]
    _once_each(rows)
    return rows


def _row(sheet: Sheet, number: int, cells: list[Cell], grades: tuple[int, int], today: date) -> Row:
    row = Row(row=number, cells=cells)
    values: dict[str, Any] = {}
    for each in _FIELDS:
        index = sheet.columns.get(each.key)
        cell = cells[index] if index is not None and index < len(cells) else ""
        if isinstance(cell, str) and not cell.strip():
            if each.required:
                row.faults.append((each.key, REQUIRED_VALUE))
            values[each.key] = each.blank
            continue
        try:
            values[each.key] = each.read(cell)
        except ValueError as exc:
            row.faults.append((each.key, str(exc)))
            values[each.key] = each.blank
    raw_number = values.pop("id_number")
    for key, value in values.items():
        setattr(row, key, value)
    if row.id_document_type not in (None, D.RESIDENT_ID):
        raw_number = _other_document(row, raw_number)
    _identity(row, raw_number, today)
    if row.grade is not None and not grades[0] <= row.grade <= grades[1]:
        row.faults.append(("grade", f"本校只设{grades[0]}至{grades[1]}年级 (not taught here)"))
    if row.entry_date is not None:
        row.faults += _entry_faults(row.entry_date, row.birth_date, today)
    return row


def _identity(row: Row, raw_number: str, today: date) -> None:
    """The birth date, the ID number against it and the sex, and the student number against
    the ID number; a G number (G + the ID number) stands for the ID number when the row has
    none, and is then held to the same rules."""
    if row.birth_date is not None:
        row.faults += child_rules.birth_date_faults(row.birth_date, today=today)
    number, where = raw_number, "id_number"
    if not number and row.student_number and row.student_number.startswith("G"):
        if faults := enrolments.student_number_faults(row.student_number, child_id_number=None):
            row.faults += faults
            return
        number, where = row.student_number[1:], "student_number"
    if number and row.birth_date is not None and row.sex is not None:
        row.id_number, faults = child_rules.id_number_faults(
            number, born=row.birth_date, sex=row.sex, today=today, field=where
        )
        row.faults += faults
    elif number:
        try:
            row.id_number = id_number.parse(number, today=today).number
        except id_number.InvalidIdNumber as exc:
            row.faults.append((where, str(exc)))
    if row.student_number is not None and where == "id_number":
        row.faults += enrolments.student_number_faults(
            row.student_number, child_id_number=row.id_number
        )


def _other_document(row: Row, raw_number: str) -> str:
    """A passport's or a pass's number kept as given (no ID number to check or match); what is
    left to read as an ID number: nothing."""
    if len(raw_number) > 30:
        row.faults.append(("id_number", "证件号码不能超过30个字符 (at most 30 characters)"))
    else:
        row.id_document_number = raw_number or None
    return ""


def _entry_faults(entered: date, born: date | None, today: date) -> list[Fault]:
    if entered > today:
        return [("entry_date", "入学日期不能晚于今天 (in the future)")]
    if born is not None and entered < born:
        return [("entry_date", "入学日期早于出生日期 (before the birth date)")]
    return []


def _once_each(rows: list[Row]) -> None:
    """A student number or an ID number twice in the file: the later rows are refused."""
    first_student: dict[str, int] = {}
    first_id: dict[str, int] = {}
    for row in rows:
        if row.student_number:
            earlier = first_student.setdefault(row.student_number, row.row)
            if earlier != row.row:
                row.faults.append(
                    ("student_number", f"与第{earlier}行的学籍号重复 (the same as row {earlier})")
                )
        if row.id_number:
            earlier = first_id.setdefault(row.id_number, row.row)
            if earlier != row.row:
                row.faults.append(
                    ("id_number", f"与第{earlier}行的身份证号码重复 (the same as row {earlier})")
                )
