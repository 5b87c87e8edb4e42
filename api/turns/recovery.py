"""Turns interrupted by a crash are answered after restart, never silently dropped.

A shopper message is committed (status `received`) before the engine is asked; the turn
ends by changing that status. A message still `received` well after it arrived belongs
to a turn whose process died: at startup (and then every minute) such messages get an
apology reply on their conversation, and the live channels are told.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations import service as conversations
from api.conversations.models import Conversation, Message
from api.db import utcnow
from api.dialogue.port import BotMessage
from i18n import catalog
from i18n.catalog import N_

log = logging.getLogger(__name__)
INTERRUPTED_REPLY = N_(
    "Sorry, we were interrupted while answering your last message. Could you send it again? Nothing you wrote was lost."
)


def recover_interrupted(session: Session, older_than_s: float = 60.0) -> list[tuple[str, int]]:
    """Answer turns left unfinished; return (conversation id, apology seq) for each."""
    cutoff = utcnow() - timedelta(seconds=older_than_s)
    stuck = list(
        session.scalars(
            select(Message).where(
                Message.status == "received", Message.author == "shopper", Message.created_at < cutoff
            )
        )
    )
    done = []
    for message in stuck:
        conversation = session.get(Conversation, message.conversation_id)
        if conversation is None:
            continue
        message.status = "interrupted"
        reply = conversations.add_reply(
            session=session,
            conversation=conversation,
            reply=BotMessage(text=catalog.text(conversation.language, INTERRUPTED_REPLY)),
        )
        done.append((conversation.id, reply.seq))
    session.commit()
    if done:
        log.warning("dialogue.recovery.answered interrupted_turns=%d", len(done))
    return done
