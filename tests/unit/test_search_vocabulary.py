"""The searcher's speller vocabulary: read from the index, refreshed in the background once at
a time, and a failing index never breaks searching."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from retrieval.encoders.hashing import HashingDenseEncoder, HashingSparseEncoder
from retrieval.index.memory import InMemoryProductIndex
from retrieval.search import ProductSearcher
from tests.support.catalog import PRODUCTS

DENSE, SPARSE = HashingDenseEncoder(), HashingSparseEncoder()


class SlowScrollIndex(InMemoryProductIndex):
    """The in-memory index whose scroll takes a while, counts its calls, and can fail."""

    def __init__(self) -> None:
        super().__init__()
        self.scrolls = 0
        self.fail = False
        self.release = threading.Event()

    def scroll(self, fields: Sequence[str], batch: int = 1000) -> Iterator[dict[str, Any]]:
        self.scrolls += 1
        self.release.wait(5)
        if self.fail:
            raise ConnectionError("index down")
        yield from super().scroll(fields, batch)


class FakeClock:
    """The searcher's clock, moved by hand: the TTL is tested without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _searcher(index: SlowScrollIndex, ttl: float, clock: FakeClock | None = None) -> ProductSearcher:
    texts = [p.search_text() for p in PRODUCTS]
    index.upsert(PRODUCTS, DENSE.encode_documents(texts), [SPARSE.encode_document(t) for t in texts])
    return ProductSearcher(index, DENSE, SPARSE, vocabulary_ttl_s=ttl, clock=clock or FakeClock())


def _wait_for(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_stale_searches_start_one_refresh_and_are_answered_meanwhile() -> None:
    index = SlowScrollIndex()
    searcher = _searcher(index, ttl=600)
    results = [searcher.search("waterprof boots") for _ in range(20)]  # vocabulary not loaded yet
    assert all(r.hits and r.spelling == [] for r in results)  # searched as typed, not held up
    index.release.set()
    _wait_for(lambda: searcher.search("waterprof boots").spelling == [("waterprof", "waterproof")])
    assert index.scrolls == 1


def test_a_failing_index_keeps_the_last_vocabulary_and_retries_after_the_ttl() -> None:
    index = SlowScrollIndex()
    index.release.set()
    clock = FakeClock()
    searcher = _searcher(index, ttl=600, clock=clock)
    searcher.refresh_vocabulary()
    index.fail = True
    clock.now += 599
    searcher.search("boots")  # still fresh: no refresh
    assert index.scrolls == 1
    clock.now += 2
    searcher.search("boots")  # stale: starts a refresh that fails
    _wait_for(lambda: index.scrolls == 2 and not searcher._refreshing.locked())
    assert searcher.search("waterprof boots").spelling == [("waterprof", "waterproof")]
    index.fail = False
    searcher.search("boots")  # the failed refresh counts as a try: no new one before the ttl
    assert index.scrolls == 2
    clock.now += 601
    searcher.search("boots")
    _wait_for(lambda: index.scrolls == 3)
