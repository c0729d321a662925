import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from api.models.base import AreaCodeType, UTCDateTime


class StatisticsSnapshot(SQLModel, table=True):
    """The statistics' counts (services/statistics/statistics.py) as of ``computed_at``, a row per
    breakdown key and area: the child's area (for coverage, the household's), so that any
    area-scoped reader's figures are sums over the rows within their areas. A count the
    dimension does not carry is null. Derived data, replaced whole by each refresh
    (api/services/statistics/statistics_snapshot.py): it holds back nothing, hence no foreign keys.

    ``dimension``: "area" (the overview and the breakdown by area), "school", "grade",
    "reason", "flag", "week", "coverage" (``key``: the campaign), "snapshot" (a marker row:
    the refresh itself, or with a campaign as key, that its coverage is here)."""

    __tablename__ = "statistics_snapshot"

    dimension: str = Field(max_length=10, primary_key=True)
    key: str = Field(max_length=36, primary_key=True)  # "" for a null key
    area_code: str = Field(sa_type=AreaCodeType, primary_key=True)
    campaign_id: uuid.UUID | None = None
    computed_at: datetime = Field(sa_type=UTCDateTime)

    children_school_age: int | None = None
    children_enrolled: int | None = None
    enrolled_at_year_start: int | None = None
    cohort_grade_9: int | None = None
    cohort_intake: int | None = None
    dropped_out_this_year: int | None = None
    dropouts_open: int | None = None
    suspected: int | None = None
    cases_verified: int | None = None
    returned: int | None = None
    stable_returns: int | None = None
    school_deadline_due: int | None = None
    school_deadline_met: int | None = None
    county_deadline_due: int | None = None
    county_deadline_met: int | None = None
    households: int | None = None
    households_visited: int | None = None
    sweep_children: int | None = None
    sweep_children_observed: int | None = None
