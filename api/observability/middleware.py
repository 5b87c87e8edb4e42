"""Request ids (X-Request-ID in and out, on every log line), timing metrics, security headers."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from api.observability.metrics import HTTP_SECONDS

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PAGE_CSP = (
    "default-src 'self'; img-src * data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'"
)


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


# A JSON \\uD800-\\uDFFF escape that is not half of a pair: it decodes to a str that no
# database, log or webhook can encode. Pairs (emoji written as escapes) are fine.
_LONE_SURROGATE = re.compile(
    rb"(?<!\\)(?:\\\\)*\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2}\\u)(?<=\\u)[dD][c-fC-F][0-9a-fA-F]{2}"
)


async def _refuse_lone_surrogates(request: Request) -> Response | None:
    """Answer 400 to a JSON body with a lone surrogate escape, before any route sees it."""
    if request.method not in ("POST", "PUT", "PATCH") or "json" not in request.headers.get("content-type", ""):
        return None
    body = await request.body()  # Starlette keeps it for the route
    if b"\\u" in body and _LONE_SURROGATE.search(body):
        return JSONResponse(status_code=400, content={"detail": "text contains a lone surrogate (invalid Unicode)"})
    return None


def install(app: FastAPI) -> None:
    """Add the middleware to the app."""

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = request.headers.get("x-request-id", "")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = await _refuse_lone_surrogates(request) or await call_next(request)
        finally:
            REQUEST_ID.reset(token)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        HTTP_SECONDS.labels(request.method, template, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        response.headers["X-Request-ID"] = request_id
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        return response
