from datetime import date, timedelta

import pytest

from api.services.core import school_age
from api.settings import Settings

DEFAULT = Settings()


@pytest.mark.parametrize(
    ("born", "grade_in_2026"),
    [
        (date(2020, 8, 31), 1),  # six on the cut-off day: enters this year
        (date(2020, 9, 1), 0),  # one day too young: next year
        (date(2011, 9, 1), 9),
        (date(2011, 8, 31), 10),  # has finished nine years
        (date(2016, 2, 29), 5),
    ],
)
def test_expected_grade_follows_the_cut_off(born: date, grade_in_2026: int) -> None:
    assert school_age.expected_grade(born, 2026, DEFAULT) == grade_in_2026


def test_entry_age_and_cut_off_are_settings() -> None:
    seven = Settings(school_entry_age=7, school_entry_cutoff="12-31")
    assert school_age.expected_grade(date(2019, 6, 30), 2026, seven) == 1
    assert school_age.expected_grade(date(2019, 6, 30), 2026, DEFAULT) == 2


def test_compulsory_age_window() -> None:
    on = date(2026, 11, 23)
    assert school_age.is_compulsory_age(date(2020, 8, 31), on, DEFAULT)
    assert not school_age.is_compulsory_age(date(2020, 9, 1), on, DEFAULT)
    assert school_age.is_compulsory_age(date(2011, 9, 1), on, DEFAULT)
    assert not school_age.is_compulsory_age(date(2011, 8, 31), on, DEFAULT)


@pytest.mark.parametrize(
    ("day", "term"),
    [
        (date(2026, 9, 1), "2026-2027-1"),
        (date(2026, 11, 23), "2026-2027-1"),
        (date(2027, 1, 20), "2026-2027-1"),
        (date(2027, 3, 1), "2026-2027-2"),
        (date(2027, 8, 31), "2026-2027-2"),
    ],
)
def test_terms(day: date, term: str) -> None:
    assert school_age.term_of(day, DEFAULT) == term


def test_birth_date_range_of_a_grade_round_trips() -> None:
    for grade in range(1, 10):
        first, last = school_age.birth_dates_for_grade(grade, 2026, DEFAULT)
        assert school_age.expected_grade(first, 2026, DEFAULT) == grade
        assert school_age.expected_grade(last, 2026, DEFAULT) == grade
        assert school_age.expected_grade(first - timedelta(days=1), 2026, DEFAULT) == grade + 1
        assert school_age.expected_grade(last + timedelta(days=1), 2026, DEFAULT) == grade - 1
