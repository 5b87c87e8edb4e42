"""Webhooks against real HTTP servers on loopback: a fake integrator, a fake Chatwoot and
event subscribers that check signatures and record calls; the API served by uvicorn."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from api.config import DEV_ADMIN_TOKEN, Settings
from api.dialogue.fake import FakeDialogueEngine
from api.integrations.signing import sign, signature_matches
from api.main import create_app
from tests.support.net import serve_in_thread
from tests.support.receiver import Received, receiver
from tests.unit.conftest import make_searcher

pytestmark = pytest.mark.integration
ADMIN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}


def _settings(var: Path) -> Settings:
    return Settings(
        shoptalk_env="test",
        var_dir=var,
        encoder="hashing",
        webhook_backoff_base_s=0.05,
        webhook_backoff_cap_s=0.2,
        webhook_poll_s=0.05,
        webhook_max_attempts=6,
    )


@contextmanager
def api(var: Path) -> Iterator[str]:
    with serve_in_thread(create_app(_settings(var), dialogue=FakeDialogueEngine(), searcher=make_searcher())) as url:
        yield url


def _verified(call: Received, secret: str) -> bool:
    return signature_matches(
        secret, call.headers["x-shoptalk-timestamp"], call.body, call.headers["x-shoptalk-signature"]
    )


def test_an_async_channel_gets_signed_replies_at_its_callback(tmp_path: Path) -> None:
    with receiver() as integrator, api(tmp_path) as url:
        channel = httpx.post(
            f"{url}/v1/admin/channels",
            json={"name": "partner", "mode": "async", "callback_url": integrator.url + "/replies"},
            headers=ADMIN,
        ).json()
        body = json.dumps({"sender": "u1", "message": "I'm looking for shoes"}).encode()
        ts = str(int(time.time()))
        response = httpx.post(
            f"{url}/v1/webhooks/inbound/{channel['id']}",
            content=body,
            headers={
                "X-ShopTalk-Timestamp": ts,
                "X-ShopTalk-Signature": sign(channel["secret"], ts, body),
                "X-ShopTalk-Delivery": "d-1",
            },
        )
        assert response.status_code == 202
        [call] = integrator.wait_for(lambda calls: len(calls) >= 1)
        assert _verified(call, channel["secret"])
        event = call.json()
        assert event["type"] == "channel.reply" and event["payload"]["sender"] == "u1"
        assert event["payload"]["messages"][0]["products"][0]["product_id"] == "P1"


def test_a_subscriber_failing_three_times_still_gets_the_event_exactly_as_sent(tmp_path: Path) -> None:
    with receiver() as subscriber, api(tmp_path) as url:
        subscriber.answer = lambda _: 500 if len(subscriber.calls) <= 3 else 200
        sub = httpx.post(
            f"{url}/v1/admin/subscriptions",
            json={"url": subscriber.url, "event_types": ["conversation.created"]},
            headers=ADMIN,
        ).json()
        chat = httpx.post(f"{url}/v1/chat", json={"sender": "s1", "message": "hi"}, timeout=10)
        assert chat.status_code == 200, "a subscriber that is down never blocks the chat"
        calls = subscriber.wait_for(lambda calls: len(calls) >= 4)
        assert len({c.body for c in calls}) == 1, "every attempt carries the same bytes"
        assert all(_verified(c, sub["secret"]) for c in calls)
        event = calls[-1].json()
        assert event["type"] == "conversation.created"
        assert event["payload"]["conversation_id"] == chat.json()["conversation_id"]
        log = httpx.get(f"{url}/v1/admin/deliveries", headers=ADMIN).json()
        delivered = [d for d in log if d["event_id"] == event["id"]]
        deadline = time.monotonic() + 5
        while delivered[0]["status"] != "delivered" and time.monotonic() < deadline:
            time.sleep(0.05)
            delivered = [
                d for d in httpx.get(f"{url}/v1/admin/deliveries", headers=ADMIN).json() if d["event_id"] == event["id"]
            ]
        assert (delivered[0]["status"], delivered[0]["attempts"]) == ("delivered", 4)


def test_restarting_the_api_mid_retry_loses_no_event(tmp_path: Path) -> None:
    with receiver() as subscriber:
        subscriber.answer = lambda _: 503
        with api(tmp_path) as url:
            httpx.post(
                f"{url}/v1/admin/subscriptions", json={"url": subscriber.url, "event_types": ["*"]}, headers=ADMIN
            ).raise_for_status()
            httpx.post(f"{url}/v1/chat", json={"sender": "s9", "message": "hi"}, timeout=10).raise_for_status()
            subscriber.wait_for(lambda calls: len(calls) >= 2)
        failed_ids = {c.json()["id"] for c in subscriber.calls}
        subscriber.answer = lambda _: 200
        seen = len(subscriber.calls)
        with api(tmp_path):  # a new process on the same database picks the outbox up
            subscriber.wait_for(lambda calls: {c.json()["id"] for c in calls[seen:]} >= failed_ids)
        delivered = {c.json()["id"] for c in subscriber.calls[seen:]}
        assert failed_ids <= delivered


def test_dead_letters_can_be_redelivered(tmp_path: Path) -> None:
    with receiver() as subscriber, api(tmp_path) as url:
        subscriber.answer = lambda _: 500
        httpx.post(
            f"{url}/v1/admin/subscriptions",
            json={"url": subscriber.url, "event_types": ["conversation.created"]},
            headers=ADMIN,
        ).raise_for_status()
        httpx.post(f"{url}/v1/chat", json={"sender": "s2", "message": "hi"}, timeout=10).raise_for_status()
        deadline = time.monotonic() + 15
        dead: list[dict] = []
        while not dead and time.monotonic() < deadline:
            dead = httpx.get(f"{url}/v1/admin/deliveries", params={"status": "dead"}, headers=ADMIN).json()
            time.sleep(0.05)
        assert dead and dead[0]["attempts"] == 6
        subscriber.answer = lambda _: 200
        again = httpx.post(f"{url}/v1/admin/deliveries/{dead[0]['id']}/redeliver", headers=ADMIN).json()
        assert again["status"] == "pending"
        subscriber.wait_for(lambda calls: len(calls) >= 7)


def test_chatwoot_agent_bot_answers_pending_conversations_and_hands_off(tmp_path: Path) -> None:
    with receiver() as chatwoot, api(tmp_path) as url:
        token = "cw-bot-token-123"
        chatwoot.answer = lambda call: 200 if call.headers.get("api_access_token") == token else 401
        channel = httpx.post(
            f"{url}/v1/admin/channels",
            json={
                "name": "chatwoot inbox",
                "kind": "chatwoot",
                "secret": "chatwoot-bot-webhook-secret",
                "chatwoot": {"base_url": chatwoot.url, "account_id": 3, "api_access_token": token},
            },
            headers=ADMIN,
        ).json()

        def send(event: dict) -> httpx.Response:
            body = json.dumps(event).encode()
            ts = str(int(time.time()))
            signature = sign("chatwoot-bot-webhook-secret", ts, body)
            return httpx.post(
                f"{url}/v1/webhooks/chatwoot/{channel['id']}",
                content=body,
                headers={"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": signature},
            )

        def message(n: int, text: str, status: str = "pending") -> dict:
            return {
                "event": "message_created",
                "id": n,
                "message_type": "incoming",
                "content": text,
                "conversation": {"id": 77, "status": status, "meta": {"sender": {"id": 5}}},
                "account": {"id": 3},
            }

        assert send(message(1, "I'm looking for shoes")).status_code == 202
        calls = chatwoot.wait_for(lambda calls: any(c.json().get("content_type") == "cards" for c in calls))
        assert all(c.path.startswith("/api/v1/accounts/3/conversations/77/") for c in calls)
        assert all(c.headers["api_access_token"] == token for c in calls)
        cards = next(c.json() for c in calls if c.json().get("content_type") == "cards")
        assert cards["content_attributes"]["items"][0]["title"] == "Test Running Shoe"

        assert send(message(2, "I want a human")).status_code == 202
        chatwoot.wait_for(lambda calls: any(c.path.endswith("/toggle_status") for c in calls))
        toggle = next(c for c in chatwoot.calls if c.path.endswith("/toggle_status"))
        assert toggle.json() == {"status": "open"}

        before = len(chatwoot.calls)
        ignored = send(message(3, "hello?", status="open")).json()
        assert "ignored" in ignored
        assert send(message(2, "I want a human")).status_code == 409  # a replayed message id
        status_event = {
            "event": "conversation_status_changed",
            "conversation": {"id": 77, "status": "pending", "meta": {"sender": {"id": 5}}},
        }
        assert send(status_event).status_code == 200
        assert send(message(4, "hi again")).status_code == 202
        chatwoot.wait_for(lambda calls: len(calls) > before)

        bad = httpx.post(
            f"{url}/v1/webhooks/chatwoot/{channel['id']}",
            content=b"{}",
            headers={"X-Chatwoot-Timestamp": str(int(time.time())), "X-Chatwoot-Signature": "sha256=00"},
        )
        assert bad.status_code == 401
