"""Serves the built field app (mobile_pwa/dist) at "/", with a fallback for its client routes."""

from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# The service worker and the shell must be revalidated, or a phone keeps an old app forever.
_NO_CACHE = {"index.html", "sw.js", "registerSW.js", "manifest.webmanifest"}


class PWAStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            # /api/... is never the app; unknown API paths stay a problem+json 404.
            if exc.status_code != 404 or path.startswith("api/") or path == "api":
                raise
            response = await super().get_response("index.html", scope)
        name = Path(path).name or "index.html"
        if name in _NO_CACHE or response.media_type == "text/html":
            response.headers["Cache-Control"] = "no-cache"
        elif path.startswith("assets/"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def mount(app: FastAPI, dist: Path) -> bool:
    """Mount the app if it has been built; the API runs without it (tests, API-only installs)."""
    if not (dist / "index.html").is_file():
        return False
    app.mount("/", PWAStaticFiles(directory=dist, html=True), name="pwa")
    return True
