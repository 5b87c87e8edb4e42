"""Soak benchmark: shoppers chat for a long while as Rasa, the action server and the API
are each killed (SIGKILL) and restarted once. Proves zero lost and zero duplicated
messages, reports turns served, p95 latency and memory over time.

Shoppers retry a failed send with the same client id until the API answers (what the
widget does), so a message sent while the API is down is stored once it is back, and a
message whose answer was lost is answered from storage, never stored twice.
Run: make bench-soak (writes bench/results/soak.json and soak.png).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.common import machine, table, write_results
from bench.load_bench import SCRIPT, TOKEN
from shoptalk.paths import DEFAULT_VAR
from shoptalk.stack import Stack
from shoptalk.throwaway import throwaway_config
from shoptalk.train import train


class Soak:
    def __init__(self) -> None:
        self.latencies: list[tuple[float, float]] = []  # (time since start, ms)
        self.sent: set[str] = set()
        self.retries = 0
        self.apologies = 0
        self.started = time.monotonic()


async def shopper(api: str, name: str, until: float, soak: Soak, rng: random.Random) -> None:
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        i, tokens = 0, {}
        while time.monotonic() < until:
            sender = f"{name}-{i // len(SCRIPT)}"
            client_id = uuid.uuid4().hex
            soak.sent.add(client_id)
            started = time.perf_counter()
            while True:  # retry with the same client id until stored and answered
                try:
                    r = await client.post(
                        "/v1/chat",
                        json={"sender": sender, "message": SCRIPT[i % len(SCRIPT)], "client_message_id": client_id},
                        headers={"x-session-token": tokens.get(sender, "")},
                    )
                    if r.status_code == 200:
                        tokens[sender] = r.json()["session_token"]
                        texts = [m["text"] for m in r.json()["messages"][1:]]
                        soak.apologies += any("temporarily unavailable" in t or "interrupted" in t for t in texts)
                        break
                except httpx.HTTPError:
                    pass
                soak.retries += 1
                await asyncio.sleep(0.5)
            soak.latencies.append((time.monotonic() - soak.started, (time.perf_counter() - started) * 1000))
            i += 1
            await asyncio.sleep(rng.uniform(0.3, 1.0))


def rss_mib(pid: int) -> float:
    """Return the resident memory of a process and its children (MiB)."""
    total = 0
    try:
        import os

        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().split()
                if int(stat[4]) == pid or int(entry) == pid:  # process group id
                    total += int(Path(f"/proc/{entry}/statm").read_text().split()[1]) * 4096
            except (OSError, IndexError, ValueError):
                continue
    except OSError:
        return 0.0
    return total / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--shoppers", type=int, default=10)
    parser.add_argument("--results-name", default="soak", help="bench/results/NAME.json and NAME.png")
    ns = parser.parse_args()
    model = train(DEFAULT_VAR / "rasa-models")
    seconds = ns.minutes * 60
    faults = [(0.25, "rasa"), (0.5, "actions"), (0.75, "api")]
    with tempfile.TemporaryDirectory(prefix="shoptalk-soak-") as tmp:
        var = Path(tmp)
        limits_off = {"RATE_LIMIT_CHAT_PER_SHOPPER": "0", "RATE_LIMIT_CHAT_PER_IP": "0", "RASA_TIMEOUT_S": "5"}
        config = throwaway_config(var, model, TOKEN, extra_env={"LOG_LEVEL": "WARNING", **limits_off})
        stack = Stack(config)
        stack.start(timeout_s=300)
        soak = Soak()
        memory: list[dict[str, float]] = []
        events: list[dict[str, Any]] = []
        stop = threading.Event()

        def chaos() -> None:
            for fraction, name in faults:
                if stop.wait(max(0.0, soak.started + seconds * fraction - time.monotonic())):
                    return
                print(f"soak: killing {name}", flush=True)
                t0 = time.monotonic()
                stack.kill(name)
                time.sleep(3)
                stack.restart(name)
                events.append({"service": name, "at_s": t0 - soak.started, "down_s": time.monotonic() - t0})
                print(f"soak: {name} back after {time.monotonic() - t0:.1f} s", flush=True)

        def sample() -> None:
            while not stop.wait(10):
                row = {"t_s": time.monotonic() - soak.started}
                for service in stack.services:
                    row[service.name] = rss_mib(service.process.pid) if service.process else 0.0
                memory.append(row)
                print(f"soak: t={row['t_s']:.0f}s turns={len(soak.latencies)} rss={row}", flush=True)

        threads = [threading.Thread(target=chaos, daemon=True), threading.Thread(target=sample, daemon=True)]
        for t in threads:
            t.start()
        try:

            async def run() -> None:
                rng = random.Random(7)
                until = time.monotonic() + seconds
                await asyncio.gather(
                    *(shopper(config.api_url, f"soak-{n}", until, soak, rng) for n in range(ns.shoppers))
                )

            asyncio.run(run())
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
            stack.stop()
        conn = sqlite3.connect(var / "shoptalk.db")
        counts = dict(
            conn.execute("SELECT client_id, count(*) FROM messages WHERE client_id IS NOT NULL GROUP BY client_id")
        )
        unanswered = conn.execute("SELECT count(*) FROM messages WHERE status = 'received'").fetchone()[0]
        conn.close()
    lat = [ms for _, ms in soak.latencies]
    results = {
        "machine": machine(),
        "minutes": ns.minutes,
        "shoppers": ns.shoppers,
        "turns": len(lat),
        "p50_ms": float(np.percentile(lat, 50)),
        "p95_ms": float(np.percentile(lat, 95)),
        "retries": soak.retries,
        "degraded_replies": soak.apologies,
        "lost": sum(1 for c in soak.sent if c not in counts),
        "duplicated": sum(1 for c in soak.sent if counts.get(c, 0) > 1),
        "left_unanswered": unanswered,
        "faults": events,
        "memory_mib": memory,
        "memory_growth_mib": memory_growth(memory, events),
    }
    path = write_results(ns.results_name, results)
    plot(results, path.with_suffix(".png"))
    print(
        table(
            [
                [k, results[k]]
                for k in (
                    "turns",
                    "p50_ms",
                    "p95_ms",
                    "retries",
                    "degraded_replies",
                    "lost",
                    "duplicated",
                    "left_unanswered",
                )
            ],
            ["measure", "value"],
        )
    )
    print(json.dumps(results["memory_growth_mib"]))
    print(f"wrote {path}")


WARM_UP_S = 60.0


def memory_growth(memory: list[dict[str, float]], faults: list[dict[str, Any]]) -> dict[str, list[dict[str, float]]]:
    """Per service, per life (before its kill, after its restart), after a warm-up: how many
    MiB resident memory grew and the fitted slope in MiB an hour. A restarted process starts
    afresh, so growth is only meaningful within one life."""
    out: dict[str, list[dict[str, float]]] = {}
    end = memory[-1]["t_s"] if memory else 0.0
    for name in ("api", "rasa", "actions"):
        lives, start = [], 0.0
        for fault in (f for f in faults if f["service"] == name):
            lives.append((start, fault["at_s"]))
            start = fault["at_s"] + fault["down_s"]
        lives.append((start, end))
        out[name] = []
        for begin, finish in lives:
            rows = [(m["t_s"], m[name]) for m in memory if begin + WARM_UP_S <= m["t_s"] <= finish and m.get(name)]
            if len(rows) < 3:
                continue
            t, rss = np.array(rows).T
            late = t >= (t[0] + t[-1]) / 2  # a warm-up that levels off shows a smaller slope here
            out[name].append(
                {
                    "from_s": round(float(t[0])),
                    "to_s": round(float(t[-1])),
                    "growth_mib": round(float(rss[-1] - rss[0]), 1),
                    "mib_per_hour": round(float(np.polyfit(t, rss, 1)[0] * 3600), 1),
                    "second_half_mib_per_hour": round(float(np.polyfit(t[late], rss[late], 1)[0] * 3600), 1),
                }
            )
    return out


def plot(results: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    for name in ("api", "rasa", "actions"):
        ax.plot([m["t_s"] for m in results["memory_mib"]], [m.get(name, 0) for m in results["memory_mib"]], label=name)
    for fault in results["faults"]:
        ax.axvline(fault["at_s"], color="red", alpha=0.4)
        ax.text(fault["at_s"], ax.get_ylim()[1] * 0.95, f" kill {fault['service']}", color="red", fontsize=8)
    ax.set_xlabel("seconds")
    ax.set_ylabel("resident memory (MiB)")
    ax.set_title("Soak: memory per service while services are killed and restarted")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
