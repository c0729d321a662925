"""Compulsory-school age, grades and terms, computed from the local conventions in settings.

Entry age, cut-off date and years of schooling differ between areas (docs/domain.md), so no other
module may compute an age, a grade or a term by itself.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from api.settings import Settings


def local_today(settings: Settings) -> date:
    """Today where the county is, not where the server's clock is set."""
    return datetime.now(ZoneInfo(settings.timezone)).date()


def local_date(moment: datetime, settings: Settings) -> date:
    """The county's date at ``moment`` (stored in UTC)."""
    return moment.astimezone(ZoneInfo(settings.timezone)).date()


def local_minute(moment: datetime, settings: Settings) -> str:
    """``moment`` as the county's clock shows it, to the minute: 2026-12-01 18:30."""
    return f"{moment.astimezone(ZoneInfo(settings.timezone)):%Y-%m-%d %H:%M}"


def full_years(birth_date: date, on: date) -> int:
    """Age in full years on the day ``on`` (周岁)."""
    had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (0 if had_birthday else 1)


def age_at(birth_date: date, moment: datetime, settings: Settings) -> int:
    """Age in full years on the county's date at ``moment`` (stored in UTC): a child's age
    when a case was noticed, say, which the county's calendar decides, not UTC's."""
    return full_years(birth_date, local_date(moment, settings))


def school_year_of(day: date, settings: Settings) -> int:
    """The school year a day belongs to, named by its first calendar year (2026 = 2026-2027).

    A school year starts the day after the entry cut-off (1 September after 31 August).
    """
    start = settings.entry_cutoff(day.year) + timedelta(days=1)
    return day.year if day >= start else day.year - 1


def entry_school_year(birth_date: date, settings: Settings) -> int:
    """The school year a child starts grade 1 in: the first whose cut-off finds them of age."""
    year = birth_date.year + settings.school_entry_age
    if _birthday_in(year, birth_date) > settings.entry_cutoff(year):
        year += 1
    return year


def expected_grade(birth_date: date, school_year: int, settings: Settings) -> int:
    """The grade an on-time child is in; below 1 not yet of age, above the last grade finished."""
    return school_year - entry_school_year(birth_date, settings) + 1


def is_compulsory_age(birth_date: date, on: date, settings: Settings) -> bool:
    grade = expected_grade(birth_date, school_year_of(on, settings), settings)
    return 1 <= grade <= settings.compulsory_years


def birth_dates_for_grade(grade: int, school_year: int, settings: Settings) -> tuple[date, date]:
    """The birth dates (first, last) of children due in a grade, for generators and filters."""
    entry_year = school_year - grade + 1
    cutoff = settings.entry_cutoff(entry_year - settings.school_entry_age)
    last = cutoff
    first = settings.entry_cutoff(entry_year - settings.school_entry_age - 1) + timedelta(days=1)
    return first, last


def term_of(day: date, settings: Settings) -> str:
    """ "2026-2027-1" for the autumn term, "2026-2027-2" from February to the cut-off."""
    year = school_year_of(day, settings)
    number = 1 if day.year == year or day.month == 1 else 2
    return f"{year}-{year + 1}-{number}"


def term_start(term: str, settings: Settings) -> date:
    """The first day of a term named "2026-2027-1": the school year's first day for the
    autumn term, 1 February for the spring term."""
    year, number = int(term[:4]), term[-1]
    if number == "1":
        return settings.entry_cutoff(year) + timedelta(days=1)
    return date(year + 1, 2, 1)


def births_of_school_year(year: int, settings: Settings) -> tuple[date, date]:
    """The birth dates (oldest, youngest) of the children of compulsory age in a school year."""
    oldest, _ = birth_dates_for_grade(settings.compulsory_years, year, settings)
    _, youngest = birth_dates_for_grade(1, year, settings)
    return oldest, youngest


def term_end(day: date, settings: Settings) -> date:
    """The last day of the term ``day`` falls in: the autumn term ends with January, the
    spring term with the school year (the entry cut-off, summer included)."""
    year = school_year_of(day, settings)
    if term_of(day, settings).endswith("-1"):
        return date(year + 1, 1, 31)
    return settings.entry_cutoff(year + 1)


def _birthday_in(year: int, birth_date: date) -> date:
    if (birth_date.month, birth_date.day) == (2, 29):
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 3, 1)
    return birth_date.replace(year=year)
