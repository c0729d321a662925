"""The case rule table: what each action needs besides status and role, what it stamps, and
when a child found out of school opens a case."""

from datetime import UTC, datetime

import pytest

from api.models.vocabulary import CaseAction as A
from api.models.vocabulary import CaseStatus as S
from api.models.vocabulary import ObservedSchooling as O
from api.models.vocabulary import SchoolingStatus
from api.services.cases import case_rules
from api.services.cases.case_rules import Needs
from api.services.core import school_age
from api.services.status import status_rules
from api.settings import Settings


def test_each_action_needs_the_same_wherever_the_table_allows_it() -> None:
    needed = {
        A.PLAN: {Needs.SAVED_PLAN},
        A.DISMISS: {Needs.DISMISSAL_REASON},
        A.REPORT_UPWARD: {Needs.NOT_REPORTED_UP},
    }
    for (status, action), move in case_rules.TRANSITIONS.items():
        assert move.needs == needed.get(action, set()), (status, action)


def test_reporting_up_is_allowed_from_every_open_status_and_keeps_it() -> None:
    for status in case_rules.OPEN:
        move = case_rules.TRANSITIONS[status, A.REPORT_UPWARD]
        assert move.to is status
    assert (S.CLOSED, A.REPORT_UPWARD) not in case_rules.TRANSITIONS
    assert case_rules.STAMPS[A.REPORT_UPWARD] == "county_reported_at"


NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def settings() -> Settings:
    return Settings()


def _born(age_years: int) -> datetime:
    return NOW.replace(year=NOW.year - age_years)


@pytest.mark.parametrize(
    ("seen", "status", "opens"),
    [
        (O.NOT_IN_SCHOOL, SchoolingStatus.ENROLLED_IN_COUNTY, True),
        (O.NOT_IN_SCHOOL, SchoolingStatus.DROPPED_OUT, True),
        (O.NOT_IN_SCHOOL, SchoolingStatus.NEVER_ENROLLED, True),
        *[(O.NOT_IN_SCHOOL, s, False) for s in sorted(status_rules.LAWFULLY_OUT)],
        (O.IN_SCHOOL, SchoolingStatus.ENROLLED_IN_COUNTY, False),
        (O.AWAY, SchoolingStatus.ENROLLED_IN_COUNTY, False),
    ],
)
def test_out_of_school_at_compulsory_age_and_not_lawfully_opens_a_case(
    seen: O, status: SchoolingStatus, opens: bool, settings: Settings
) -> None:
    born = _born(10).date()
    assert school_age.is_compulsory_age(born, NOW.date(), settings)
    assert case_rules.opens_case(seen, status=status, born=born, on=NOW, settings=settings) is opens


def test_a_child_past_compulsory_age_opens_no_case(settings: Settings) -> None:
    born = _born(17).date()
    assert not school_age.is_compulsory_age(born, NOW.date(), settings)
    assert not case_rules.opens_case(
        O.NOT_IN_SCHOOL,
        status=SchoolingStatus.DROPPED_OUT,
        born=born,
        on=NOW,
        settings=settings,
    )
