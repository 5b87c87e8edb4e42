"""Chat turns stored in real PostgreSQL, each test in a rolled-back transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Message
from api.dialogue.fake import FakeDialogueEngine
from api.dialogue.service import handle_turn
from api.errors import InvalidMessage

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
