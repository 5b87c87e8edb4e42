"""Domain errors, and the one place they become HTTP answers."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A problem the caller can fix; carries an HTTP status for the edge."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing asked for does not exist."""

    status_code = 404


class ConversationNotFound(NotFound):
    """No conversation has that id."""


class Unauthorized(DomainError):
    """Missing or wrong credentials."""

    status_code = 401


class Forbidden(DomainError):
    """Authenticated, but the role does not allow it."""

    status_code = 403


class ShopperConflict(DomainError):
    """The change contradicts what is stored about the shopper."""

    status_code = 409


class InvalidMessage(DomainError):
    """A shopper message that cannot be accepted (empty, too long)."""

    status_code = 422


class MessageTooLarge(DomainError):
    """A message over the size limit."""

    status_code = 413


def _field(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors and validation failures to 4xx answers with a clear message."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        retry = getattr(exc, "retry_after_s", None)
        headers = {"Retry-After": str(max(1, math.ceil(retry)))} if retry is not None else None
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.message}, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(tuple(e.get("loc", ()))), "message": str(e.get("msg", "invalid"))} for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse(status_code=422, content={"detail": summary, "errors": errors})

    @app.exception_handler(UnicodeEncodeError)
    async def _unencodable(_: Request, exc: UnicodeEncodeError) -> JSONResponse:
        # a lone surrogate ("\\ud800" in JSON) in a field no validator looked at: refuse, store nothing
        log.warning("api.request.unencodable_text reason=%s", exc.reason)
        return JSONResponse(status_code=400, content={"detail": "text contains a lone surrogate (invalid Unicode)"})

    @app.exception_handler(OperationalError)
    async def _database_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("api.database.unavailable error=%s", type(exc.orig).__name__)
        return JSONResponse(
            status_code=503,
            headers={"Retry-After": "5"},
            content={"detail": "the database is unavailable; nothing was stored, retry shortly"},
        )
