"""The two deadlines of every case, and the follow-up visits after a return, computed here
and nowhere else.

不过夜: reported to the school within 24 hours of being noticed; a case entered here is before
the school at once, so this is met when the case is entered in time. 不过周: reported to the
county bureau and township within 7 days. Both are fixed as timestamps when the case opens,
so that lists, ledgers and statistics compare columns, on either database.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col

from api.models import Case
from api.models.vocabulary import CaseStatus
from api.schemas.cases import DeadlineState
from api.services.cases import case_rules
from api.services.core import school_age
from api.settings import Settings

SCHOOL_WITHIN = timedelta(hours=24)
COUNTY_WITHIN = timedelta(days=7)
WEEKLY_FOR = 4  # weeks after the return, a visit each; then one a month to the term's end
MONTH_AFTER = 30


def due(noticed_at: datetime) -> tuple[datetime, datetime]:
    """When the school and when the county bureau must have the case."""
    return noticed_at + SCHOOL_WITHIN, noticed_at + COUNTY_WITHIN


def state(*, due_at: datetime, met_at: datetime | None, now: datetime, moot: bool) -> DeadlineState:
    if met_at is not None:
        return DeadlineState.MET if met_at <= due_at else DeadlineState.MET_LATE
    if moot:
        return DeadlineState.MOOT
    return DeadlineState.OVERDUE if now > due_at else DeadlineState.PENDING


def overdue(now: datetime) -> ColumnElement[bool]:
    """Open cases past the county deadline (不过周) and not yet reported up: in SQL."""
    return and_(
        col(Case.status).in_(case_rules.OPEN),
        col(Case.county_reported_at).is_(None),
        col(Case.county_due_at) < now,
    )


def missed(now: datetime) -> ColumnElement[bool]:
    """Cases with a deadline met late or overdue (``state`` MET_LATE or OVERDUE): in SQL."""
    return or_(
        col(Case.reported_at) > col(Case.school_due_at),
        col(Case.county_reported_at) > col(Case.county_due_at),
        and_(
            col(Case.county_reported_at).is_(None),
            col(Case.county_due_at) < now,
            col(Case.status) != CaseStatus.DISMISSED,
        ),
    )


def follow_ups(returned_on: date, settings: Settings) -> list[date]:
    """跟踪回访 after a return on ``returned_on``: weekly for the first month, then monthly to
    the end of the term (the next term's first month when the return came at a term's end)."""
    days = [returned_on + timedelta(weeks=n) for n in range(1, WEEKLY_FOR + 1)]
    end = max(school_age.term_end(returned_on, settings), days[-1])
    while (following := days[-1] + timedelta(days=MONTH_AFTER)) <= end:
        days.append(following)
    return days
