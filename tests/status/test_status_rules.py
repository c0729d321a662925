"""What a visit's observation means for a child's recorded status (status_rules.observed)."""

import pytest

from api.models.vocabulary import ObservedSchooling as O
from api.models.vocabulary import SchoolingStatus as S
from api.services.status import status_rules


@pytest.mark.parametrize(
    ("seen", "county_school", "current", "recorded"),
    [
        # At school: in the county when the phone named one of its schools, else outside it.
        (O.IN_SCHOOL, True, S.DROPPED_OUT, S.ENROLLED_IN_COUNTY),
        (O.IN_SCHOOL, False, S.UNKNOWN, S.ENROLLED_OUTSIDE_COUNTY),
        # Away: the visit says nothing new.
        (O.AWAY, False, S.ENROLLED_IN_COUNTY, S.ENROLLED_IN_COUNTY),
        # Out of school lawfully: where the record says.
        *[(O.NOT_IN_SCHOOL, False, s, s) for s in sorted(status_rules.LAWFULLY_OUT)],
        # Out of school and never at one: never enrolled, not dropped out.
        (O.NOT_IN_SCHOOL, False, S.UNKNOWN, S.NEVER_ENROLLED),
        (O.NOT_IN_SCHOOL, False, S.NEVER_ENROLLED, S.NEVER_ENROLLED),
        # Out of school after being at one: dropped out.
        (O.NOT_IN_SCHOOL, False, S.ENROLLED_IN_COUNTY, S.DROPPED_OUT),
        (O.NOT_IN_SCHOOL, False, S.WHEREABOUTS_UNKNOWN, S.DROPPED_OUT),
    ],
)
def test_an_observation_records(seen: O, county_school: bool, current: S, recorded: S) -> None:
    assert (
        status_rules.observed(seen, at_a_county_school=county_school, current=current) is recorded
    )


def test_the_lawfully_out_and_not_yet_enrolled_sets_are_apart_and_allowed_statuses() -> None:
    assert not status_rules.LAWFULLY_OUT & status_rules.NOT_YET_ENROLLED
    assert S.DROPPED_OUT not in status_rules.LAWFULLY_OUT | status_rules.NOT_YET_ENROLLED
