"""One chat turn: store the shopper's message, ask the engine, store and return the reply."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.orm import Session

from api.conversations import service as conversations
from api.conversations.models import Conversation, Message
from api.dialogue.port import BotMessage, DialogueEngine, DialogueUnavailable
from api.errors import InvalidMessage, MessageTooLarge

log = logging.getLogger(__name__)

UNAVAILABLE_REPLY = (
    "Sorry, our shopping assistant is temporarily unavailable. Your message is saved "
    "and we'll get back to you; you can also try again in a moment."
)
AGENT_HOLD_REPLY = "A member of our team has this conversation and will reply here shortly."


def validate_text(text: str, max_bytes: int) -> str:
    """Return the message if acceptable, else raise a domain error saying why."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise MessageTooLarge(f"message is {size} bytes; the limit is {max_bytes} bytes")
    if not text.strip():
        raise InvalidMessage("message must not be empty or only whitespace")
    return text.strip()


def handle_turn(
    *,
    session: Session,
    engine: DialogueEngine,
    sender: str,
    text: str,
    channel: str,
    metadata: dict[str, Any],
    max_bytes: int,
) -> tuple[Conversation, list[Message]]:
    """Run one shopper turn end to end and return the conversation and the turn's messages.

    The shopper's message is committed before the engine is asked, so a failure later
    never loses it; an engine failure yields a polite reply and marks the message.
    """
    text = validate_text(text, max_bytes)
    shopper = conversations.get_or_create_shopper(session=session, external_id=sender)
    conversation = conversations.open_conversation(session=session, shopper=shopper, channel=channel)
    inbound = conversations.add_shopper_message(session=session, conversation=conversation, text=text)
    session.commit()

    if conversation.status != "bot":
        conversations.annotate(message=inbound, nlu=None, status="awaiting_agent", latency_ms=0.0)
        session.commit()
        return conversation, [inbound]

    started = time.perf_counter()
    turn_metadata = {**metadata, "shopper_id": shopper.id, "channel": channel}
    try:
        turn = engine.handle(conversation_id=conversation.id, text=text, metadata=turn_metadata)
        replies, nlu, status = turn.messages, turn.nlu, "answered"
    except DialogueUnavailable:
        replies, nlu, status = [BotMessage(text=UNAVAILABLE_REPLY)], None, "dialogue_unavailable"
        log.warning("dialogue.turn.degraded conversation=%s", conversation.id)
    latency_ms = (time.perf_counter() - started) * 1000
    conversations.annotate(message=inbound, nlu=nlu, status=status, latency_ms=latency_ms)
    stored = [conversations.add_reply(session=session, conversation=conversation, reply=r) for r in replies]
    session.commit()
    log.info("dialogue.turn.done status=%s intent=%s latency_ms=%.0f", status, nlu.intent if nlu else None, latency_ms)
    return conversation, [inbound, *stored]
