"""Requests a minute per integration client, by the generic cell rate algorithm (GCRA): one
number a client, a steady rate with a minute's worth of burst, and an exact time to come back.

The count is this process's: a county runs one, and a province running several behind a load
balancer sets each client's limit as its share per process.
"""

import math
import time
import uuid

from api.services.core.errors import RateLimited


class RateLimiter:
    def __init__(self) -> None:
        # Each client's theoretical arrival time: when its next request would be on schedule.
        self._due: dict[uuid.UUID, float] = {}

    def take(self, *, client: uuid.UUID, per_minute: int, now: float | None = None) -> None:
        """Count one request, or raise RateLimited with the seconds to wait."""
        now = time.monotonic() if now is None else now
        interval = 60.0 / per_minute
        burst = 60.0 - interval  # how far ahead of schedule a client may run
        due = max(self._due.get(client, now), now)
        if due - now > burst + 1e-9:  # floats: the last request of a burst stays in
            wait = math.ceil(due - burst - now)
            raise RateLimited(
                f"This client may make {per_minute} requests a minute; try again in {wait} s.",
                retry_after=max(wait, 1),
                limit_per_minute=per_minute,
            )
        self._due[client] = due + interval
