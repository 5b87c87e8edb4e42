"""Alembic migrations run up and down on SQLite and on real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from api.migrate import downgrade, upgrade

pytestmark = pytest.mark.integration


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_creates_tables_and_downgrade_removes_them(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    upgrade(url)
    assert {
        "shoppers",
        "conversations",
        "messages",
        "behaviour_events",
        "purchase_intent_snapshots",
        "staff_users",
        "staff_sessions",
        "audit_log",
        "conversation_tags",
        "conversation_notes",
        "annotations",
        "alembic_version",
    } <= _tables(url)
    downgrade(url)
    assert _tables(url) <= {"alembic_version"}
    upgrade(url)  # leave PostgreSQL migrated for the other tests
