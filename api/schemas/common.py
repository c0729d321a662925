"""Shapes every resource shares."""

import re
import unicodedata
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

MAX_PAGE = 200

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"at most {MAX_PAGE}")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: never unbounded; ``total`` counts every match."""

    items: list[T]
    total: int
    limit: int
    offset: int


AreaQuery = Annotated[
    str | None,
    Query(
        pattern=r"^\d{6}(\d{3}){0,3}$",
        description="an official area code: its whole subtree",
        examples=["519901001"],
    ),
]
SearchQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=50, description="name, pinyin initials or ID number"),
]


_PHONE_NOISE = re.compile(r"[\s\-()]")


def mobile_digits(value: str) -> str:
    """A mobile number as people write it ("138-1234-5678", "+86 138 1234 5678", full-width
    digits from a Chinese keyboard) down to its 11 digits, as the API and the imports store it."""
    digits = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", value))
    return digits.removeprefix("+86")


def _mobile_digits(value: Any) -> Any:
    return mobile_digits(value) if isinstance(value, str) else value


Mobile = Annotated[
    str,
    BeforeValidator(_mobile_digits),
    StringConstraints(pattern=r"^1[3-9]\d{9}$"),
    Field(
        description="an 11-digit mobile number; spaces, dashes and +86 are dropped",
        examples=["13812345678"],
    ),
]
Text50 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text500 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Text1000 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Reason = Annotated[
    str,
    Query(min_length=2, max_length=200, description="why: kept with the record for the audit"),
]
AreaCode = Annotated[
    str,
    StringConstraints(pattern=r"^\d{6}(\d{3}){0,3}$"),
    Field(
        description="an official area code: 6, 9, 12 digits, or 15 for a village group",
        examples=["519901001"],
    ),
]
