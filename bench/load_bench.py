"""Load benchmark: N simulated shoppers chat concurrently with the real stack for a while.

The stack is the one `make demo` runs (action server, Rasa, API on embedded defaults) in
a throwaway folder. Half of the shoppers use REST (POST /v1/chat), half the WebSocket
channel. Each simulated shopper has one conversation through a short shopping script
(think time 0.1-0.5 s between messages, `--think` for another range), then a new shopper
takes its place, so N conversations are always in flight (the closed loop). Beside it, an
open loop (bench.load_open_loop, `--rates`) sends turns at fixed mean arrival rates, timing
each from when it was due. Every message carries a unique client id; afterwards the database is checked: every message a
shopper sent must be stored exactly once (lost = sent but not stored, duplicated = stored
twice). Reports turns per second, turn latency p50/p95/p99, errors and degraded replies
(apologies, counted apart from successes), per level.
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
from bench.common import machine, table, write_results
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
THINK = (0.1, 0.5)  # seconds between a reply and the next message (--think; real chats: several seconds)


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


async def rest_shopper(
    api: str, name: str, until: float, rec: Recorder, rng: random.Random, think: tuple[float, float] = THINK
) -> None:
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
            await asyncio.sleep(rng.uniform(*think))


async def ws_shopper(
    ws_url: str, name: str, until: float, rec: Recorder, rng: random.Random, think: tuple[float, float] = THINK
) -> None:
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
            await asyncio.sleep(rng.uniform(*think))


async def run_level(
    api: str, shoppers: int, seconds: float, think: tuple[float, float] = THINK
) -> tuple[Recorder, float]:
    rec = Recorder()
    rng = random.Random(shoppers)
    until = time.monotonic() + seconds
    ws_url = api.replace("http://", "ws://") + "/v1/ws"
    tasks = []
    for n in range(shoppers):
        name = f"load-{shoppers}-{n}-{uuid.uuid4().hex[:6]}"
        if n % 2 == 0:
            tasks.append(rest_shopper(api, name, until, rec, rng, think))
        else:
            tasks.append(ws_shopper(ws_url, name, until, rec, rng, think))
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


def plot(results: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = sorted(int(k) for k in results if k.isdigit())
    rates = sorted(results.get("open_loop", {}), key=float)
    fig, ax = plt.subplots(1, 3 if rates else 2, figsize=(15 if rates else 10, 4))
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        ax[0].plot(levels, [results[str(n)][key] for n in levels], marker="o", label=key)
    ax[0].set_xlabel("concurrent shoppers (closed loop)")
    ax[0].set_ylabel("turn latency (ms)")
    ax[0].legend()
    ax[1].plot(levels, [results[str(n)]["turns_per_s"] for n in levels], marker="o")
    ax[1].set_xlabel("concurrent shoppers (closed loop)")
    ax[1].set_ylabel("turns per second")
    if rates:
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            ax[2].plot([float(r) for r in rates], [results["open_loop"][r][key] for r in rates], marker="o", label=key)
        ax[2].set_xlabel("arrivals per second (open loop)")
        ax[2].set_ylabel("latency from arrival (ms)")
        ax[2].legend()
    fig.suptitle("ShopTalk load: REST + WebSocket shoppers, real stack")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def summary(rec: Recorder, elapsed: float, db: Path) -> dict[str, Any]:
    """One level's figures: latency of the successful turns, throughput, and what went wrong."""
    lost, duplicated = stored_counts(db, rec.sent)
    lat = rec.latencies or [float("nan")]
    return {
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


def main() -> None:
    from bench.load_open_loop import open_loop

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shoppers", default="10,20,50", help="closed loop: concurrent shoppers per level ('' none)")
    parser.add_argument("--rates", default="10,20,30", help="open loop: turns per second per level ('' none)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--name", default="load", help="results file: bench/results/NAME.json and .png")
    parser.add_argument("--think", default="0.1-0.5", help="closed loop: think time range in seconds, e.g. 3-15")
    ns = parser.parse_args()
    low, high = (float(x) for x in ns.think.split("-"))
    think = (low, high)
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
        results: dict[str, Any] = {"machine": machine(), "seconds": ns.seconds, "script": SCRIPT, "think_s": think}
        try:
            asyncio.run(run_level(config.api_url, 2, 10))  # warm-up: models loaded, caches filled
            for shoppers in [int(x) for x in ns.shoppers.split(",") if x]:
                print(f"load: {shoppers} shoppers for {ns.seconds:.0f} s ...", flush=True)
                rec, elapsed = asyncio.run(run_level(config.api_url, shoppers, ns.seconds, think))
                results[str(shoppers)] = summary(rec, elapsed, var / "shoptalk.db")
                print(f"load {shoppers}: {results[str(shoppers)]}", flush=True)
            for rate in [float(x) for x in ns.rates.split(",") if x]:
                print(f"load: open loop, {rate:g} turns/s for {ns.seconds:.0f} s ...", flush=True)
                rec, elapsed = asyncio.run(open_loop(config.api_url, rate, ns.seconds))
                results.setdefault("open_loop", {})[f"{rate:g}"] = summary(rec, elapsed, var / "shoptalk.db")
                print(f"load open {rate:g}/s: {results['open_loop'][f'{rate:g}']}", flush=True)
        finally:
            stack.stop()
    path = write_results(ns.name, results)
    plot(results, path.with_suffix(".png"))
    keys = ["turns_per_s", "p50_ms", "p95_ms", "p99_ms", "errors", "degraded", "lost", "duplicated"]
    headers = ["turns/s", "p50 ms", "p95 ms", "p99 ms", "errors", "degraded", "lost", "duplicated"]
    closed = [[n, *(r.get(k, 0) for k in keys)] for n, r in results.items() if n.isdigit()]
    if closed:
        print(table(closed, ["shoppers", *headers]))
    opened = [[rate, *(r.get(k, 0) for k in keys)] for rate, r in results.get("open_loop", {}).items()]
    if opened:
        print(table(opened, ["arrivals/s", *headers]))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
