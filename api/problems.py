"""RFC 9457 problem details for every error the API returns, including 404, 405 and 500."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.observability import current_request_id
from api.services.core import errors

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An error the services raise in domain terms; the app renders it as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers
        self.extensions = extensions


def problem_type(slug: str | None) -> str:
    return f"urn:baoxue:problem:{slug}" if slug else "about:blank"


def problem_response(problem: Problem) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type(problem.slug),
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "request_id": current_request_id(),
        **problem.extensions,
    }
    headers = dict(problem.headers or {})
    if request_id := current_request_id():
        headers["X-Request-ID"] = request_id
    return JSONResponse(
        jsonable_encoder(body), status_code=problem.status, headers=headers, media_type=PROBLEM_JSON
    )


# The one place where the services' errors become HTTP statuses.
_STATUS: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 422,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.PasswordChangeRequired: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PreconditionFailed: 412,
    errors.PayloadTooLarge: 413,
    errors.AccountLocked: 423,
    errors.RateLimited: 429,
}


async def _on_domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.DomainError)
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    headers = {}
    if isinstance(exc, errors.Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, errors.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return problem_response(
        Problem(status, exc.detail, slug=exc.slug, headers=headers, **exc.extensions)
    )


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type")}
        for error in exc.errors()
    ]


async def _on_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc)


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    if detail is None and exc.status_code == 404:
        detail = f"Nothing is at {request.url.path}."
    elif detail is None and exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    return problem_response(
        Problem(
            exc.status_code,
            detail or HTTPStatus(exc.status_code).description,
            headers=dict(exc.headers or {}),
        )
    )


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    # A body that is not JSON at all is a malformed request, not a semantic one.
    if any(error["type"] == "json_invalid" for error in errors):
        return problem_response(
            Problem(
                400,
                "The request body is not valid JSON.",
                slug="malformed-json",
                title="Malformed JSON",
                errors=errors,
            )
        )
    fields = ", ".join(".".join(str(part) for part in error["loc"]) for error in errors)
    return problem_response(
        Problem(
            422,
            f"Invalid value for: {fields}",
            slug="validation-error",
            title="Validation failed",
            errors=errors,
        )
    )


def internal_error() -> JSONResponse:
    return problem_response(
        Problem(
            500,
            "An unexpected error occurred; it has been logged with the request id.",
            slug="internal",
        )
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(errors.DomainError, _on_domain_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
