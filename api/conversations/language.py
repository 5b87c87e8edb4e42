"""Which language a conversation is held in (replies, notices, cards follow it).

The page may state it (the widget sends `language` from the page's `lang` or
`navigator.language`); a stated language is kept for the conversation until the page
states another. Without one, the conversation follows the shopper: the language of their
latest message that has letters or ideographs (an emoji keeps the one before).
"""

from __future__ import annotations

from typing import Any

from api.conversations.models import Conversation
from i18n.language import DEFAULT, detect, normalise

PAGE = "page"
TEXT = "text"


def stated_language(metadata: dict[str, Any]) -> str | None:
    """Return the supported language the channel states for this message, if any."""
    value = metadata.get("language")
    return normalise(value) if isinstance(value, str) else None


def settle_language(conversation: Conversation, text: str, stated: str | None) -> str:
    """Set and return the conversation's language after a shopper message (the language a
    reply is written in; `message_language` is the one the message itself is written in)."""
    if stated is not None:
        conversation.language, conversation.language_source = stated, PAGE
    elif conversation.language_source != PAGE:
        own = detect(text, default="")
        if own:
            conversation.language, conversation.language_source = own, TEXT
    if conversation.language is None:
        conversation.language, conversation.language_source = DEFAULT, TEXT
    return conversation.language


def message_language(text: str, conversation: Conversation) -> str:
    """Return the language a message is written in (the conversation's when it has no letters)."""
    return detect(text, default=conversation.language or DEFAULT)
