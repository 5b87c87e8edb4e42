"""Structured logs with dotted event names; JSON when LOG_JSON=true. Never log shopper text."""

from __future__ import annotations

import json
import logging
import sys

from api.observability.middleware import RequestIdFilter


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, event."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as JSON."""
        payload: dict[str, str | None] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            payload["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(payload)


def configure_logging(level: str, as_json: bool) -> None:
    """Configure the root logger once."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)
