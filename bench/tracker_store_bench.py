"""Rasa's tracker stores, turn by turn: Rasa's SQL store, our cached SQL store, Rasa's Redis store.

Each store plays the same conversations through the calls Rasa makes in a turn (`retrieve`,
the turn's events applied, `save`), on the databases production would use: SQLite (the
embedded demo), a throwaway PostgreSQL cluster and a throwaway Redis server. Conversations
are interleaved, so a store's memory holds many at once. For every turn it records the
client's CPU (this process, which is what Rasa spends), the database server's CPU (its
processes' threads, from /proc/PID/task/TID/schedstat), the wall time and the statements sent (SQL statements, Redis
commands). Turns are grouped by how long the conversation already is, because Rasa's SQL
and Redis stores rebuild the whole session every turn.

Each turn's events are the ones a search turn writes (user message with its NLU parse,
entities, a slot, the action, the bot's cards, action_listen: 6 events).

    PYTHONPATH=. .venvs/rasa/bin/python -m bench.tracker_store_bench [--conversations 10 --turns 30]

Writes bench/results/tracker_store.json and .png; prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import RedisTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    EntitiesAdded,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bench.common import ROOT, machine, table, write_results
from bot.tracker_store import CachedSQLTrackerStore
from tests.support.postgres import throwaway_cluster
from tests.support.redis_server import throwaway_redis

DOMAIN = Domain.load(str(ROOT / "bot" / "domain.yml"))
BUCKETS = [(1, 5), (6, 15), (16, 30), (31, 60)]


def turn_events(i: int) -> list[Event]:
    """What a search turn adds to a tracker (sizes as the served bot writes them)."""
    text = f"do you have running shoes under {50 + i}"
    ranking = [{"name": f"intent_{k}", "confidence": round(0.9 / (k + 1), 4)} for k in range(10)]
    entities = [{"entity": "category", "value": "shoes", "start": 16, "end": 21, "extractor": "ShopTalkNLU"}]
    parse = {"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": entities}
    card = {"product_id": f"p{i}", "title": "Trail runner, breathable mesh", "price": 59.9, "currency": "USD"}
    return [
        UserUttered(text, parse["intent"], entities, parse_data=parse, metadata={"session_id": "s" * 32}),
        EntitiesAdded([{"entity": "price_max", "value": str(50 + i)}]),
        SlotSet("language", "en"),
        ActionExecuted("action_search_products", policy="RulePolicy", confidence=1.0),
        BotUttered("Here is what I found (shoes):", {"custom": {"products": [card] * 3}, "buttons": [{"title": "x"}]}),
        ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0),
    ]


def server_pids(marker: str) -> list[Path]:
    """The /proc folders of the server whose command line holds `marker`, and of its children
    (PostgreSQL's backends: one per connection, forked by the postmaster)."""
    parents: dict[Path, str] = {}
    roots = []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit():
                continue
            if marker in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("latin-1"):
                roots.append(proc)
            parents[proc] = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
        except OSError:
            continue
    ids = {root.name for root in roots}
    return roots + [proc for proc, ppid in parents.items() if ppid in ids and proc not in roots]


def cpu_ns(procs: list[Path]) -> int:
    """CPU nanoseconds the processes' threads have run so far (/proc/PID/task/TID/schedstat)."""
    total = 0
    for proc in procs:
        try:
            for task in (proc / "task").iterdir():
                total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError):
            continue
    return total


class Statements:
    """Counts what a store sends: SQL statements on its engine, or commands on its Redis client."""

    def __init__(self, store: TrackerStore) -> None:
        self.n = 0
        if hasattr(store, "engine"):
            sa.event.listen(store.engine, "before_cursor_execute", self._one)
        else:
            red = store.red  # type: ignore[attr-defined]
            execute = red.execute_command

            def counted(*args: Any, **kwargs: Any) -> Any:
                self.n += 1
                return execute(*args, **kwargs)

            red.execute_command = counted

    def _one(self, *args: Any) -> None:
        self.n += 1


async def play(store: TrackerStore, marker: str, conversations: int, turns: int, tag: str) -> list[dict[str, Any]]:
    """Play the conversations interleaved, one turn each in turn; return one record per turn."""
    statements = Statements(store)
    for c in range(conversations):
        tracker = DialogueStateTracker(f"{tag}-{c}", DOMAIN.slots)
        for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
            tracker.update(event)
        await store.save(tracker)
    records = []
    for t in range(1, turns + 1):
        server = server_pids(marker)  # once a round: PostgreSQL forks a backend per new connection
        for c in range(conversations):
            events = turn_events(t)  # made before the clock starts: Rasa's NLU and policies make them
            n0, srv0 = statements.n, cpu_ns(server)
            cpu0, wall0 = time.process_time_ns(), time.perf_counter()
            tracker = await store.retrieve(f"{tag}-{c}")
            assert tracker is not None
            for event in events:
                tracker.update(event)
            await store.save(tracker)
            wall, cpu = time.perf_counter() - wall0, time.process_time_ns() - cpu0
            srv = cpu_ns(server) - srv0
            records.append({"turn": t, "client_cpu_ms": cpu / 1e6, "server_cpu_ms": srv / 1e6, "wall_ms": wall * 1e3})
            records[-1]["statements"] = statements.n - n0
    return records


@contextmanager
def stores(workdir: Path) -> Iterator[list[tuple[str, Callable[[], TrackerStore], str]]]:
    """(name, factory, server marker) for every store and database measured."""
    with ExitStack() as stack:
        pg = stack.enter_context(throwaway_cluster()).replace("postgresql+psycopg://", "postgresql://")
        red = stack.enter_context(throwaway_redis())
        pg_port, redis_port = pg.rsplit(":", 1)[1].split("/")[0], red.rsplit(":", 1)[1].split("/")[0]
        sqlite = f"sqlite:///{workdir / 'tracker.db'}"
        yield [
            ("Rasa SQL, SQLite", lambda: SQLTrackerStore(DOMAIN, host=sqlite, dialect="sqlite"), "\x00none"),
            ("cached SQL, SQLite", lambda: CachedSQLTrackerStore(DOMAIN, host=sqlite, dialect="sqlite"), "\x00none"),
            ("Rasa SQL, PostgreSQL", lambda: SQLTrackerStore(DOMAIN, host=pg, dialect="postgresql"), f"-p {pg_port}"),
            (
                "cached SQL, PostgreSQL",
                lambda: CachedSQLTrackerStore(DOMAIN, host=pg, dialect="postgresql"),
                f"-p {pg_port}",
            ),
            (
                "Rasa Redis",
                lambda: RedisTrackerStore(DOMAIN, host="127.0.0.1", port=int(redis_port)),
                f":{redis_port}",
            ),
        ]


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lo, hi in BUCKETS:
        rows = [r for r in records if lo <= r["turn"] <= hi]
        if rows:
            out[f"turns {lo}-{hi}"] = {
                key: statistics.median(r[key] for r in rows)
                for key in ("client_cpu_ms", "server_cpu_ms", "wall_ms", "statements")
            }
    return out


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, records in results["records"].items():
        by_turn: dict[int, list[float]] = {}
        for r in records:
            by_turn.setdefault(r["turn"], []).append(r["client_cpu_ms"] + r["server_cpu_ms"])
        turns = sorted(by_turn)
        ax.plot(turns, [statistics.median(by_turn[t]) for t in turns], label=name)
    ax.set_xlabel("turn of the conversation")
    ax.set_ylabel("CPU ms per turn (Rasa's process + database server)")
    ax.set_title("Tracker store cost per turn (retrieve + save), median over conversations")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=10, help="conversations played at once per store")
    parser.add_argument("--turns", type=int, default=30, help="turns per conversation")
    parser.add_argument("--name", default="tracker_store", help="results file: bench/results/NAME.json and .png")
    args = parser.parse_args()
    results: dict[str, Any] = {"machine": machine(), "conversations": args.conversations, "turns": args.turns}
    results["records"], results["summary"] = {}, {}
    with tempfile.TemporaryDirectory() as tmp, stores(Path(tmp)) as measured:
        for i, (name, factory, marker) in enumerate(measured):
            print(f"{name}: {args.conversations} conversations x {args.turns} turns", flush=True)
            records = asyncio.run(play(factory(), marker, args.conversations, args.turns, f"b{i}"))
            results["records"][name], results["summary"][name] = records, summarise(records)
    rows = []
    for name, buckets in results["summary"].items():
        for bucket, s in buckets.items():
            total = s["client_cpu_ms"] + s["server_cpu_ms"]
            rows.append([name, bucket, s["client_cpu_ms"], s["server_cpu_ms"], total, s["wall_ms"], s["statements"]])
    header = ["store", "turns", "Rasa CPU ms", "server CPU ms", "CPU ms", "wall ms", "statements"]
    print(table(rows, header))
    path = write_results(args.name, results)
    plot(results, path.with_suffix(".png"))
    print(f"wrote {path} and {path.with_suffix('.png')}")


if __name__ == "__main__":
    main()
