"""Issue 19, items 3 and 4: inputs that crashed a turn or dropped a connection get a clear 4xx.

Before the fix: a lone surrogate in /v1/chat answered a plain-text 500 (no security headers,
no X-Request-ID); the same over /v1/ws and any binary frame dropped the socket (1006);
NUL and control characters were stored as sent.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.conversations.models import Message


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ('{"sender": "s-sur", "message": "\\ud800 shoes"}', "lone surrogate"),
        ('{"sender": "s-nul", "message": "shoes\\u0000please"}', "control character (U+0000)"),
        ('{"sender": "s-esc", "message": "red \\u001b[31m shoes"}', "control character (U+001B)"),
    ],
)
def test_unstorable_text_gets_a_clear_4xx_with_the_usual_headers(client: TestClient, raw: str, says: str) -> None:
    response = client.post("/v1/chat", content=raw, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500 and says in response.json()["detail"]
    assert response.headers["x-request-id"] and response.headers["x-content-type-options"] == "nosniff"
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        assert session.scalars(select(Message)).all() == [], "nothing is stored"


def test_a_surrogate_in_any_other_field_is_a_400_not_a_500(client: TestClient) -> None:
    raw = '{"event_id": "\\udfff", "type": "view", "session_id": "s", "product_id": "p"}'
    response = client.post("/v1/events", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "lone surrogate" in response.json()["detail"]
    emoji = '{"event_id": "\\ud83d\\ude00", "type": "view", "session_id": "s", "product_id": "p"}'
    assert client.post("/v1/events", content=emoji, headers={"content-type": "application/json"}).status_code == 200


def test_tabs_and_newlines_are_still_fine(client: TestClient) -> None:
    assert client.post("/v1/chat", json={"sender": "s-tab", "message": "red\tshoes\nsize 9"}).status_code == 200


def test_bad_frames_get_an_error_frame_and_the_socket_stays_open(client: TestClient) -> None:
    with client.websocket_connect("/v1/ws") as ws:
        ws.send_bytes(b"\x00\x01binary")
        frame = ws.receive_json()
        assert frame["type"] == "error" and "binary frames" in frame["message"]
        ws.send_text("{not json")
        assert "not valid JSON" in ws.receive_json()["message"]
        ws.send_text("[1, 2]")
        assert "JSON object" in ws.receive_json()["message"]
        ws.send_json({"type": "session_request"})
        assert ws.receive_json()["type"] == "session_confirm"
        ws.send_text('{"type": "message", "text": "\\ud800 shoes", "client_id": "c1"}')
        frames = [ws.receive_json() for _ in range(3)]  # typing on, the error, typing off (in some order)
        errors = [f for f in frames if f["type"] == "error"]
        assert errors and errors[0]["status"] == 422 and "surrogate" in errors[0]["message"]
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}, "the connection is still open"
        ws.send_json({"type": "history", "after_seq": True})
        assert ws.receive_json()["type"] == "error"
