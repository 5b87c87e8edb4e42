"""The socket.io channel speaks the rasa-webchat protocol (a real socket.io client, on fakes)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from api.channels.socketio_channel import bot_uttered_payloads
from api.config import Settings
from api.dialogue.fake import FakeDialogueEngine
from api.main import create_app
from tests.support.net import serve_in_thread
from tests.unit.conftest import make_searcher


@pytest.fixture
def base_url(settings: Settings, engine: FakeDialogueEngine) -> Iterator[str]:
    with serve_in_thread(create_app(settings, dialogue=engine, searcher=make_searcher())) as url:
        yield url


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


def test_a_webchat_session_gets_text_and_a_carousel(base_url: str, engine: FakeDialogueEngine) -> None:
    widget = Widget(base_url)
    try:
        session_id = widget.session()
        text, carousel = widget.say("I am looking for shoes", 2)
    finally:
        widget.client.disconnect()
    assert text == {"text": "Here is what I found:"}
    element = carousel["attachment"]["payload"]["elements"][0]
    assert carousel["attachment"]["payload"]["template_type"] == "generic"
    assert element["title"] == "Test Running Shoe"
    assert {b["title"] for b in element["buttons"]} == {"View", "Add to cart"}
    assert engine.calls[-1]["metadata"]["language"] == "en"  # customData reaches the bot as metadata
    assert engine.calls[-1]["metadata"]["channel"] == "socketio"
    assert session_id


def test_the_session_persists_across_page_loads(base_url: str) -> None:
    first = Widget(base_url)
    try:
        session_id = first.session()
        first.say("hi", 1)
    finally:
        first.client.disconnect()
    second = Widget(base_url)
    try:
        assert second.session(session_id) == session_id
        second.say("hello again", 1)
    finally:
        second.client.disconnect()


def test_quick_replies_use_the_webchat_shape() -> None:
    payloads = bot_uttered_payloads(
        {"text": "Ready?", "quick_replies": [{"title": "Checkout", "payload": "/checkout_help"}], "products": []},
        "/p/{product_id}",
    )
    assert payloads == [
        {
            "text": "Ready?",
            "quick_replies": [{"content_type": "text", "title": "Checkout", "payload": "/checkout_help"}],
        }
    ]
