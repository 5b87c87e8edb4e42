"""A real HTTP server on loopback that records what it receives (fake integrators, Chatwoot)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.support.net import free_port


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Calls received, and a function choosing each answer's status code."""

    url: str
    calls: list[Received] = field(default_factory=list)
    answer: Callable[[Received], int] = lambda _: 200

    def wait_for(self, predicate: Callable[[list[Received]], bool], timeout: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.calls):
                return self.calls
            time.sleep(0.02)
        raise AssertionError(f"condition not met within {timeout} s; received {len(self.calls)} calls")


@contextmanager
def receiver() -> Iterator[Receiver]:
    """Start a recording HTTP server; yield it; stop it."""
    port = free_port()
    rec = Receiver(url=f"http://127.0.0.1:{port}")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            length = int(self.headers.get("content-length") or 0)
            call = Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
            rec.calls.append(call)
            status = rec.answer(call)
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
