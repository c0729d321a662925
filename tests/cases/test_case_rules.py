"""The case rule table: what each action needs besides status and role, what it stamps,
when a child found out of school opens a case, and which reasons fit a child's age."""

from datetime import UTC, date, datetime

import pytest

from api.models.vocabulary import CaseAction as A
from api.models.vocabulary import CaseStatus as S
from api.models.vocabulary import DropoutReason as R
from api.models.vocabulary import ObservedSchooling as O
from api.models.vocabulary import SchoolingStatus
from api.schemas.cases import CaseCreate
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


@pytest.mark.parametrize(("reason", "youngest"), [(R.EARLY_MARRIAGE, 14), (R.GONE_TO_WORK, 12)])
def test_a_reason_with_a_youngest_age_is_implausible_below_it(
    reason: R, youngest: int, settings: Settings
) -> None:
    """Not a day under: the child's age in full years on the day noticed."""
    turns = NOW.date().replace(year=NOW.year - youngest)
    day_late = date(turns.year, turns.month, turns.day + 1)
    fault = case_rules.implausible_reason(reason, born=day_late, noticed_at=NOW, settings=settings)
    assert fault is not None
    assert f"not under {youngest}" in fault
    assert f"a child of {youngest - 1}" in fault
    assert (
        case_rules.implausible_reason(reason, born=turns, noticed_at=NOW, settings=settings) is None
    )
    six = _born(6).date()
    assert case_rules.implausible_reason(reason, born=six, noticed_at=NOW, settings=settings)


def test_the_age_is_the_countys_on_the_day_noticed_not_utcs(settings: Settings) -> None:
    """Noticed at 17:00 UTC on 1 March, 01:00 on 2 March in Shanghai: a child turning 14 on
    2 March is 14 when noticed."""
    evening = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    born = date(2012, 3, 2)
    assert (
        case_rules.implausible_reason(
            R.EARLY_MARRIAGE, born=born, noticed_at=evening, settings=settings
        )
        is None
    )
    in_utc = Settings(timezone="UTC")
    assert case_rules.implausible_reason(
        R.EARLY_MARRIAGE, born=born, noticed_at=evening, settings=in_utc
    )


def test_the_youngest_ages_are_settings_and_0_lets_any_age(settings: Settings) -> None:
    seven = _born(7).date()
    lenient = Settings(reason_min_age_early_marriage=0, reason_min_age_gone_to_work=7)
    for reason in (R.EARLY_MARRIAGE, R.GONE_TO_WORK):
        assert case_rules.implausible_reason(reason, born=seven, noticed_at=NOW, settings=settings)
        assert not case_rules.implausible_reason(
            reason, born=seven, noticed_at=NOW, settings=lenient
        )
    with pytest.raises(ValueError, match="reason_min_age_gone_to_work"):
        Settings(reason_min_age_gone_to_work=-1)


def test_the_other_reasons_and_the_default_fit_a_newborn(settings: Settings) -> None:
    """Sweeps without a reason and reconciliations open cases with the default reason
    (原因待查): it must fit any child, or a case would not open."""
    default = CaseCreate.model_fields["reason"].default
    assert default is R.UNKNOWN
    assert default not in case_rules.YOUNGEST
    for reason in set(R) - set(case_rules.YOUNGEST):
        assert not case_rules.implausible_reason(
            reason, born=NOW.date(), noticed_at=NOW, settings=settings
        )
