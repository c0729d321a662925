"""Headers of write answers: ETags, Location, and the mark of a replayed idempotent create."""

from fastapi import Response

from api.services.idempotency import Answer


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def created(response: Response, result: Answer, *, location: str) -> None:
    response.status_code = result.status_code
    response.headers["Location"] = location
    if isinstance(version := result.body.get("version"), int):
        set_etag(response, version)
    if result.replayed:  # as Stripe and others mark it
        response.headers["Idempotent-Replayed"] = "true"
