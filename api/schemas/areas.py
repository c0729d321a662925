from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, Field

from api.models.vocabulary import AreaLevel

AREA_CODE_PATTERN = r"^\d{6}(\d{3}){0,3}$"
MAX_TREE_DEPTH = 4

AreaCodePath = Annotated[
    str, Path(pattern=AREA_CODE_PATTERN, description="an official area code", examples=["519901"])
]
ParentQuery = Annotated[
    str | None,
    Query(pattern=AREA_CODE_PATTERN, description="list this area's direct children"),
]
RootQuery = Annotated[
    str | None,
    Query(pattern=AREA_CODE_PATTERN, description="answer the tree under this area instead"),
]
DepthQuery = Annotated[
    int | None,
    Query(ge=1, le=MAX_TREE_DEPTH, description="levels below root in the tree (default 1)"),
]


class AreaRef(BaseModel):
    code: str
    name: str
    level: AreaLevel


class AreaOut(AreaRef):
    parent_code: str | None
    children_count: int = Field(description="how many areas lie directly under this one")


class AreaNode(AreaOut):
    children: list["AreaNode"] | None = Field(
        default=None, description="null where the tree was not expanded; see children_count"
    )


class AreaDetail(AreaOut):
    ancestors: list[AreaRef] = Field(description="from the top down to the parent: breadcrumbs")
    children: list[AreaOut]


class RowError(BaseModel):
    row: int = Field(description="the line number in the file; the header is line 1")
    field: str = Field(description="code, name, level or parent")
    message: str


class AreaImportReport(BaseModel):
    created: int
    renamed: int
    unchanged: int
    rejected: int = Field(description="rows refused, each for the reasons in errors")
    errors: list[RowError] = Field(description="the first 500 faults, in file order")
