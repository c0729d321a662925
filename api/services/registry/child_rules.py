"""What a county clerk checks on a child's record before it is stored.

Every rule returns its faults as (field, message) pairs, in Chinese first with English after,
so that one answer lists everything wrong with the form at once.
"""

from datetime import date

from api.models.vocabulary import Sex
from api.services.core import labels, school_age
from api.services.core.errors import Fault
from api.services.registry import id_number

OLDEST_CHILD_YEARS = 18  # the registry is of minors; adults are guardians


def birth_date_faults(born: date, *, today: date) -> list[Fault]:
    if born > today:
        return [("birth_date", "出生日期不能晚于今天 (the birth date is in the future)")]
    if school_age.full_years(born, today) > OLDEST_CHILD_YEARS:
        return [
            (
                "birth_date",
                f"已满{OLDEST_CHILD_YEARS}周岁，不是未成年人 (older than {OLDEST_CHILD_YEARS}: "
                "not a child)",
            )
        ]
    return []


def id_number_faults(
    raw: str | None, *, born: date, sex: Sex, today: date, field: str = "id_number"
) -> tuple[str | None, list[Fault]]:
    """The number as stored (normalised), and what is wrong with it against the other fields."""
    if raw is None or not raw.strip():
        return None, []
    try:
        facts = id_number.parse(raw, today=today)
    except id_number.InvalidIdNumber as exc:
        return None, [(field, str(exc))]
    faults = []
    if facts.birth_date != born:
        faults.append(
            (
                field,
                f"身份证号码中的出生日期是{facts.birth_date:%Y-%m-%d}，与填写的出生日期不一致 "
                f"(the birth date in it, {facts.birth_date}, differs from the one given)",
            )
        )
    if facts.sex is not sex:
        faults.append(
            (
                field,
                f"身份证号码表示性别为{labels.SEX[facts.sex]}，与填写的性别不一致 "
                f"(it says {facts.sex.value}, not {sex.value})",
            )
        )
    return facts.number, faults


def disability_faults(
    *, kind: str | None, grade: int | None, placement: object | None
) -> list[Fault]:
    faults = []
    if kind is None and grade is not None:
        faults.append(
            ("disability_grade", "未填残疾类别时不能填残疾等级 (a grade needs a disability kind)")
        )
    if kind is None and placement is not None:
        faults.append(
            ("placement", "未填残疾类别时不能填安置方式 (a placement needs a disability)")
        )
    return faults
