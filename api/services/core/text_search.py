"""Search-box text inside SQL: substrings as LIKE patterns, prefixes as index ranges."""

from sqlalchemy import ColumnElement, String, and_, literal
from sqlmodel import col


def inline(text: str) -> ColumnElement[str]:
    """A value written into the statement (quoted by the dialect) rather than bound.

    PostgreSQL plans a prepared statement once for all values after a few runs, and a range
    or a pattern then gets one guess at how many rows match: a village's range or a whole
    county's, a rare name or a common one, alike. Written in, each value is planned for.
    """
    return literal(text, String, literal_execute=True)


def like_escaped(text: str) -> str:
    """User text inside a LIKE pattern, its wildcards made literal (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: object, text: str) -> ColumnElement[bool]:
    return col(column).like(inline(f"%{like_escaped(text)}%"), escape="\\")


def starts_with(column: object, text: str) -> ColumnElement[bool]:
    """``column`` begins with ``text``, as the range ``[text, text's successor)``: unlike LIKE,
    a range uses the index on both databases, with a bound parameter too. The column must
    compare byte by byte (``models.base.byte_ordered``, or area codes)."""
    if not text:
        return col(column).is_not(None)
    successor = text[:-1] + chr(ord(text[-1]) + 1)
    return and_(col(column) >= inline(text), col(column) < inline(successor))
