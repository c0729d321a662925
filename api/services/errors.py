"""Domain errors: services raise these in their own terms; the app maps each to a problem."""

from typing import Any


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
    """A value the schema let through but the rules refuse; ``field`` names it for the caller."""

    slug = "validation-error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            f"Invalid value for: {field}", errors=[{"loc": ["body", field], "msg": message}]
        )
