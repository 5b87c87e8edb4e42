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


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0007_gives_each_conversation_the_seq_of_its_last_message(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from api.conversations import service
    from api.conversations.models import Conversation
    from api.dialogue.port import BotMessage

    url = f"sqlite:///{tmp_path / 'seq.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    if backend == "sqlite":
        upgrade(url, "0006")
    else:
        downgrade(url, "0006")  # the shared database is at head
    engine = create_engine(url)
    at = "'2026-01-01 00:00:00+00'"
    rows = [
        f"INSERT INTO shoppers (id, external_id, created_at) VALUES ('m7-s', 'm7-shopper', {at})",
        *(
            "INSERT INTO conversations (id, shopper_id, channel, status, created_at, updated_at) "
            f"VALUES ('{c}', 'm7-s', 'rest', 'bot', {at}, {at})"
            for c in ("m7-c1", "m7-c2")
        ),
        *(
            "INSERT INTO messages (id, conversation_id, seq, direction, author, text, status, created_at) "
            f"VALUES ('m7-m{seq}', 'm7-c1', {seq}, 'in', 'shopper', 'hi', 'answered', {at})"
            for seq in (1, 2, 3)
        ),
    ]
    try:
        with engine.begin() as c:
            for row in rows:
                c.execute(text(row))
        upgrade(url)
        with Session(engine) as session:
            c1, c2 = session.get(Conversation, "m7-c1"), session.get(Conversation, "m7-c2")
            assert c1 is not None and c2 is not None
            assert (c1.last_seq, c2.last_seq) == (3, 0)
            reply = service.add_reply(session=session, conversation=c1, reply=BotMessage(text="hello"))
            first = service.add_reply(session=session, conversation=c2, reply=BotMessage(text="hello"))
            session.commit()
            assert (reply.seq, first.seq) == (4, 1)
    finally:
        with engine.begin() as c:  # the PostgreSQL database is shared with other tests
            c.execute(text("DELETE FROM shoppers WHERE id = 'm7-s'"))
        engine.dispose()
