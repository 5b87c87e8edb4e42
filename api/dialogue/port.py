"""The dialogue engine port: what a chat turn needs from Rasa, in types the port owns
(the conversation API's schemas reuse the rich parts, never the other way round)."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, Field


class QuickReply(BaseModel):
    """A button the shopper can tap instead of typing."""

    title: str
    payload: str


class ProductCard(BaseModel):
    """A product shown in a reply."""

    product_id: str
    title: str
    price: float | None = None
    currency: str = ""
    image_url: str = ""
    brand: str = ""
    reason: str = ""


class NluResult(BaseModel):
    """What the engine understood from one shopper message."""

    intent: str | None = None
    confidence: float | None = None
    entities: list[dict[str, Any]] = Field(default_factory=list)
    intent_ranking: list[dict[str, Any]] = Field(default_factory=list)
    stage: str | None = None
    stage_score: float | None = None


class BotMessage(BaseModel):
    """One bot message: text (always, as the plain-text fallback) plus rich parts."""

    text: str = ""
    quick_replies: list[QuickReply] = Field(default_factory=list)
    products: list[ProductCard] = Field(default_factory=list)


class BotTurn(BaseModel):
    """The engine's answer to one shopper message."""

    messages: list[BotMessage]
    nlu: NluResult | None = None


class DialogueUnavailable(Exception):
    """The engine is down, slow past the timeout, or answered nonsense."""


class DialogueEngine(Protocol):
    """Runs NLU and dialogue policies for a conversation."""

    def handle(self, *, conversation_id: str, text: str, metadata: dict[str, Any]) -> BotTurn:
        """Return the bot's reply to a shopper message.

        Raises:
            DialogueUnavailable: the engine could not answer in time.
        """
        ...

    def ready(self) -> bool:
        """Return True when the engine answers health checks."""
        ...

    def forget(self, conversation_id: str) -> bool:
        """Delete what the engine stored about a conversation (its tracker); True if it did.

        Raises:
            DialogueUnavailable: the engine could not be reached.
        """
        ...
