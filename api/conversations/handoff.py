"""One handoff flow whatever the channel: bot -> waiting_for_agent -> agent -> bot (or resolved)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from api.conversations import service as conversations
from api.conversations.models import Conversation, Message
from api.db import utcnow
from api.dialogue.port import BotMessage
from api.errors import DomainError
from api.integrations.outbox import emit
from api.observability.metrics import HANDOFFS

log = logging.getLogger(__name__)


class ConversationClosed(DomainError):
    """The conversation is resolved."""

    status_code = 409


def request_handoff(session: Session, conversation: Conversation, reason: str) -> None:
    """The bot stops answering; the conversation waits for an agent (in the caller's transaction)."""
    if conversation.status in ("waiting_for_agent", "agent"):
        return
    conversation.status = "waiting_for_agent"
    conversation.handed_off_at = conversation.handed_off_at or utcnow()
    HANDOFFS.labels(reason).inc()
    emit(
        session,
        "handoff.requested",
        {"conversation_id": conversation.id, "reason": reason, "channel": conversation.channel},
    )
    log.info("handoff.requested conversation=%s reason=%s", conversation.id, reason)


def _open(conversation: Conversation) -> None:
    if conversation.status == "resolved":
        raise ConversationClosed(f"conversation {conversation.id} is resolved")


def take_over(session: Session, conversation: Conversation, agent: str) -> None:
    """An agent holds the conversation: the bot pauses."""
    _open(conversation)
    conversation.status, conversation.assignee = "agent", agent
    conversation.handed_off_at = conversation.handed_off_at or utcnow()
    session.commit()


def agent_reply(session: Session, conversation: Conversation, agent: str, text: str) -> Message:
    """Store an agent's message; the agent now holds the conversation (the bot stays quiet)."""
    _open(conversation)
    conversation.status, conversation.assignee = "agent", agent
    conversation.handed_off_at = conversation.handed_off_at or utcnow()
    message = conversations.add_reply(
        session=session, conversation=conversation, reply=BotMessage(text=text), author="agent"
    )
    conversation.updated_at = utcnow()
    session.commit()
    return message


def hand_back(session: Session, conversation: Conversation) -> None:
    """Give the conversation back to the bot."""
    _open(conversation)
    conversation.status, conversation.assignee = "bot", None
    session.commit()


def resolve(session: Session, conversation: Conversation) -> None:
    """Close the conversation; the shopper's next message starts a new one."""
    if conversation.status == "resolved":
        return
    conversation.status = "resolved"
    emit(session, "conversation.resolved", {"conversation_id": conversation.id, "channel": conversation.channel})
    session.commit()
