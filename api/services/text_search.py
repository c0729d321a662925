"""Search-box text inside SQL LIKE patterns."""

from sqlalchemy import ColumnElement
from sqlmodel import col


def like_escaped(text: str) -> str:
    """User text inside a LIKE pattern, its wildcards made literal (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: object, text: str) -> ColumnElement[bool]:
    return col(column).like(f"%{like_escaped(text)}%", escape="\\")


def starts_with(column: object, text: str) -> ColumnElement[bool]:
    return col(column).like(f"{like_escaped(text)}%", escape="\\")
