"""The load bench counts an apology as degraded, never as a served turn."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from api.turns.recovery import INTERRUPTED_REPLY
from api.turns.service import UNAVAILABLE_REPLY
from bench.load_bench import Recorder, is_degraded


def test_apologies_and_failed_statuses_are_degraded() -> None:
    assert is_degraded("dialogue_unavailable", ["anything"])
    assert is_degraded("interrupted", [])
    assert is_degraded(None, [UNAVAILABLE_REPLY])  # the WebSocket path sees only the replies
    assert is_degraded("answered", ["Here is what I found", INTERRUPTED_REPLY])
    assert not is_degraded("answered", ["Here is what I found (under ₹3,000):"])


def test_a_degraded_turn_is_not_a_success() -> None:
    rec = Recorder()
    rec.answered(0.1, degraded=False)
    rec.answered(0.2, degraded=True)
    assert rec.latencies == [100.0] and rec.degraded == [200.0]


def test_the_open_loop_sends_at_its_rate_each_shopper_in_turn_and_times_from_arrival() -> None:
    import asyncio
    import json

    import httpx

    from bench.load_bench import SCRIPT
    from bench.load_open_loop import open_loop

    in_flight: set[str] = set()
    seen: dict[str, list[str]] = {}
    overlapping: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sender = body["sender"]
        if sender in in_flight:
            overlapping.append(sender)
        in_flight.add(sender)
        seen.setdefault(sender, []).append(body["message"])
        await asyncio.sleep(0.05)  # slower than the gaps between arrivals: turns overlap
        in_flight.discard(sender)
        inbound = {"status": "answered", "text": body["message"]}
        return httpx.Response(200, json={"session_token": "t", "messages": [inbound, {"text": "ok"}]})

    def run() -> tuple[Any, float]:  # a thread of its own: a browser test may leave this one's loop running
        return asyncio.run(open_loop("http://bench", rate=200.0, seconds=0.5, transport=httpx.MockTransport(answer)))

    with ThreadPoolExecutor(1) as pool:
        rec, _ = pool.submit(run).result()
    assert 60 <= len(rec.sent) <= 140  # Poisson arrivals at 200/s for 0.5 s
    assert len(rec.latencies) == len(rec.sent) and not rec.errors
    assert not overlapping  # a shopper never sends while waiting for a reply
    assert all(messages == SCRIPT[: len(messages)] for messages in seen.values())
    assert min(rec.latencies) >= 50.0  # from when each turn was due
