"""Masking of personal identifiers, as Chinese public systems print them.

An ID number keeps its area prefix and last four (510821********1234): enough for a clerk to
tell two children apart and to find the household's area, not enough to misuse. A mobile number
keeps its first three and last four (138****5678).

Pure functions, here so that the audit log (``core.audit``) masks what it keeps as every reader
is shown it; who is shown what in full is ``access.masking``'s ``Disclosure``.
"""


def id_number(value: str | None) -> str | None:
    if not value:
        return value
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def student_number(value: str | None) -> str | None:
    """A "G" student number is G and the ID number: masked as the ID number is."""
    if not value or not value.startswith("G"):
        return value
    return "G" + (id_number(value[1:]) or "")


def phone(value: str | None) -> str | None:
    if not value:
        return value
    if len(value) <= 7:
        return "*" * (len(value) - 2) + value[-2:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
