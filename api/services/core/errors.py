"""Domain errors: services raise these in their own terms; the app maps each to a problem."""

from typing import Any

# A field and what is wrong with it, in Chinese first with English after: rules return a list
# of these, so that one answer names everything wrong with a form or a row at once.
Fault = tuple[str, str]


class DomainError(Exception):
    slug = "domain-error"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(DomainError):
    slug = "not-found"


class Conflict(DomainError):
    slug = "conflict"


class Forbidden(DomainError):
    slug = "forbidden"


class Unauthenticated(DomainError):
    slug = "unauthenticated"


class AccountDisabled(Unauthenticated):
    """A 401 on which a phone wipes the personal data it holds: the account is off."""

    slug = "account-disabled"


class SessionRevoked(Unauthenticated):
    """A 401 on which a phone wipes the personal data it holds: its session was ended (a
    logout elsewhere, an administrator's reset, a refresh token presented twice)."""

    slug = "session-revoked"


class AccountLocked(DomainError):
    slug = "account-locked"


class PasswordChangeRequired(DomainError):
    slug = "password-change-required"


class RateLimited(DomainError):
    slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int, **extensions: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **extensions)
        self.retry_after = retry_after


class InvalidInput(DomainError):
    """Values the schema let through but the rules refuse; each named for the caller."""

    slug = "validation-error"

    def __init__(
        self,
        field: str,
        message: str,
        *,
        location: str = "body",
        others: list[tuple[str, str]] | None = None,
    ) -> None:
        faults = [(field, message), *(others or [])]
        super().__init__(
            "Invalid value for: " + ", ".join(dict.fromkeys(name for name, _ in faults)),
            errors=[{"loc": [location, *_path(name)], "msg": msg} for name, msg in faults],
        )

    @classmethod
    def of(cls, faults: list[tuple[str, str]]) -> "InvalidInput":
        """All the faults found in one body at once: a clerk fixes a form in one go."""
        return cls(*faults[0], others=faults[1:])


def _path(name: str) -> list[str | int]:
    """ "guardians.0.phone" -> ["guardians", 0, "phone"], as pydantic names nested fields."""
    return [int(part) if part.isdigit() else part for part in name.split(".")]


class PayloadTooLarge(DomainError):
    """An upload larger than the service accepts."""

    slug = "payload-too-large"


class PreconditionFailed(DomainError):
    """The record changed since the caller read it (a stale If-Match)."""

    slug = "precondition-failed"
