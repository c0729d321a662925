"""Who is shown personal identifiers in full, and who masked (510821********1234, 138****5678).

How a number is masked is ``core.masking`` (the audit log masks what it keeps the same way);
its functions are published here too, so callers keep asking ``masking.id_number(...)``.
"""

from dataclasses import dataclass

from api.services.core.masking import id_number, phone, student_number

__all__ = ["MASKED", "Disclosure", "id_number", "phone", "student_number"]


@dataclass(frozen=True)
class Disclosure:
    """What one caller may see of identifiers: in full, or masked."""

    full: bool

    def id_number(self, value: str | None) -> str | None:
        return value if self.full else id_number(value)

    def student_number(self, value: str | None) -> str | None:
        return value if self.full else student_number(value)

    def phone(self, value: str | None) -> str | None:
        return value if self.full else phone(value)


MASKED = Disclosure(full=False)
