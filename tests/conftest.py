"""Fixtures shared by every tier."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres import throwaway_cluster


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Return the URL of a throwaway PostgreSQL cluster started for this test session."""
    with throwaway_cluster() as url:
        yield url
