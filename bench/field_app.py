"""The field app with a township's package (8,000 households, 20,000 children) in Debian's
Chromium at 360x640: time to list, time to search, the longest task blocking the page while
loading, searching and scrolling, and the rows kept in the page. The browser run is
mobile_pwa/e2e/large.e2e.ts (it needs `make pwa browser` and node_modules); its figures come
back through a file and are printed here with the others. The server it starts is always on
SQLite: the figures are the phone's, not the database's.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PWA = Path(__file__).resolve().parent.parent / "mobile_pwa"


def field_app_figures() -> None:
    npx = shutil.which("npx")
    if not (PWA / "dist" / "index.html").exists() or npx is None:
        print(json.dumps({"skipped": "field_app", "why": "run `make pwa browser` first"}))
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.jsonl"
        env = {**os.environ, "E2E_BENCH_OUT": str(out)}
        subprocess.run(  # noqa: S603 - a fixed command of this repository
            [npx, "vitest", "run", "-c", "vitest.e2e.config.ts", "e2e/large.e2e.ts"],
            cwd=PWA,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for line in out.read_text(encoding="utf-8").splitlines():
            print(line)
