"""Reading a spreadsheet the way counties keep them: one sheet, a header somewhere near the
top in Chinese (or the API's field names), and whatever Excel made of dates, flags and long
numbers. A ``Layout`` says which columns an import reads: the households' (one row per child,
the household's columns repeated on each row of the same household) is here; others beside
their import.

Pure: bytes in, cells and typed values out; nothing here touches the database.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from api.models.vocabulary import DisabilityPlacement, GuardianRelation, Sex
from api.schemas.common import mobile_digits
from api.services.core.errors import InvalidInput, PayloadTooLarge

Cell = str | int | float | bool | date | datetime | time | timedelta

MAX_COLUMNS = 200
HEADER_SEARCH_ROWS = 20  # a title or a note above the header is common
# Blank rows and a title are allowed above and between the rows; beyond this the sheet is
# refused before it is read into memory.
_EXTENT_SLACK = 1_000


class UnsupportedFile(ValueError):
    """Not a spreadsheet this import reads (an old .xls, a picture, a PDF...)."""


@dataclass(frozen=True)
class Column:
    key: str  # the API's field name, also accepted as a heading
    headings: tuple[str, ...]
    required: bool = False


# The columns an import's own error report adds: a fixed report is imported again as it is.
REPORT_COLUMNS = ("错误说明", "原行号")
_HINT = re.compile(r"[(（][^)）]*[)）]$")  # "性别(男/女)", "出生日期（yyyy-mm-dd）"


def _heading_key(heading: str) -> str:
    return _HINT.sub("", re.sub(r"\s+", "", heading)).lstrip("*＊").lower()


_IGNORED_QUIETLY = {_heading_key(h) for h in REPORT_COLUMNS}


class Layout:
    """The columns one kind of import reads, each known by its Chinese headings or its key."""

    def __init__(self, *columns: Column) -> None:
        self.columns = columns
        self.required = tuple(c.key for c in columns if c.required)
        self._keys = {_heading_key(h): c.key for c in columns for h in (c.key, *c.headings)}

    def column_of(self, heading: str) -> str | None:
        """The field a heading names, or None for a column this import does not read."""
        return self._keys.get(_heading_key(heading))

    def ignored(self, header: list[str]) -> list[str]:
        return [
            h
            for h in header
            if h.strip() and self.column_of(h) is None and _heading_key(h) not in _IGNORED_QUIETLY
        ]

    def heading(self, key: str) -> str:
        """The first Chinese heading of a field, for messages about a column not in the file."""
        return next(c.headings[0] for c in self.columns if c.key == key)


HOUSEHOLDS = Layout(
    Column(
        "area_code",
        ("区划代码", "村民小组代码", "村组代码", "行政区划代码", "统计用区划代码"),
        True,
    ),
    Column("address", ("家庭住址", "家庭地址", "住址", "现住址", "居住地址"), True),
    Column("head_name", ("户主姓名", "户主"), True),
    Column("phone", ("联系电话", "户主电话", "家庭电话", "电话")),
    Column("is_poverty_registered", ("是否建档立卡户", "建档立卡户", "是否脱贫户", "脱贫户")),
    Column("is_minimum_living", ("是否低保户", "低保户")),
    Column("name", ("儿童姓名", "学生姓名", "姓名"), True),
    Column("sex", ("性别",), True),
    Column("birth_date", ("出生日期", "出生年月日"), True),
    Column("id_number", ("身份证号码", "身份证号", "公民身份号码", "身份证件号码")),
    Column("registered_address", ("户籍地址", "户籍所在地", "户口所在地")),
    Column("left_behind", ("留守情况", "留守类型")),
    Column("disability_kind", ("残疾类别", "残疾类型")),
    Column("disability_grade", ("残疾等级",)),
    Column("placement", ("安置方式", "残疾儿童安置方式")),
    Column("is_orphan", ("孤儿", "是否孤儿")),
    Column("is_unattended", ("事实无人抚养", "事实无人抚养儿童", "是否事实无人抚养儿童")),
    Column("is_in_hardship", ("困境儿童", "是否困境儿童")),
    Column("is_migrant", ("随迁子女", "是否随迁子女")),
    Column("is_in_legal_case", ("涉案未成年人", "是否涉案未成年人")),
    Column("guardian_name", ("监护人姓名", "监护人")),
    Column("guardian_relation", ("与儿童关系", "监护人与儿童关系", "与儿童的关系", "关系")),
    Column("guardian_phone", ("监护人电话", "监护人联系电话", "监护人手机")),
)


@dataclass(frozen=True)
class Sheet:
    header: list[str]  # the headings as written
    columns: dict[str, int]  # field -> index in the row
    rows: list[tuple[int, list[Cell]]]  # (row number as the clerk sees it, cells); no blanks

    def heading(self, key: str) -> str:
        """The file's own heading of a field, for messages the clerk can match to a column."""
        index = self.columns.get(key)
        return self.header[index] if index is not None else key


# Reading the file --------------------------------------------------------------------------


def read(data: bytes, *, filename: str | None, max_rows: int, layout: Layout) -> Sheet:
    if not data:
        raise InvalidInput("file", "文件是空的 (the file is empty)")
    if data.startswith(b"PK\x03\x04"):
        return _sheet(_xlsx_grids(data, max_rows), max_rows, layout)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFile(
            "旧版Excel（.xls）文件请另存为 .xlsx 或 CSV 后再导入 "
            "(an old .xls workbook: save it as .xlsx or CSV first)"
        )
    suffix = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if suffix == "xlsx":
        raise UnsupportedFile(
            "文件名是 .xlsx，内容却不是Excel工作簿 (named .xlsx, but it is not a workbook)"
        )
    if suffix not in ("", "csv", "txt") or b"\x00" in data[:65_536]:
        raise UnsupportedFile(
            "只能导入 .xlsx 或 CSV 文件 (only .xlsx workbooks and CSV files can be imported)"
        )
    return _sheet(iter([_csv_grid(data)]), max_rows, layout)


def _xlsx_grids(data: bytes, max_rows: int) -> Iterator[list[list[Cell]]]:
    """Each visible worksheet's cells, from A1 (so that row numbers are Excel's own)."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            workbook.get_sheet_by_name(meta.name)
            for meta in workbook.sheets_metadata
            if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
        ]
    except CalamineError as exc:
        raise InvalidInput(
            "file", f"无法读取这个Excel文件 (the workbook cannot be read: {exc})"
        ) from exc
    for sheet in sheets:
        end = sheet.end
        if end is not None and end[0] + 1 > max_rows + _EXTENT_SLACK:
            raise PayloadTooLarge(
                f"一次最多导入{max_rows}行，请分成几个文件 (at most {max_rows} rows a file: "
                "split it)",
                max_rows=max_rows,
            )
        if end is not None and end[1] + 1 > MAX_COLUMNS:
            raise InvalidInput("file", f"列数超过{MAX_COLUMNS} (more than {MAX_COLUMNS} columns)")
        yield [list(row) for row in sheet.to_python(skip_empty_area=False)]


def _decode(data: bytes) -> str:
    # Chinese Excel saves "CSV" in GB18030 (GBK); everything else in UTF-8, often with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("file", "文件编码无法识别 (the file is neither UTF-8 nor GB18030 text)")


def _csv_grid(data: bytes) -> list[list[Cell]]:
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [list(record) for record in reader]
    except csv.Error as exc:
        raise InvalidInput(
            "file", f"第{reader.line_num}行不是有效的CSV (line {reader.line_num}: {exc})"
        ) from exc


def _is_blank(cells: list[Cell]) -> bool:
    return all(isinstance(c, str) and not c.strip() for c in cells)


def _header_at(grid: list[list[Cell]], layout: Layout) -> tuple[int, dict[str, int]] | None:
    """The row among the first few that names the most columns, with its columns."""
    best: tuple[int, dict[str, int]] | None = None
    for index, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(cells):
            key = layout.column_of(text(cell))
            if key is not None and key not in columns:
                columns[key] = position
        if len(columns) >= 2 and (best is None or len(columns) > len(best[1])):
            best = index, columns
    return best


def _sheet(grids: Iterator[list[list[Cell]]], max_rows: int, layout: Layout) -> Sheet:
    found: tuple[list[list[Cell]], int, dict[str, int]] | None = None
    for grid in grids:
        at = _header_at(grid, layout)
        if at is not None and (found is None or len(at[1]) > len(found[2])):
            found = grid, *at
        if found is not None and all(key in found[2] for key in layout.required):
            break
    if found is None:
        example = "、".join(c.headings[0] for c in layout.columns if c.required)
        leading = layout.columns[0]
        raise InvalidInput(
            "file",
            f"没有找到表头：第一行应为列名，如 {example} "
            f"(no header row: name the columns, e.g. {leading.headings[0]} or {leading.key})",
        )
    grid, header_index, columns = found
    header = [text(cell) for cell in grid[header_index]]
    first: dict[str, str] = {}
    duplicated = []
    for heading in header:
        if (key := layout.column_of(heading)) is not None:
            if key in first:
                duplicated.append(f"{first[key]}/{heading}")
            first.setdefault(key, heading)
    if duplicated:
        raise InvalidInput("file", f"列重复：{'、'.join(duplicated)} (the same column twice)")
    if missing := [k for k in layout.required if k not in columns]:
        names = "、".join(layout.heading(k) for k in missing)
        raise InvalidInput("file", f"缺少必填列：{names} (missing columns: {', '.join(missing)})")
    rows = [
        (number, cells)
        for number, cells in enumerate(grid[header_index + 1 :], start=header_index + 2)
        if not _is_blank(cells)
    ]
    if not rows:
        raise InvalidInput("file", "表头下没有数据 (no rows below the header)")
    if len(rows) > max_rows:
        raise PayloadTooLarge(
            f"一次最多导入{max_rows}行，这个文件有{len(rows)}行，请分成几个文件 "
            f"(at most {max_rows} rows a file, this one has {len(rows)}: split it)",
            max_rows=max_rows,
        )
    return Sheet(header=header, columns=columns, rows=rows)


# Cells --------------------------------------------------------------------------------------


def text(cell: Cell | None) -> str:
    """A cell as the clerk reads it: 13812345678 rather than 13812345678.0."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e16 else str(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat(sep=" ")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)


REQUIRED_VALUE = "不能为空 (may not be empty)"
_YES = {"是", "y", "yes", "1", "true", "t", "√", "✓", "有"}
_NO = {"否", "n", "no", "0", "false", "f", "×", "✗", "无"}


def flag(cell: Cell) -> bool | None:
    """True or False, None when left blank; ValueError for anything else."""
    if isinstance(cell, bool):
        return cell
    value = text(cell).lower()
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError("须填“是”或“否” (must be 是 or 否, Y or N, 1 or 0)")


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01, past Excel's own leap-year slip
NOT_A_DATE = "不是有效日期，请写成 2017-03-01 (not a date: write it as 2017-03-01)"


def day(cell: Cell) -> date:
    """An Excel date, an Excel serial number, or 2017-03-01, 2017/3/1, 2017年3月1日, 20170301."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer():
        number = int(cell)
        if 1 <= number < 100_000:
            return _EXCEL_EPOCH + timedelta(days=number)
    value = text(cell).split(" ")[0].split("T")[0]
    match = _DATE_TEXT.match(value) or _DATE_DIGITS.match(value)
    if match is None:
        raise ValueError(NOT_A_DATE)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(NOT_A_DATE) from None


_SEXES = {"男": Sex.MALE, "男性": Sex.MALE, "male": Sex.MALE, "m": Sex.MALE, "1": Sex.MALE}
_SEXES |= {
    "女": Sex.FEMALE,
    "女性": Sex.FEMALE,
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "2": Sex.FEMALE,
}


def sex(cell: Cell) -> Sex:
    found = _SEXES.get(text(cell).lower())
    if found is None:
        raise ValueError("须填“男”或“女” (must be 男 or 女)")
    return found


def left_behind(cell: Cell) -> int:
    value = text(cell)
    if value in ("", "否", "无"):
        return 0
    if value in ("0", "1", "2"):
        return int(value)
    raise ValueError(
        "须为0、1或2：0非留守，1父母一方外出，2父母均外出 (0 no, 1 one parent away, 2 both)"
    )


_GRADES = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}


def disability_grade(cell: Cell) -> int | None:
    value = text(cell).removesuffix("级")
    if not value or value in ("无", "-", "—", "/"):
        return None
    if value not in _GRADES:
        raise ValueError("残疾等级须为1至4级 (a grade from 1 to 4)")
    return _GRADES[value]


def disability_kind(cell: Cell) -> str | None:
    value = text(cell)
    return None if value in ("", "无", "否", "-", "—", "/") else bounded(value, 40)


_PLACEMENTS = {p.value: p for p in DisabilityPlacement} | {
    "特教学校": DisabilityPlacement.SPECIAL_SCHOOL,
    "特殊教育学校": DisabilityPlacement.SPECIAL_SCHOOL,
    "随班就读": DisabilityPlacement.REGULAR_CLASS,
    "特教班": DisabilityPlacement.SPECIAL_CLASS,
    "普通学校特教班": DisabilityPlacement.SPECIAL_CLASS,
    "送教上门": DisabilityPlacement.HOME_DELIVERED,
    "机构": DisabilityPlacement.INSTITUTION,
    "机构安置": DisabilityPlacement.INSTITUTION,
    "康复机构": DisabilityPlacement.INSTITUTION,
    "待安置": DisabilityPlacement.AWAITING,
}


def placement(cell: Cell) -> DisabilityPlacement | None:
    value = text(cell)
    if not value or value in ("无", "-", "—", "/"):
        return None
    found = _PLACEMENTS.get(value.lower())
    if found is None:
        raise ValueError(
            "安置方式须为 特教学校、随班就读、特教班、送教上门、机构 或 待安置 "
            "(special school, regular class, special class, home-delivered, institution, awaiting)"
        )
    return found


_RELATIVES = (
    "其他亲属",
    "亲属",
    "叔叔",
    "叔父",
    "伯父",
    "伯伯",
    "伯母",
    "婶婶",
    "姑姑",
    "姑妈",
    "姑父",
    "舅舅",
    "舅妈",
    "姨妈",
    "姨父",
    "阿姨",
    "哥哥",
    "姐姐",
)
_RELATIONS = {r.value: r for r in GuardianRelation} | {
    **dict.fromkeys(("父亲", "父", "爸爸"), GuardianRelation.FATHER),
    **dict.fromkeys(("母亲", "母", "妈妈"), GuardianRelation.MOTHER),
    **dict.fromkeys(("祖父", "爷爷", "外祖父", "外公"), GuardianRelation.GRANDFATHER),
    **dict.fromkeys(("祖母", "奶奶", "外祖母", "外婆"), GuardianRelation.GRANDMOTHER),
    **dict.fromkeys(
        _RELATIVES,
        GuardianRelation.OTHER_RELATIVE,
    ),
    **dict.fromkeys(("其他", "其它"), GuardianRelation.OTHER),
}


def relation(cell: Cell) -> GuardianRelation:
    found = _RELATIONS.get(text(cell).lower())
    if found is None:
        raise ValueError(
            "与儿童关系须为 父亲、母亲、祖父、祖母、其他亲属 或 其他 "
            "(father, mother, grandfather, grandmother, other relative or other)"
        )
    return found


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def mobile(cell: Cell) -> str | None:
    value = mobile_digits(text(cell))
    if not value:
        return None
    if not _MOBILE.match(value):
        raise ValueError(
            "手机号码须为11位，以13至19开头 (a mobile number: 11 digits from 13 to 19)"
        )
    return value


_AREA_CODE = re.compile(r"^\d{6}(\d{3}){0,3}$")


def area_code(cell: Cell) -> str:
    value = text(cell)
    if not _AREA_CODE.match(value):
        raise ValueError(
            "区划代码须为数字：村12位，村民小组15位 (digits: 12 for a village, 15 for a group)"
        )
    return value


def bounded(cell: Cell, longest: int) -> str | None:
    value = text(cell)
    if len(value) > longest:
        raise ValueError(f"不能超过{longest}个字 (at most {longest} characters)")
    return value or None


def id_number_text(cell: Cell) -> str:
    """The ID number as typed; Excel keeps 15 significant digits, so one stored as a number
    has lost its end and cannot be trusted."""
    if isinstance(cell, float) and abs(cell) >= 1e15:
        raise ValueError(
            "身份证号码被Excel存成了数字，末几位已丢失：请把这一列设为文本后重新填写 "
            "(Excel stored it as a number and lost its last digits: make the column text)"
        )
    return text(cell)
