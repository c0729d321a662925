import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import UTCDateTime, UUIDKeyed, str_enum, utcnow
from api.models.vocabulary import ImportStatus


class ImportRecord(UUIDKeyed):
    """One spreadsheet imported: who, when, which file, and the rows refused with their
    faults, so that the clerk can download, fix and import them again. Each kind of import
    adds its own counts."""

    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    created_by_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    created_by_username: str = Field(max_length=60)
    # What the uploader covered then: whoever covers all of it may read the import later.
    area_codes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64, index=True)
    all_or_nothing: bool = False
    status: ImportStatus = Field(sa_type=str_enum(ImportStatus))
    rows: int = 0
    rejected: int = 0
    columns: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # the header as written
    errors: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    # The refused rows' cells as the file had them: {"row": n, "cells": [...]}.
    rejected_rows: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)


class HouseholdImport(ImportRecord, table=True):
    """A spreadsheet of households and children imported, and what came of it."""

    __tablename__ = "household_import"

    households_created: int = 0
    households_matched: int = 0
    children_created: int = 0
    children_unchanged: int = 0
    guardians_created: int = 0


class AssignmentImport(ImportRecord, table=True):
    """A spreadsheet of assignments (分工表) imported, and what came of it."""

    __tablename__ = "assignment_import"

    created: int = 0  # assignments begun
    replaced: int = 0  # of those, how many ended someone else's
    unchanged: int = 0  # rows naming who is responsible already
