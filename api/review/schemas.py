"""Review API shapes: the inbox, one conversation for staff, tags, notes and corrections."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.conversations.schemas import MessageOut, PurchaseIntentHistory

Sort = Literal["updated_desc", "updated_asc", "created_desc", "confidence_asc"]


class InboxFilter(BaseModel):
    """What the inbox shows: every filter is optional and they combine with AND."""

    model_config = ConfigDict(extra="forbid")

    status: list[Literal["bot", "waiting_for_agent", "agent", "resolved"]] = Field(default_factory=list)
    channel: list[str] = Field(default_factory=list)
    language: list[Literal["en", "zh"]] = Field(default_factory=list, description="The conversation's language")
    intent: str | None = Field(default=None, max_length=64, description="Some shopper message had this intent")
    confidence_below: float | None = Field(
        default=None, ge=0, le=1, description="Some message was understood less surely"
    )
    fallback: bool | None = Field(default=None, description="The NLU fell back (out of scope / unsure) at least once")
    handed_off: bool | None = Field(default=None, description="A human was asked for or took over at some point")
    stage: str | None = Field(default=None, max_length=24, description="Current purchase-funnel stage")
    tag: str | None = Field(default=None, max_length=48)
    q: str | None = Field(default=None, max_length=200, description="Words in any message of the conversation")
    since: datetime | None = Field(default=None, description="Last activity at or after (ISO 8601)")
    until: datetime | None = Field(default=None, description="Last activity before (ISO 8601)")
    sort: Sort = "updated_desc"
    limit: int = Field(default=25, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class InboxRow(BaseModel):
    """One conversation in the inbox."""

    id: str
    shopper: str
    channel: str
    language: str | None
    status: str
    assignee: str | None
    purchase_stage: str | None
    purchase_score: float | None
    messages: int
    min_confidence: float | None
    fallbacks: int
    last_intent: str | None
    last_text: str
    tags: list[str]
    handed_off: bool
    created_at: datetime
    updated_at: datetime


class InboxPage(BaseModel):
    """A page of the inbox and how many conversations match in all."""

    total: int
    rows: list[InboxRow]


class CorrectionOut(BaseModel):
    """The latest staff correction of a message."""

    intent: str
    entities: list[dict[str, Any]]
    author: str
    created_at: datetime


class StaffMessageOut(MessageOut):
    """A message as staff see it: with the correction, if any."""

    correction: CorrectionOut | None = None


class NoteOut(BaseModel):
    """A private note."""

    id: int
    author: str
    text: str
    created_at: datetime


class TimelineEvent(BaseModel):
    """One behaviour event of the shopper (views, carts, purchases, card clicks)."""

    type: str
    product_id: str | None
    query: str | None
    source: str | None
    price: float | None
    occurred_at: datetime


class ConversationDetail(BaseModel):
    """Everything staff need to review one conversation."""

    id: str
    shopper: str
    customer_id: str | None
    channel: str
    language: str | None
    status: str
    assignee: str | None
    handed_off_at: datetime | None
    created_at: datetime
    updated_at: datetime
    tags: list[str]
    notes: list[NoteOut]
    messages: list[StaffMessageOut]
    purchase_intent: PurchaseIntentHistory
    behaviour: list[TimelineEvent]
    recommendation_clicks: int


class TagIn(BaseModel):
    """A tag to add."""

    model_config = ConfigDict(extra="forbid")

    tag: str = Field(min_length=1, max_length=48, pattern=r"^[\w .:/-]+$")

    @field_validator("tag")
    @classmethod
    def _normalise(cls, value: str) -> str:
        value = " ".join(value.lower().split())
        if not value:
            raise ValueError("tag must not be blank")
        return value


class NoteIn(BaseModel):
    """A private note to add."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)


class EntityIn(BaseModel):
    """An entity span in the message text (character offsets, end exclusive)."""

    model_config = ConfigDict(extra="forbid")

    entity: str = Field(min_length=1, max_length=32)
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    value: str | None = Field(default=None, max_length=200, description="Normalised value (synonym); default: the span")


class CorrectionIn(BaseModel):
    """What the message really meant."""

    model_config = ConfigDict(extra="forbid")

    intent: str = Field(min_length=1, max_length=64)
    entities: list[EntityIn] | None = Field(
        default=None, max_length=50, description="The message's entities; omitted: keep what the NLU found"
    )


class TakeOverIn(BaseModel):
    """Taking a conversation over (the agent's name defaults to the logged-in staff member)."""

    model_config = ConfigDict(extra="forbid")

    agent: str | None = Field(default=None, min_length=1, max_length=128)


class ConversationState(BaseModel):
    """Who answers the conversation now."""

    conversation_id: str
    status: str
    assignee: str | None
