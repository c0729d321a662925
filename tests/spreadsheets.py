"""Files as clerks make them, for the import tests: an XLSX with a title above its header, and a
CSV in the encoding asked for (GBK as Chinese Excel saves it)."""

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl

Row = dict[str, Any]


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
