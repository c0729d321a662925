import uuid
from datetime import date

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import AreaCodeType, Timestamped, UUIDKeyed, partial, str_enum
from api.models.vocabulary import AssignmentKind

_TARGETS = ("area_code", "school_id", "class_id", "child_id")


class Assignment(UUIDKeyed, Timestamped, table=True):
    """A named person responsible for a village, a group, a school, a class or a child, from
    one day until another (``valid_to`` None: still). Reassigning ends the old assignment
    the day the new one begins, so the history of who was responsible stays."""

    kind: AssignmentKind = Field(sa_type=str_enum(AssignmentKind))
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    area_code: str | None = Field(default=None, sa_type=AreaCodeType, foreign_key="area.code")
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id")
    class_id: uuid.UUID | None = Field(default=None, foreign_key="school_class.id")
    child_id: uuid.UUID | None = Field(default=None, foreign_key="child.id")
    valid_from: date
    valid_to: date | None = None
    assigned_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")

    __table_args__ = (
        sa.CheckConstraint(
            " + ".join(f"(CASE WHEN {t} IS NULL THEN 0 ELSE 1 END)" for t in _TARGETS) + " = 1",
            name="exactly_one_target",
        ),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        # One person at a time answers for each village, group, school, class or child.
        *(
            sa.Index(
                f"uq_assignment_current_{t}",
                "kind",
                t,
                unique=True,
                **partial(f"valid_to IS NULL AND {t} IS NOT NULL"),
            )
            for t in _TARGETS
        ),
    )
