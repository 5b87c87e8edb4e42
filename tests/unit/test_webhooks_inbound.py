"""Inbound webhook channels: signed requests answered; every bad request refused, nothing processed."""

from __future__ import annotations

import json
import logging
import time

import pytest
from fastapi.testclient import TestClient

from api.config import DEV_ADMIN_TOKEN
from api.dialogue.fake import FakeDialogueEngine
from api.integrations.signing import sign

ADMIN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}


def _channel(client: TestClient, **extra: object) -> dict:
    response = client.post("/v1/admin/channels", json={"name": "partner app", **extra}, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


def _post(
    client: TestClient,
    channel: dict,
    body: bytes,
    *,
    ts: str | None = None,
    delivery: str = "d1",
    secret: str | None = None,
):  # type: ignore[no-untyped-def]
    ts = ts or str(int(time.time()))
    headers = {
        "content-type": "application/json",
        "X-ShopTalk-Timestamp": ts,
        "X-ShopTalk-Signature": sign(secret or channel["secret"], ts, body),
        "X-ShopTalk-Delivery": delivery,
    }
    return client.post(f"/v1/webhooks/inbound/{channel['id']}", content=body, headers=headers)


MESSAGE = json.dumps({"sender": "user-7", "message": "I'm looking for shoes"}).encode()


def test_a_signed_message_is_answered_in_the_response(client: TestClient) -> None:
    channel = _channel(client)
    body = _post(client, channel, MESSAGE).json()
    assert body["sender"] == "user-7"
    assert body["messages"][0]["products"][0]["product_id"] == "P1"


def test_the_secret_is_shown_once_and_stored_encrypted(client: TestClient) -> None:
    channel = _channel(client)
    listed = client.get("/v1/admin/channels", headers=ADMIN).json()
    assert "secret" not in listed[0] and channel["secret"].startswith("whsec_")
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        from api.integrations.models import Channel

        stored = session.get(Channel, channel["id"])
        assert channel["secret"] not in stored.secret_sealed


@pytest.mark.parametrize(
    ("case", "status", "words"),
    [
        ("no signature", 401, "headers are required"),
        ("wrong signature", 401, "does not match"),
        ("stale timestamp", 401, "300 s window"),
        ("replayed delivery", 409, "already received"),
        ("oversized body", 413, "larger than"),
        ("malformed json", 400, "not valid JSON"),
        ("unknown channel", 404, "no active webhook channel"),
        ("no delivery id", 400, "X-ShopTalk-Delivery"),
        ("invalid message", 400, "message"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_processed(
    client: TestClient, engine: FakeDialogueEngine, caplog: pytest.LogCaptureFixture, case: str, status: int, words: str
) -> None:
    channel = _channel(client)
    if case == "replayed delivery":
        assert _post(client, channel, MESSAGE, delivery="once").status_code == 200
    calls_before = len(engine.calls)
    caplog.set_level(logging.INFO)
    url = f"/v1/webhooks/inbound/{channel['id']}"
    if case == "no signature":
        response = client.post(url, content=MESSAGE)
    elif case == "wrong signature":
        response = _post(client, channel, MESSAGE, secret="whsec_not-the-secret-at-all")
    elif case == "stale timestamp":
        response = _post(client, channel, MESSAGE, ts=str(int(time.time()) - 3600))
    elif case == "replayed delivery":
        response = _post(client, channel, MESSAGE, delivery="once")
    elif case == "oversized body":
        response = _post(client, channel, json.dumps({"sender": "u", "message": "x" * 70_000}).encode())
    elif case == "malformed json":
        response = _post(client, channel, b"{not json")
    elif case == "unknown channel":
        response = _post(client, {**channel, "id": "no-such-channel"}, MESSAGE)
    elif case == "no delivery id":
        response = _post(client, channel, MESSAGE, delivery="")
    else:
        response = _post(client, channel, json.dumps({"sender": "u"}).encode())
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert len(engine.calls) == calls_before, "nothing may be processed"
    assert "looking for shoes" not in caplog.text, "bodies are never logged"


def test_admin_endpoints_refuse_without_the_token(client: TestClient) -> None:
    assert client.post("/v1/admin/channels", json={"name": "x"}).status_code == 401
    assert client.get("/v1/admin/deliveries").status_code == 401


def test_subscriptions_validate_event_types(client: TestClient) -> None:
    bad = client.post(
        "/v1/admin/subscriptions", json={"url": "http://127.0.0.1:9/x", "event_types": ["nope"]}, headers=ADMIN
    )
    assert bad.status_code == 422 and "unknown event types" in bad.json()["detail"]
