"""Cells of the workbooks the API writes. Text typed by people (in the field, in a clerk's
file) is written so that a worksheet can hold it and Excel shows it, never runs it."""

from datetime import date
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def cell(sheet: Any, value: Any) -> Any:
    """``value`` as a cell of ``sheet``: control characters taken out of text, text that
    looks like a formula kept as text, dates shown as dates."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    made = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        made.data_type = "s"
    if isinstance(value, date):
        made.number_format = "yyyy-mm-dd"
    return made
