"""CachedSQLTrackerStore against Rasa's own SQLTrackerStore on the same database.

Every read through the cached store must equal what Rasa's store reads from the rows, on
SQLite (the embedded demo) and on a real PostgreSQL (production), including when another
replica writes or deletes, when a turn fails before it is saved, and when a session starts.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
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

from bot.tracker_store import CachedSQLTrackerStore

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "bot" / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    url = request.getfixturevalue("postgres_url").replace("postgresql+psycopg://", "postgresql://")
    yield url
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS events"))
    engine.dispose()


def sync(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test to completion on its own event loop."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def _store(cls: type, url: str, **kwargs: Any) -> Any:
    return cls(domain=DOMAIN, host=url, dialect=url.split(":", 1)[0], **kwargs)


class Counted:
    """Counts the SQL statements an engine runs."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.n = 0
        sa.event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *args: Any) -> None:
        self.n += 1


def turn(i: int) -> list[Event]:
    text = f"do you have running shoes under {50 + i}"
    parse = {
        "text": text,
        "intent": {"name": "search_product", "confidence": 0.91},
        "intent_ranking": [{"name": "search_product", "confidence": 0.91}, {"name": "greet", "confidence": 0.02}],
        "entities": [{"entity": "category", "value": "shoes", "start": 16, "end": 21}],
    }
    card = {"product_id": f"p{i}", "title": "Runner", "price": 49.5 + i, "currency": "USD"}
    return [
        UserUttered(text, parse["intent"], parse["entities"], parse_data=parse, metadata={"session_id": "s1"}),
        EntitiesAdded([{"entity": "price_max", "value": str(50 + i)}]),
        SlotSet("language", "en" if i % 2 else "zh"),
        ActionExecuted("action_search_products", policy="RulePolicy", confidence=1.0),
        BotUttered("Here is what I found", {"custom": {"products": [card]}, "buttons": [{"title": "Cheaper"}]}),
        ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0),
    ]


def started(sender_id: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender_id, DOMAIN.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    return tracker


def same(a: DialogueStateTracker | None, b: DialogueStateTracker | None) -> None:
    """The two trackers hold the same events and the same state."""
    assert (a is None) == (b is None)
    if a is None or b is None:
        return
    assert [e.as_dict() for e in a.events] == [e.as_dict() for e in b.events]
    assert a.current_state() == b.current_state()
    assert a.latest_message.entities == b.latest_message.entities


@sync
async def test_every_read_equals_rasas_own_read(db_url: str) -> None:
    cached, rasa = _store(CachedSQLTrackerStore, db_url), _store(SQLTrackerStore, db_url)
    await cached.save(started("c1"))
    for i in range(8):
        tracker = await cached.retrieve("c1")
        assert tracker is not None
        for event in turn(i):
            tracker.update(event)
        await cached.save(tracker)
        same(await cached.retrieve("c1"), await rasa.retrieve("c1"))
    assert len((await rasa.retrieve("c1")).events) == 2 + 8 * 6  # type: ignore[union-attr]  # action_session_start precedes SessionStarted


@sync
async def test_a_turn_costs_one_read_and_one_insert(db_url: str) -> None:
    cached = _store(CachedSQLTrackerStore, db_url)
    await cached.save(started("c2"))
    tracker = await cached.retrieve("c2")  # fills the memory
    for event in turn(0):
        tracker.update(event)  # type: ignore[union-attr]
    await cached.save(tracker)  # type: ignore[arg-type]
    counted = Counted(cached.engine)
    tracker = await cached.retrieve("c2")
    assert counted.n == 1, "a kept conversation is read with one count query"
    for event in turn(1):
        tracker.update(event)  # type: ignore[union-attr]
    await cached.save(tracker)  # type: ignore[arg-type]
    assert counted.n <= 3, f"the save took {counted.n - 1} statements"
    same(tracker, await _store(SQLTrackerStore, db_url).retrieve("c2"))


@sync
async def test_another_replicas_writes_and_deletes_are_seen(db_url: str) -> None:
    one, two = _store(CachedSQLTrackerStore, db_url), _store(CachedSQLTrackerStore, db_url)
    rasa = _store(SQLTrackerStore, db_url)
    await one.save(started("c3"))
    for i in range(3):
        replica = one if i % 2 == 0 else two  # turns alternate between replicas
        tracker = await replica.retrieve("c3")
        for event in turn(i):
            tracker.update(event)  # type: ignore[union-attr]
        await replica.save(tracker)  # type: ignore[arg-type]
        same(await one.retrieve("c3"), await rasa.retrieve("c3"))
        same(await two.retrieve("c3"), await rasa.retrieve("c3"))
    two.forget("c3")
    assert await one.retrieve("c3") is None
    assert await rasa.retrieve("c3") is None


@sync
async def test_a_turn_that_fails_before_its_save_leaves_no_trace(db_url: str) -> None:
    cached, rasa = _store(CachedSQLTrackerStore, db_url), _store(SQLTrackerStore, db_url)
    await cached.save(started("c4"))
    tracker = await cached.retrieve("c4")
    for event in turn(0):
        tracker.update(event)  # type: ignore[union-attr]
    await cached.save(tracker)  # type: ignore[arg-type]
    failed = await cached.retrieve("c4")
    failed.latest_message.entities.append({"entity": "color", "value": "red"})  # type: ignore[union-attr]
    for event in (EntitiesAdded([{"entity": "size", "value": "42"}]), *turn(1)[:3]):
        failed.update(event)  # type: ignore[union-attr]
    same(await cached.retrieve("c4"), await rasa.retrieve("c4"))


@sync
async def test_a_new_session_reads_what_rasa_reads(db_url: str) -> None:
    cached, rasa = _store(CachedSQLTrackerStore, db_url), _store(SQLTrackerStore, db_url)
    await cached.save(started("c5"))
    tracker = await cached.retrieve("c5")
    for event in turn(0):
        tracker.update(event)  # type: ignore[union-attr]
    await cached.save(tracker)  # type: ignore[arg-type]
    tracker = await cached.retrieve("c5")
    time.sleep(0.01)  # the new session's events come strictly after the old ones, as in a real restart
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"), *turn(1)):
        tracker.update(event)  # type: ignore[union-attr]
    await cached.save(tracker)  # type: ignore[arg-type]
    fresh = await cached.retrieve("c5")
    same(fresh, await rasa.retrieve("c5"))
    assert fresh is not None and len(fresh.events) == 2 + 6, "only the latest session is read"


@sync
async def test_a_store_restarted_reads_everything_back(db_url: str) -> None:
    cached = _store(CachedSQLTrackerStore, db_url)
    await cached.save(started("c6"))
    tracker = await cached.retrieve("c6")
    for event in turn(0):
        tracker.update(event)  # type: ignore[union-attr]
    await cached.save(tracker)  # type: ignore[arg-type]
    restarted = _store(CachedSQLTrackerStore, db_url)
    same(await restarted.retrieve("c6"), tracker)


@sync
async def test_the_memory_is_bounded(db_url: str) -> None:
    cached = _store(CachedSQLTrackerStore, db_url, cache_size=2)
    for sender in ("a", "b", "c"):
        await cached.save(started(sender))
        await cached.retrieve(sender)
    assert list(cached._kept) == ["b", "c"]
    same(await cached.retrieve("a"), await _store(SQLTrackerStore, db_url).retrieve("a"))
