"""Security headers on every response, and CORS only for the origins the operator names."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings

# The field app is served from this origin and loads nothing from elsewhere: scripts only from
# files (no inline script, no eval), styles may be inline (Vant sets some), pictures may be data
# or blob URLs (photos of evidence), and no one may frame it.
APP_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# FastAPI's interactive docs page is an inline script loading Swagger UI from its CDN.
DOCS_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    )
)
_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    # The sweep records where a visit happened; nothing else is wanted of the phone.
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, docs_path: str, api_prefix: str, hsts_seconds: int) -> None:
        self.app = app
        self.docs_path = docs_path
        self.api_prefix = api_prefix
        self.hsts = f"max-age={hsts_seconds}; includeSubDomains" if hsts_seconds else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        # Only over TLS (directly, or from a trusted proxy's X-Forwarded-Proto): HSTS sent over
        # plain HTTP would be ignored, and on a LAN install without TLS it would lock users out.
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                headers.setdefault(
                    "Content-Security-Policy",
                    DOCS_POLICY if path == self.docs_path else APP_POLICY,
                )
                if secure and self.hsts:
                    headers.setdefault("Strict-Transport-Security", self.hsts)
                # Personal data must not linger in a shared phone's or a proxy's cache.
                if path.startswith(self.api_prefix):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings, *, api_prefix: str) -> None:
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
            allow_credentials=False,  # bearer tokens, never cookies
            max_age=600,
        )
    app.add_middleware(
        SecurityHeadersMiddleware,
        docs_path=f"{api_prefix}/docs",
        api_prefix=api_prefix,
        hsts_seconds=settings.hsts_seconds,
    )
