"""Tests of bot/ code that runs inside Rasa (the Rasa env, Python 3.10)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("rasa", reason="bot tests run in the Rasa env: make test runs them there")

from tests.support.redis_server import throwaway_redis  # noqa: E402

BOT = Path(__file__).resolve().parents[2] / "bot"
if str(BOT) not in sys.path:
    sys.path.insert(0, str(BOT))  # the action server imports its package as `actions`, from bot/


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A real Redis server for the lock store."""
    with throwaway_redis() as url:
        yield url
