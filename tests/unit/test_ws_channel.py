"""The WebSocket channel: session, turns, idempotent retries, history, errors."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _until(ws: Any, kind: str) -> list[dict]:
    frames = []
    while True:
        frame = ws.receive_json()
        frames.append(frame)
        if frame["type"] == kind:
            return frames


def test_a_turn_is_acknowledged_and_answered_with_typing_and_purchase_intent(client: TestClient) -> None:
    with client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"type": "session_request"})
        confirm = ws.receive_json()
        assert confirm["type"] == "session_confirm" and confirm["session_id"].startswith("ws-")
        ws.send_json({"type": "message", "text": "I am looking for shoes", "client_id": "m1"})
        frames = _until(ws, "purchase_intent")
    kinds = [f["type"] for f in frames]
    assert kinds == ["typing", "typing", "ack", "message", "purchase_intent"]
    assert frames[3]["message"]["products"][0]["product_id"] == "P1"
    assert frames[4]["stage"] in {"browse", "consider"}


def test_a_resent_message_after_reconnect_is_not_stored_twice(client: TestClient) -> None:
    token = None
    for _ in range(2):
        with client.websocket_connect("/v1/ws") as ws:
            ws.send_json({"type": "session_request", "session_id": "shopper-42", "session_token": token})
            confirm = ws.receive_json()
            token = confirm["session_token"]
            ws.send_json({"type": "message", "text": "hello", "client_id": "same-id"})
            frames = _until(ws, "purchase_intent")
            assert [f for f in frames if f["type"] == "ack"][0]["seq"] == 1
    stored = client.get(f"/v1/conversations/{confirm['conversation_id']}/messages").json()
    assert [m["text"] for m in stored].count("hello") == 1


def test_history_replays_what_was_missed(client: TestClient) -> None:
    with client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"type": "session_request", "session_id": "shopper-7"})
        token = ws.receive_json()["session_token"]
        ws.send_json({"type": "message", "text": "hi", "client_id": "a"})
        _until(ws, "purchase_intent")
    with client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"type": "session_request", "session_id": "shopper-7", "session_token": token})
        assert ws.receive_json()["last_seq"] == 2
        ws.send_json({"type": "history", "after_seq": 1})
        history = ws.receive_json()
    assert [m["author"] for m in history["messages"]] == ["bot"]


def test_bad_frames_get_error_frames_and_the_connection_stays_open(client: TestClient) -> None:
    with client.websocket_connect("/v1/ws") as ws:
        ws.send_text("not json")
        assert ws.receive_json()["message"] == "frame is not valid JSON"
        ws.send_json({"type": "message", "text": "hi"})
        assert "session_request first" in ws.receive_json()["message"]
        ws.send_json({"type": "session_request"})
        ws.receive_json()
        ws.send_json({"type": "message", "text": "   "})
        errors = [f for f in _until(ws, "error") if f["type"] == "error"]
        assert errors[0]["status"] == 422 and "empty" in errors[0]["message"]
        ws.send_json({"type": "message", "text": "x" * 5000})
        errors = [f for f in _until(ws, "error") if f["type"] == "error"]
        assert errors[0]["status"] == 413
        ws.send_json({"type": "teleport"})
        assert "unknown frame type" in ws.receive_json()["message"]
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}


def test_staff_messages_published_to_the_conversation_reach_the_widget_live(client: TestClient) -> None:
    with client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"type": "session_request", "session_id": "shopper-9"})
        confirm = ws.receive_json()
        hub = client.app.state.services.hub  # type: ignore[attr-defined]
        hub.publish(
            confirm["conversation_id"], {"type": "message", "message": {"author": "agent", "text": "Hi, I'm Ana"}}
        )
        assert ws.receive_json()["message"]["text"] == "Hi, I'm Ana"


def test_the_ack_names_a_new_conversation_after_the_old_one_was_resolved(client: TestClient) -> None:
    admin = {"authorization": "Bearer dev-admin-token"}
    with client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"type": "session_request", "session_id": "shopper-77"})
        first = ws.receive_json()["conversation_id"]
        ws.send_json({"type": "message", "text": "hello", "client_id": "a1"})
        ack = next(f for f in _until(ws, "purchase_intent") if f["type"] == "ack")
        assert ack["conversation_id"] == first
        client.post(f"/v1/staff/conversations/{first}/resolve", headers=admin)
        ws.send_json({"type": "message", "text": "hello again", "client_id": "a2"})
        ack = next(f for f in _until(ws, "purchase_intent") if f["type"] == "ack")
    assert ack["conversation_id"] != first and ack["seq"] == 1, "a new conversation, numbered from 1"
