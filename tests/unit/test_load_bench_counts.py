"""The load bench counts an apology as degraded, never as a served turn."""

from __future__ import annotations

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
