"""Files as clerks make them, for the import tests: an XLSX with a title above its header, and a
CSV in the encoding asked for (GBK as Chinese Excel saves it)."""

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl

Row = dict[str, Any]
# A roster (学籍名单) as the student-status system exports it: each field's heading.
ROSTER_HEADINGS = {
    "student_number": "全国学籍号",
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证件号",
    "grade": "年级",
    "class_name": "班级",
    "entry_date": "入学年月",
    "status": "学籍状态",
    "guardian_name": "监护人姓名",
}


def xlsx(path: Path, rows: list[Row], *, headings: dict[str, str], title: str) -> bytes:
    """``headings`` maps each field to the column's heading; a row's missing field is blank."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([title])
    sheet.append(list(headings.values()))
    for row in rows:
        sheet.append([row.get(key, "") for key in headings])
    workbook.save(path)
    return path.read_bytes()


def csv_bytes(rows: list[Row], *, headings: dict[str, str], encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headings.values())
    for row in rows:
        writer.writerow([row.get(key, "") for key in headings])  # None: a blank cell
    return buffer.getvalue().encode(encoding)
