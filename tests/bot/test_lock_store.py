"""The atomic Redis lock store: replicas contending for one conversation each get their turn."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore


def _store(url: str) -> AtomicRedisLockStore:
    parts = urlsplit(url)
    config = EndpointConfig(type="bot.lock_store.AtomicRedisLockStore", url=parts.hostname, port=parts.port)
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore), "Rasa builds it from the endpoints.yml entry"
    return store


def test_two_replicas_taking_tickets_at_once_lose_none(redis_url: str) -> None:
    replicas = [_store(redis_url), _store(redis_url)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        tickets = list(pool.map(lambda i: replicas[i % 2].issue_ticket("c-tickets", 60), range(80)))
    assert sorted(tickets) == list(range(80)), "every ticket is distinct"
    stored = replicas[0].get_lock("c-tickets")
    assert stored is not None and [t.number for t in stored.tickets] == list(range(80)), "and none was overwritten"


def test_contending_turns_run_one_at_a_time_and_all_run(redis_url: str) -> None:
    replicas = [_store(redis_url), _store(redis_url)]
    inside, most_inside, served = 0, 0, []

    async def turn(i: int) -> None:
        nonlocal inside, most_inside
        async with replicas[i % 2].lock("c-turns"):
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0.005)
            served.append(i)
            inside -= 1

    async def main() -> None:
        await asyncio.gather(*(turn(i) for i in range(30)))

    asyncio.run(main())
    assert sorted(served) == list(range(30)), "no turn was refused"
    assert most_inside == 1, "no two turns of one conversation overlapped"
    assert replicas[0].red.exists("lock:c-turns") == 0, "the last turn removed the lock"


def test_a_lock_left_by_a_dead_replica_expires_with_its_tickets(redis_url: str) -> None:
    store = _store(redis_url)
    store.issue_ticket("c-ttl", lock_lifetime=30)
    ttl = store.red.ttl("lock:c-ttl")
    assert 30 <= ttl <= 36, f"the key lives just past its last ticket (ttl {ttl} s)"
    store.cleanup("c-ttl", 0)
    assert store.get_lock("c-ttl") is None
