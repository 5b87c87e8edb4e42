"""Rate limits refuse with 429, Retry-After and a message; other shoppers are unaffected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.dialogue.fake import FakeDialogueEngine
from api.limits import RateLimited, RateLimiter
from api.main import create_app
from tests.support.credentials import as_shop
from tests.support.net import serve_in_thread
from tests.support.webchat import Widget
from tests.unit.conftest import make_searcher


@pytest.fixture
def limited_settings(tmp_path: Path) -> Settings:
    return Settings(
        shoptalk_env="test",
        var_dir=tmp_path,
        encoder="hashing",
        rate_limit_chat_per_shopper=8,  # burst 2
        rate_limit_chat_per_ip=40,  # burst 10
        rate_limit_events_per_ip=4,  # burst 1
    )


@pytest.fixture
def limited(limited_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(limited_settings, dialogue=FakeDialogueEngine(), searcher=make_searcher())) as client:
        yield as_shop(client)


def test_a_chatty_shopper_is_slowed_down_and_others_are_not(limited: TestClient) -> None:
    codes = [limited.post("/v1/chat", json={"sender": "fast", "message": "hi"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = limited.post("/v1/chat", json={"sender": "fast", "message": "hi"})
    assert "too many messages from this shopper" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    assert limited.post("/v1/chat", json={"sender": "calm", "message": "hi"}).status_code == 200


def test_one_address_flooding_with_new_shoppers_hits_the_ip_limit(limited: TestClient) -> None:
    codes = [limited.post("/v1/chat", json={"sender": f"s{i}", "message": "hi"}).status_code for i in range(12)]
    assert 429 in codes and codes[:10] == [200] * 10


def test_event_requests_are_limited_per_address(limited: TestClient) -> None:
    event = {"event_id": "e1", "type": "view", "session_id": "s", "product_id": "p"}
    assert limited.post("/v1/events", json=event).status_code == 200
    refused = limited.post("/v1/events", json={**event, "event_id": "e2"})
    assert refused.status_code == 429 and "event requests" in refused.json()["detail"]


def test_the_websocket_channel_applies_the_shopper_limit(limited: TestClient) -> None:
    with limited.websocket_connect("/v1/ws") as ws:
        ws.send_json({"type": "session_request", "session_id": "ws-fast"})
        ws.receive_json()
        errors = []
        for i in range(3):
            ws.send_json({"type": "message", "text": "hi", "client_id": f"c{i}"})
            while True:
                frame = ws.receive_json()
                if frame["type"] in ("purchase_intent", "error"):
                    break
            if frame["type"] == "error":
                errors.append(frame)
        assert [e["status"] for e in errors] == [429]


def test_the_socketio_channel_applies_the_shopper_limit(limited_settings: Settings) -> None:
    app = create_app(limited_settings, dialogue=FakeDialogueEngine(), searcher=make_searcher())
    with serve_in_thread(app) as url:
        widget = Widget(url)
        try:
            widget.session("sio-fast")
            replies = [widget.say("hi", 1)[0]["text"] for _ in range(3)]
        finally:
            widget.client.disconnect()
    assert "too many messages from this shopper" not in replies[0] + replies[1]
    assert replies[2].startswith("Sorry, I could not take that message: too many messages from this shopper")


def test_buckets_refill_over_time() -> None:
    now = [100.0]
    limiter = RateLimiter(per_minute=60, burst=1, clock=lambda: now[0])  # one token a second
    limiter.check("k", "x")
    with pytest.raises(RateLimited) as refused:
        limiter.check("k", "x")
    assert refused.value.retry_after_s == pytest.approx(1.0)
    now[0] += 0.5
    with pytest.raises(RateLimited):
        limiter.check("k", "x")  # half a token is not a token
    now[0] += 0.5
    limiter.check("k", "x")
