"""A rasa-webchat client on a real socket.io connection, for channel tests."""

from __future__ import annotations

import threading
from typing import Any

import socketio


class Widget:
    """What rasa-webchat does on the wire: session_request, then user_uttered."""

    def __init__(self, url: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.confirmed = threading.Event()
        self.session_id: str | None = None
        self.uttered: list[dict[str, Any]] = []
        self.got = threading.Condition()

        @self.client.on("session_confirm")
        def _confirm(data: Any) -> None:
            self.session_id = data["session_id"] if isinstance(data, dict) else data
            self.confirmed.set()

        @self.client.on("bot_uttered")
        def _uttered(data: dict[str, Any]) -> None:
            with self.got:
                self.uttered.append(data)
                self.got.notify_all()

        self.client.connect(url, socketio_path="/socket.io/", transports=["websocket"])

    def session(self, session_id: str | None = None) -> str:
        self.client.emit("session_request", {"session_id": session_id})
        assert self.confirmed.wait(10)
        assert self.session_id
        return self.session_id

    def say(self, text: str, n: int) -> list[dict[str, Any]]:
        start = len(self.uttered)
        self.client.emit(
            "user_uttered", {"message": text, "customData": {"language": "en"}, "session_id": self.session_id}
        )
        with self.got:
            assert self.got.wait_for(lambda: len(self.uttered) >= start + n, timeout=10)
        return self.uttered[start:]
