"""Two Rasa replicas serve the same conversations: the PostgreSQL tracker store shares what
was said, the atomic Redis lock store (bot/lock_store.py) makes turns of one conversation
take their turn."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def _say(rasa_url: str, token: str, sender: str, text: str) -> list[dict]:
    # the ShopTalk channel, as the API calls it: only the Rasa token's holder may speak for shoppers
    response = httpx.post(
        f"{rasa_url}/webhooks/shoptalk/webhook",
        json={"sender": sender, "message": text},
        headers={"authorization": f"Bearer {token}"},
        timeout=60,
    )
    response.raise_for_status()
    return response.json()["messages"]


def _events(rasa_url: str, token: str, sender: str) -> list[dict]:
    tracker = httpx.get(f"{rasa_url}/conversations/{sender}/tracker", params={"token": token}, timeout=30)
    tracker.raise_for_status()
    return tracker.json()["events"]


def test_a_conversation_continues_on_another_replica(stack: RunningStack) -> None:
    [other] = stack.rasa_replica_urls
    assert _say(stack.rasa_url, stack.token, "replicas-1", "hi"), "replica 1 answers"
    seen_by_other = [e.get("text") for e in _events(other, stack.token, "replicas-1") if e["event"] == "user"]
    assert seen_by_other == ["hi"], "replica 2 reads what was said on replica 1"
    assert _say(other, stack.token, "replicas-1", "bye"), "and carries on the conversation"
    users = [e.get("text") for e in _events(stack.rasa_url, stack.token, "replicas-1") if e["event"] == "user"]
    assert users == ["hi", "bye"]


def test_concurrent_turns_of_one_conversation_on_two_replicas_do_not_interleave(
    stack: RunningStack, redis_url: str
) -> None:
    [other] = stack.rasa_replica_urls
    lock_store = redis.Redis.from_url(redis_url)
    commands_before = lock_store.info("stats")["total_commands_processed"]
    texts = [f"hello number {i}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda it: _say((stack.rasa_url, other)[it[0] % 2], stack.token, "replicas-2", it[1]), enumerate(texts)
            )
        )
    events = [e for e in _events(stack.rasa_url, stack.token, "replicas-2") if e["event"] in ("user", "action")]
    users = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(users) == sorted(texts), "every message is in the shared tracker exactly once"
    assert lock_store.info("stats")["total_commands_processed"] > commands_before + 8, "the locks are in Redis"
    # With the lock, each turn runs to its end (the bot answers, then listens) before the next begins.
    turns = "".join("U" if e["event"] == "user" else ("L" if e["name"] == "action_listen" else "a") for e in events)
    assert turns.count("U") == 8
    for chunk in turns.split("U")[1:]:
        assert chunk.endswith("L") and "a" in chunk, f"a turn was interleaved with another: {turns}"
