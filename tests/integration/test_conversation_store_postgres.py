"""Chat turns stored in real PostgreSQL, each test in a rolled-back transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Message
from api.dialogue.fake import FakeDialogueEngine
from api.errors import InvalidMessage
from api.turns.service import handle_turn

pytestmark = pytest.mark.integration


def _turn(session: Session, engine: FakeDialogueEngine, text: str, sender: str = "pg-shopper"):  # type: ignore[no-untyped-def]
    return handle_turn(
        session=session, engine=engine, sender=sender, text=text, channel="rest", metadata={}, max_bytes=4096
    )


def test_turn_stores_shopper_message_with_nlu_and_the_reply(session: Session) -> None:
    conversation, messages = _turn(session, FakeDialogueEngine(), "I'm looking for running shoes")
    stored = session.scalars(
        select(Message).where(Message.conversation_id == conversation.id).order_by(Message.seq)
    ).all()
    assert [m.author for m in stored] == ["shopper", "bot"]
    assert stored[0].intent == "search_product"
    assert stored[0].entities[0]["value"] == "shoes"
    assert stored[1].content["products"][0]["product_id"] == "P1"


def test_message_survives_when_the_engine_is_down(session: Session) -> None:
    engine = FakeDialogueEngine()
    engine.down = True
    conversation, messages = _turn(session, engine, "hello?")
    assert messages[0].status == "dialogue_unavailable"
    assert (
        session.scalar(select(Message.text).where(Message.conversation_id == conversation.id, Message.seq == 1))
        == "hello?"
    )


def test_invalid_message_writes_nothing(session: Session) -> None:
    with pytest.raises(InvalidMessage):
        _turn(session, FakeDialogueEngine(), "   ")
    assert session.scalar(select(Message).limit(1)) is None


def test_the_inbox_sorts_by_lowest_confidence_and_counts_each_page_row(session: Session) -> None:
    from api.review.inbox import inbox_page
    from api.review.schemas import InboxFilter

    engine = FakeDialogueEngine()
    _turn(session, engine, "hi", sender="sure")  # greet 0.97
    _turn(session, engine, "hi", sender="unsure")
    _turn(session, engine, "blorp zzz", sender="unsure")  # nlu_fallback 0.2
    first = inbox_page(session=session, flt=InboxFilter(sort="confidence_asc", limit=1))
    second = inbox_page(session=session, flt=InboxFilter(sort="confidence_asc", limit=1, offset=1))
    assert first.total == second.total == 2
    assert [(r.shopper, r.min_confidence, r.fallbacks, r.messages) for r in first.rows + second.rows] == [
        ("unsure", 0.2, 1, 4),
        ("sure", 0.97, 0, 2),
    ]
