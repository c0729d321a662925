"""Shapes every resource shares."""

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

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
    Query(pattern=r"^\d{6}(\d{3}){0,3}$", description="an official area code: its whole subtree"),
]
SearchQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=50, description="name, pinyin initials or ID number"),
]
