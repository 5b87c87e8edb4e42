"""Behaviour-event API shapes: validated item by item, so one bad event rejects only itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EventType = Literal["view", "search", "add_to_cart", "remove_from_cart", "wishlist", "purchase"]
MAX_BATCH = 1000
PRODUCT_EVENTS = {"view", "add_to_cart", "remove_from_cart", "wishlist", "purchase"}


class EventIn(BaseModel):
    """One behaviour event from the shop."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=64, description="Unique per event; retries reuse it")
    type: EventType
    session_id: str | None = Field(default=None, min_length=1, max_length=128, description="Widget/session id")
    customer_id: str | None = Field(default=None, min_length=1, max_length=128, description="Shop customer id")
    product_id: str | None = Field(default=None, min_length=1, max_length=128)
    query: str | None = Field(default=None, max_length=512, description="The search text (search events)")
    quantity: int = Field(default=1, ge=1, le=10_000)
    price: float | None = Field(default=None, ge=0)
    timestamp: datetime | None = Field(default=None, description="When it happened (ISO 8601); default: now")
    source: str | None = Field(default=None, max_length=32, description="e.g. 'recommendation' for a card click")
    conversation_id: str | None = Field(default=None, max_length=36)
    extra: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> EventIn:
        if not (self.session_id or self.customer_id):
            raise ValueError("one of session_id or customer_id is required")
        if self.type in PRODUCT_EVENTS and not self.product_id:
            raise ValueError(f"product_id is required for {self.type} events")
        if self.type == "search" and not (self.query or "").strip():
            raise ValueError("query is required for search events")
        if self.timestamp is not None:
            if self.timestamp.tzinfo is None:
                self.timestamp = self.timestamp.replace(tzinfo=UTC)
            if self.timestamp > datetime.now(UTC) + timedelta(minutes=5):
                raise ValueError("timestamp is in the future")
        return self


class RejectedEvent(BaseModel):
    """An event that was not stored, and why."""

    index: int
    event_id: str | None = None
    errors: list[str]


class EventsOut(BaseModel):
    """What happened to a batch: stored, already stored before (idempotent retry), rejected."""

    accepted: int
    duplicates: int
    rejected: list[RejectedEvent] = Field(default_factory=list)
