"""Open-loop load: turns arrive at a fixed mean rate (a Poisson process), whether or not the
stack keeps up, as shoppers do; the closed loop of bench.load_bench waits for each answer.

Each arrival is the next message of a shopper who is not waiting for a reply (a new shopper
when all are), over REST, with the script of bench.load_bench. A turn's latency counts from
the moment it was due, not from when it was sent, so a stack that falls behind shows it
(no coordinated omission).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import deque
from dataclasses import dataclass

import httpx

from bench.load_bench import SCRIPT, Recorder, is_degraded


@dataclass
class Shopper:
    name: str
    sent: int = 0  # messages of the script sent so far
    token: str = ""


async def _turn(client: httpx.AsyncClient, shopper: Shopper, due: float, rec: Recorder, idle: deque[Shopper]) -> None:
    client_id = uuid.uuid4().hex
    rec.sent.append(client_id)
    body = {"sender": shopper.name, "message": SCRIPT[shopper.sent], "client_message_id": client_id}
    try:
        r = await client.post("/v1/chat", json=body, headers={"x-session-token": shopper.token})
        if r.status_code == 200 and len(r.json()["messages"]) >= 2:
            shopper.token = r.json()["session_token"]
            inbound, *replies = r.json()["messages"]
            rec.answered(
                time.perf_counter() - due, is_degraded(inbound.get("status"), [m.get("text") or "" for m in replies])
            )
        else:
            rec.error(f"rest status {r.status_code}")
    except httpx.HTTPError as exc:
        rec.error(f"rest {type(exc).__name__}")
    shopper.sent += 1
    if shopper.sent < len(SCRIPT):
        idle.append(shopper)  # ready for their next message; a finished script leaves


async def open_loop(
    api: str, rate: float, seconds: float, seed: int = 7, transport: httpx.AsyncBaseTransport | None = None
) -> tuple[Recorder, float]:
    """Send turns at `rate` per second on average for `seconds`; return what came back and
    the seconds until the last answer."""
    rec, rng = Recorder(), random.Random(seed)
    idle: deque[Shopper] = deque()
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=api, timeout=60, limits=limits, transport=transport) as client:
        start = time.perf_counter()
        at, tasks, shoppers = 0.0, [], 0
        while (at := at + rng.expovariate(rate)) < seconds:
            await asyncio.sleep(max(0.0, start + at - time.perf_counter()))
            if not idle:
                shoppers += 1
                idle.append(Shopper(f"open-{rate:g}-{shoppers}-{uuid.uuid4().hex[:6]}"))
            tasks.append(asyncio.create_task(_turn(client, idle.popleft(), start + at, rec, idle)))
        await asyncio.gather(*tasks)
    return rec, time.perf_counter() - start
