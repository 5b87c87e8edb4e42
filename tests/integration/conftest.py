"""Integration-tier fixtures: a migrated PostgreSQL and sessions rolled back after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from api.migrate import upgrade


@pytest.fixture(scope="module")
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """Return an engine on the throwaway cluster, migrated to head."""
    upgrade(postgres_url)
    engine = create_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(pg_engine: Engine) -> Iterator[Session]:
    """A session whose commits land in a savepoint of an outer, rolled-back transaction."""
    connection = pg_engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield db
    db.close()
    outer.rollback()
    connection.close()
