"""One handoff flow: the bot stops, the agent's reply reaches the shopper live, hand back, resolve."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.config import DEV_ADMIN_TOKEN

ADMIN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}


def _until(ws: Any, kind: str) -> list[dict]:
    frames = []
    while True:
        frames.append(ws.receive_json())
        if frames[-1]["type"] == kind:
            return frames


def test_agent_takes_over_replies_live_and_hands_back(client: TestClient) -> None:
    with client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"type": "session_request", "session_id": "hand-1"})
        conversation_id = ws.receive_json()["conversation_id"]
        ws.send_json({"type": "message", "text": "I want a human", "client_id": "m1"})
        _until(ws, "purchase_intent")

        held = client.post("/v1/chat", json={"sender": "x", "message": "hi"})  # another shopper is unaffected
        assert held.status_code == 200

        state = client.post(f"/v1/staff/conversations/{conversation_id}/takeover", json={"agent": "ana"}, headers=ADMIN)
        assert state.json() == {"conversation_id": conversation_id, "status": "agent", "assignee": "ana"}
        reply = client.post(
            f"/v1/staff/conversations/{conversation_id}/messages",
            json={"text": "Hi, Ana here", "agent": "ana"},
            headers=ADMIN,
        )
        assert reply.status_code == 200
        live = ws.receive_json()
        assert (
            live["type"] == "message"
            and live["message"]["author"] == "agent"
            and live["message"]["text"] == "Hi, Ana here"
        )

        ws.send_json({"type": "message", "text": "thanks Ana", "client_id": "m2"})
        frames = _until(ws, "purchase_intent")
        assert not [f for f in frames if f["type"] == "message"], "the bot stays quiet while the agent has it"

        back = client.post(f"/v1/staff/conversations/{conversation_id}/handback", headers=ADMIN).json()
        assert back["status"] == "bot"
        ws.send_json({"type": "message", "text": "hello", "client_id": "m3"})
        frames = _until(ws, "purchase_intent")
        assert [f["message"]["author"] for f in frames if f["type"] == "message"] == ["bot"]

    resolved = client.post(f"/v1/staff/conversations/{conversation_id}/resolve", headers=ADMIN).json()
    assert resolved["status"] == "resolved"
    closed = client.post(
        f"/v1/staff/conversations/{conversation_id}/messages", json={"text": "x", "agent": "ana"}, headers=ADMIN
    )
    assert closed.status_code == 409


def test_handoff_endpoints_refuse_anonymous_callers(client: TestClient) -> None:
    assert client.post("/v1/staff/conversations/x/takeover", json={"agent": "a"}).status_code == 401
