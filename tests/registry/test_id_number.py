from datetime import date

import pytest

from api.models.vocabulary import Sex
from api.services.registry import id_number
from api.services.registry.id_number import InvalidIdNumber


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), Sex.FEMALE),  # the standard's own example
        ("510821201503041231", date(2015, 3, 4), Sex.MALE),
        (
            id_number.make(area_code="440524", birth_date=date(2011, 1, 1), sequence=1),
            date(2011, 1, 1),
            Sex.MALE,
        ),
    ],
)
def test_valid_numbers_give_birth_date_and_sex(number: str, born: date, sex: Sex) -> None:
    facts = id_number.parse(number)
    assert (facts.birth_date, facts.sex) == (born, sex)


def test_lowercase_x_and_spaces_are_normalised() -> None:
    assert id_number.parse(" 11010519491231002x ").number == "11010519491231002X"


def test_full_width_digits_as_chinese_keyboards_type_them_are_stored_as_ascii() -> None:
    assert id_number.parse("１１０１０５１９４９１２３１００２ｘ").number == "11010519491231002X"
    arabic_indic = "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"  # digits, to Python's \d, yet no ID number
    with pytest.raises(InvalidIdNumber, match="18位"):
        id_number.parse(arabic_indic)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "校验位"),  # check digit wrong
        ("11010519491331002X", "出生日期"),  # month 13
        ("1101051949123100", "18位"),  # too short
        ("11010519491231002Y", "18位"),  # bad last character
        ("110105300001010018", "出生日期"),  # born in 3000
        ("", "18位"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(number: str, reason: str) -> None:
    with pytest.raises(InvalidIdNumber, match=reason):
        id_number.parse(number, today=date(2026, 11, 23))


def test_old_fifteen_digit_numbers_are_accepted() -> None:
    facts = id_number.parse("110105491231002")
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.sex is Sex.FEMALE  # the sequence 002 is even
    assert id_number.parse("110105491231003").sex is Sex.MALE


def test_made_numbers_are_valid_and_carry_sex_in_the_sequence_parity() -> None:
    born = date(2015, 3, 4)
    male = id_number.make(area_code="519901", birth_date=born, sequence=123)
    female = id_number.make(area_code="519901", birth_date=born, sequence=124)
    assert id_number.parse(male).sex is Sex.MALE
    assert id_number.parse(female).sex is Sex.FEMALE
    assert id_number.parse(male).area_code == "519901"


def test_student_numbers_follow_the_g_and_j_forms() -> None:
    assert id_number.student_number("11010519491231002X", fallback="x") == "G11010519491231002X"
    assert id_number.student_number(None, fallback="2510000001000123") == "J2510000001000123"
