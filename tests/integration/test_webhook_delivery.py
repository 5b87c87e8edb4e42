"""Webhooks against real HTTP servers on loopback: a fake integrator and
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
