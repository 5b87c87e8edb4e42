"""Load benchmark: N simulated shoppers chat concurrently with the real stack for a while.

The stack is the one `make demo` runs (action server, Rasa, API on embedded defaults) in
a throwaway folder. Half of the shoppers use REST (POST /v1/chat), half the WebSocket
channel. Each simulated shopper has one conversation through a short shopping script
(think time 0.1-0.5 s between messages), then a new shopper takes its place, so N
conversations are always in flight. Every
message carries a unique client id; afterwards the database is checked: every message a
shopper sent must be stored exactly once (lost = sent but not stored, duplicated = stored
twice). Reports turns per second, turn latency p50/p95/p99 and errors, per N.
Run: make bench-load (writes bench/results/load.json and load.png).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import websockets

from api.turns.recovery import INTERRUPTED_REPLY
from api.turns.service import UNAVAILABLE_REPLY
from bench.common import RESULTS, machine, table, write_results
from shoptalk.paths import DEFAULT_VAR
from shoptalk.stack import Stack
from shoptalk.throwaway import throwaway_config
from shoptalk.train import train

SCRIPT = [
    "hi",
    "I'm looking for running shoes",
    "show me cheaper ones",
    "do you have a watch for men under 2000",
    "what is your return policy?",
    "thanks",
]
TOKEN = "bench-load-token"


DEGRADED_STATUSES = {"dialogue_unavailable", "interrupted"}
DEGRADED_REPLIES = (UNAVAILABLE_REPLY, INTERRUPTED_REPLY)


def is_degraded(inbound_status: str | None, reply_texts: list[str]) -> bool:
    """A turn answered with an apology (Rasa unreachable or slow, a turn a crash left) is no
    success: the shopper got no answer to what they asked."""
    return inbound_status in DEGRADED_STATUSES or any(t in DEGRADED_REPLIES for t in reply_texts)


class Recorder:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.degraded: list[float] = []
        self.errors: list[str] = []
        self.sent: list[str] = []

    def answered(self, seconds: float, degraded: bool) -> None:
        """A turn that got replies: a success, or a degraded reply counted apart."""
        (self.degraded if degraded else self.latencies).append(seconds * 1000)

    def error(self, what: str) -> None:
        self.errors.append(what)


async def rest_shopper(api: str, name: str, until: float, rec: Recorder, rng: random.Random) -> None:
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        i = 0
        sender, token = name, ""
        while time.monotonic() < until:
            if i % len(SCRIPT) == 0:  # one conversation through the script, then a new shopper arrives
                sender, token = f"{name}-{i // len(SCRIPT)}", ""
            client_id = uuid.uuid4().hex
            rec.sent.append(client_id)
            started = time.perf_counter()
            try:
                r = await client.post(
                    "/v1/chat",
                    json={"sender": sender, "message": SCRIPT[i % len(SCRIPT)], "client_message_id": client_id},
                    headers={"x-session-token": token},  # the shopper's session token, as the widget sends it
                )
                if r.status_code == 200 and len(r.json()["messages"]) >= 2:
                    token = r.json()["session_token"]
                    inbound, *replies = r.json()["messages"]
                    degraded = is_degraded(inbound.get("status"), [m.get("text") or "" for m in replies])
                    rec.answered(time.perf_counter() - started, degraded)
                else:
                    rec.error(f"rest status {r.status_code}")
            except httpx.HTTPError as exc:
                rec.error(f"rest {type(exc).__name__}")
            i += 1
            await asyncio.sleep(rng.uniform(0.1, 0.5))


async def ws_shopper(ws_url: str, name: str, until: float, rec: Recorder, rng: random.Random) -> None:
    async with websockets.connect(ws_url, max_size=2**20) as ws:
        i = 0
        while time.monotonic() < until:
            if i % len(SCRIPT) == 0:  # a new shopper (session) on this connection
                await ws.send(json.dumps({"type": "session_request", "session_id": f"{name}-{i // len(SCRIPT)}"}))
                json.loads(await ws.recv())
            client_id = uuid.uuid4().hex
            rec.sent.append(client_id)
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "text": SCRIPT[i % len(SCRIPT)], "client_id": client_id}))
            replies: list[str] = []
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if frame["type"] == "message":
                    replies.append(frame["message"].get("text") or "")
                elif frame["type"] == "error":
                    rec.error(f"ws {frame.get('code')}")
                    break
                elif frame["type"] == "purchase_intent":
                    if replies:
                        rec.answered(time.perf_counter() - started, is_degraded(None, replies))
                    else:
                        rec.error("ws no reply")
                    break
            i += 1
            await asyncio.sleep(rng.uniform(0.1, 0.5))


async def run_level(api: str, shoppers: int, seconds: float) -> tuple[Recorder, float]:
    rec = Recorder()
    rng = random.Random(shoppers)
    until = time.monotonic() + seconds
    ws_url = api.replace("http://", "ws://") + "/v1/ws"
    tasks = []
    for n in range(shoppers):
        name = f"load-{shoppers}-{n}-{uuid.uuid4().hex[:6]}"
        if n % 2 == 0:
            tasks.append(rest_shopper(api, name, until, rec, rng))
        else:
            tasks.append(ws_shopper(ws_url, name, until, rec, rng))
    started = time.monotonic()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.monotonic() - started
    for r in results:
        if isinstance(r, BaseException):
            rec.error(f"shopper died: {type(r).__name__}")
    return rec, elapsed


def stored_counts(db: Path, client_ids: list[str]) -> tuple[int, int]:
    """Return (lost, duplicated) for the client ids sent."""
    conn = sqlite3.connect(db)
    try:
        counts = dict(
            conn.execute("SELECT client_id, count(*) FROM messages WHERE client_id IS NOT NULL GROUP BY client_id")
        )
    finally:
        conn.close()
    lost = sum(1 for c in client_ids if c not in counts)
    duplicated = sum(1 for c in client_ids if counts.get(c, 0) > 1)
    return lost, duplicated


def plot(results: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = sorted(int(k) for k in results if k.isdigit())
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        ax[0].plot(levels, [results[str(n)][key] for n in levels], marker="o", label=key)
    ax[0].set_xlabel("concurrent shoppers")
    ax[0].set_ylabel("turn latency (ms)")
    ax[0].legend()
    ax[1].plot(levels, [results[str(n)]["turns_per_s"] for n in levels], marker="o")
    ax[1].set_xlabel("concurrent shoppers")
    ax[1].set_ylabel("turns per second")
    fig.suptitle("ShopTalk load: REST + WebSocket shoppers, real stack")
    fig.tight_layout()
    fig.savefig(RESULTS / "load.png", dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shoppers", default="10,20,50")
    parser.add_argument("--seconds", type=float, default=60.0)
    ns = parser.parse_args()
    model = train(DEFAULT_VAR / "rasa-models")
    with tempfile.TemporaryDirectory(prefix="shoptalk-load-") as tmp:
        var = Path(tmp)
        # Capacity is measured, so the abuse limits (all shoppers come from 127.0.0.1) are off.
        limits_off = {
            "RATE_LIMIT_CHAT_PER_SHOPPER": "0",
            "RATE_LIMIT_CHAT_PER_IP": "0",
            "RATE_LIMIT_EVENTS_PER_IP": "0",
        }
        config = throwaway_config(var, model, TOKEN, extra_env={"LOG_LEVEL": "WARNING", **limits_off})
        stack = Stack(config)
        stack.start(timeout_s=300)
        results: dict[str, Any] = {"machine": machine(), "seconds": ns.seconds, "script": SCRIPT}
        try:
            asyncio.run(run_level(config.api_url, 2, 10))  # warm-up: models loaded, caches filled
            for shoppers in [int(x) for x in ns.shoppers.split(",")]:
                print(f"load: {shoppers} shoppers for {ns.seconds:.0f} s ...", flush=True)
                rec, elapsed = asyncio.run(run_level(config.api_url, shoppers, ns.seconds))
                lost, duplicated = stored_counts(var / "shoptalk.db", rec.sent)
                lat = rec.latencies or [float("nan")]
                results[str(shoppers)] = {
                    "p50_ms": float(np.percentile(lat, 50)),
                    "p95_ms": float(np.percentile(lat, 95)),
                    "p99_ms": float(np.percentile(lat, 99)),
                    "mean_ms": float(statistics.fmean(lat)),
                    "turns_per_s": len(rec.latencies) / elapsed,
                    "turns": len(rec.latencies),
                    "errors": len(rec.errors),
                    "error_kinds": sorted(set(rec.errors))[:10],
                    "degraded": len(rec.degraded),
                    "sent": len(rec.sent),
                    "lost": lost,
                    "duplicated": duplicated,
                }
                print(f"load {shoppers}: {results[str(shoppers)]}", flush=True)
        finally:
            stack.stop()
    path = write_results("load", results)
    plot(results)
    rows = [
        [
            n,
            r["turns_per_s"],
            r["p50_ms"],
            r["p95_ms"],
            r["p99_ms"],
            r["errors"],
            r.get("degraded", 0),
            r["lost"],
            r["duplicated"],
        ]
        for n, r in results.items()
        if n.isdigit()
    ]
    headers = ["shoppers", "turns/s", "p50 ms", "p95 ms", "p99 ms", "errors", "degraded", "lost", "duplicated"]
    print(table(rows, headers))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
