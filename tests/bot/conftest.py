"""Tests of bot/ code that runs inside Rasa (the Rasa env, Python 3.10)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("rasa", reason="bot tests run in the Rasa env: make test runs them there")

from tests.support.redis_server import throwaway_redis  # noqa: E402


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A real Redis server for the lock store."""
    with throwaway_redis() as url:
        yield url
