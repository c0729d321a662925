"""How every benchmark prints a figure: one JSON object a line."""

import json

from tests.databases import backend


def emit(name: str, value: float, unit: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, "db": backend()}))
