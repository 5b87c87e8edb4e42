"""The socket.io channel speaks the rasa-webchat protocol (a real socket.io client, on fakes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.channels.socketio_channel import bot_uttered_payloads
from api.config import Settings
from api.dialogue.fake import FakeDialogueEngine
from api.main import create_app
from tests.support.net import serve_in_thread
from tests.support.webchat import Widget
from tests.unit.conftest import make_searcher


@pytest.fixture
def base_url(settings: Settings, engine: FakeDialogueEngine) -> Iterator[str]:
    with serve_in_thread(create_app(settings, dialogue=engine, searcher=make_searcher())) as url:
        yield url


def test_a_webchat_session_gets_text_and_a_carousel(base_url: str, engine: FakeDialogueEngine) -> None:
    widget = Widget(base_url)
    try:
        session_id = widget.session()
        text, carousel = widget.say("I am looking for shoes", 2)
    finally:
        widget.client.disconnect()
    assert text == {
        "text": "Here is what I found:",
        "quick_replies": [{"content_type": "text", "title": "Show cheaper ones", "payload": "show me cheaper ones"}],
    }
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
