"""Conversation API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.dialogue.port import ProductCard, QuickReply  # the bot's rich parts, as the port defines them


class ChatIn(BaseModel):
    """A shopper's message to the bot."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    sender: str = Field(min_length=1, max_length=128, description="The shopper's session or customer id")
    message: str = Field(description="What the shopper typed")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Channel data passed to the bot")
    client_message_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="The sender's id for this message; a retry with the same id is answered, not stored twice",
    )

    @field_validator("sender")
    @classmethod
    def _sender_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("sender must not be blank")
        return value.strip()


class NluOut(BaseModel):
    """What the dialogue engine understood from a shopper message."""

    intent: str | None = None
    confidence: float | None = None
    entities: list[dict[str, Any]] = Field(default_factory=list)
    stage: str | None = None
    stage_score: float | None = None


class MessageOut(BaseModel):
    """One stored message."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    seq: int
    author: Literal["shopper", "bot", "agent", "system"]
    text: str
    quick_replies: list[QuickReply] = Field(default_factory=list)
    products: list[ProductCard] = Field(default_factory=list)
    status: str
    nlu: NluOut | None = None
    client_id: str | None = Field(default=None, description="The sender's id of a shopper message (retries dedupe)")
    language: str | None = Field(default=None, description="The language the text is written in: en or zh")
    created_at: datetime


class PurchaseIntentOut(BaseModel):
    """The conversation's fused purchase intent (NLU + behaviour)."""

    stage: str | None = None
    score: float | None = None


class PurchaseIntentPoint(PurchaseIntentOut):
    """One point of the purchase-intent history."""

    nlu_score: float | None = None
    behaviour_score: float | None = None
    signals: dict[str, float] = Field(default_factory=dict)
    at: datetime


class PurchaseIntentHistory(PurchaseIntentOut):
    """Current purchase intent and how it evolved over the conversation."""

    history: list[PurchaseIntentPoint]


class ChatOut(BaseModel):
    """The conversation id and the messages of this turn (the shopper's first)."""

    conversation_id: str
    messages: list[MessageOut]
    purchase_intent: PurchaseIntentOut | None = None
    session_token: str = Field(
        description="Proof of this shopper session: send it as X-Session-Token with the sender's next requests"
    )


class IdentifyIn(BaseModel):
    """Link a widget session to the shop's customer id (after login), as the shop vouches.

    From the browser: `expires_at` and `signature` as the shop's backend computed them
    (SECURITY.md), plus the session's X-Session-Token. From the shop's backend with its API
    key, the signature may be left out.
    """

    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=1, max_length=128)
    customer_id: str = Field(min_length=1, max_length=128)
    expires_at: int | None = Field(default=None, description="Unix seconds after which the signature is void")
    signature: str | None = Field(
        default=None, max_length=128, description='hex HMAC-SHA256(IDENTITY_SECRET, "{customer_id}:{expires_at}")'
    )


class IdentifyOut(BaseModel):
    """The customer and every session now linked to them."""

    customer_id: str
    sessions: list[str]
    session_token: str | None = Field(
        default=None,
        description="For the shop's backend (its API key): the session's token, for its page to chat with "
        "(X-Session-Token); a shopper verified before their first message can chat at once",
    )
