"""How every benchmark prints a figure: one JSON object a line."""

import json
import time

from tests.databases import backend


def emit(name: str, value: float, unit: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, "db": backend()}))


def machine_speed() -> None:
    """The machine's own pace, printed first so that figures from different machines (or a
    shared one at a busy hour) can be compared: one CPython core summing 10^8 integers. The
    figures that are mostly Python scale with it."""
    started = time.perf_counter()
    sum(range(10**8))
    emit("machine_python_sum_1e8", time.perf_counter() - started, "s")
