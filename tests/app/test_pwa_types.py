"""The field app's API types (mobile_pwa/src/api/schema.d.ts) are made from the OpenAPI the app
publishes, by the openapi-typescript the app pins; they must match it, or the app is checked
against an API that no longer exists. `make types` writes them (as this test does, elsewhere)."""

import json
import subprocess
from pathlib import Path

from docs import build_reference

PWA = Path(__file__).resolve().parents[2] / "mobile_pwa"
SCHEMA = PWA / "src" / "api" / "schema.d.ts"
GENERATOR = PWA / "node_modules" / ".bin" / "openapi-typescript"


def test_the_pwa_api_types_are_current(tmp_path: Path) -> None:
    assert GENERATOR.exists(), f"{GENERATOR} is missing: run make pwa"
    document = tmp_path / "openapi.json"
    document.write_text(
        json.dumps(build_reference.spec(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    made = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(GENERATOR), str(document), "-o", str(made)],
        cwd=PWA,
        check=True,
        capture_output=True,
        timeout=120,
    )
    committed = SCHEMA.read_text(encoding="utf-8") if SCHEMA.exists() else ""
    assert made.read_text(encoding="utf-8") == committed, (
        "mobile_pwa/src/api/schema.d.ts is out of date: run make types"
    )
